"""schemathesis against the live sandbox: every generated request is answered as ClickMeter's
OpenAPI document and its recorded quirks say, never with a 500.

The document is the repository's (devtools/sandbox/spec/openapi.json). What the real service
does differently (devtools/sandbox/spec/README.md) is written into the document below, each
quirk once, rather than checks being switched off:

* omitted zeros: default values (0, false, null, default enums) are left out of bodies, so no
  response property is required;
* `rows`: `/clickstream` answers `{"rows": [...]}` where the spec says `entities`;
* integer enums: Datapoint and Group bodies carry `status` 0..3, `type` 0..1 and
  `redirectType` 301/307 as integers, not the spec's strings;
* errors: validation failures answer 403 (the recorded body), unknown ids and paths 404; the
  spec lists neither on most operations. The sandbox serves the read operations clickbot
  uses: the others (and every write) answer 404 or 405, which only has to be no 5xx;
* 10 requests/s -> 429: the session's sandbox is configured without the throttle
  (`rate_limit=0`), so a 429 here would be a failure, not the throttle.

Bounded and deterministic: a few derandomized cases per operation (`load`); half the
generated ids are the seeded account's (`with_known_ids`), so real bodies are checked too.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import BaseSchema
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from devtools.sandbox.app import ROUTES, WRITES
from tests.conftest import Sandbox, _start
from tests.devtools.sandbox.test_schema import SPEC

#: Generated cases per operation the sandbox serves (checked in full), and per other one
#: (writes and reads clickbot does not use: the sandbox answers 404 or 405, never a 5xx).
EXAMPLES = 8
OTHER_EXAMPLES = 2
#: What the service answers beyond the spec's codes (README: Errors).
RECORDED_ERRORS = ("403", "404")
ERROR_BODY = {
    "type": "object",
    "description": "ClickMeter's error bodies: `errors` (validation) or errorCode/Message.",
}


def _quirks(node: Any) -> Any:
    """The response schema as the service answers (the README's shapes, applied everywhere)."""
    if isinstance(node, list):
        return [_quirks(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _quirks(value) for key, value in node.items() if key != "required"}
    props = out.get("properties")
    if isinstance(props, dict):
        if "typeTL" in props or "datapointsCount" in props or "linksCount" in props:
            # A Datapoint or a Group: integer enums.
            if "status" in props:
                props["status"] = {"type": "integer", "enum": [0, 1, 2, 3]}
            if "type" in props:
                props["type"] = {"type": "integer", "enum": [0, 1]}
        if "redirectType" in props:
            props["redirectType"] = {"type": "integer", "enum": [301, 307]}
    return out


@cache
def document() -> dict[str, Any]:
    """The spec with the quirks written in (responses only: requests are as documented)."""
    spec: dict[str, Any] = json.loads(SPEC.read_text())
    spec = copy.deepcopy(spec)
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in responses.items():
                responses[code] = _quirks(response)
            for code in RECORDED_ERRORS:
                responses.setdefault(
                    code,
                    {
                        "description": "recorded",
                        "content": {"application/json": {"schema": ERROR_BODY}},
                    },
                )
            if path == "/clickstream":
                schema = responses["200"]["content"]["application/json"]["schema"]
                schema["properties"]["rows"] = schema["properties"].pop("entities")
    return spec


#: The paths the sandbox serves, in the spec's spelling (`{id}` may be `{tagId}` there).
SERVED = {path.replace("{id}", "{}") for path, _ in ROUTES}


def served(path: str) -> bool:
    return re.sub(r"\{[^}]+\}", "{}", path) in SERVED


def served_read(ctx: Any) -> bool:
    return bool(ctx.operation.method.upper() == "GET" and served(ctx.operation.path))


#: The writes the sandbox takes (`POST /datapoints`, `POST /datapoints/{id}`).
WRITTEN = {path.replace("{id}", "{}") for path, _ in WRITES}


def served_write(ctx: Any) -> bool:
    path = re.sub(r"\{[^}]+\}", "{}", ctx.operation.path)
    return bool(ctx.operation.method.upper() == "POST" and path in WRITTEN)


def load(examples: int) -> BaseSchema:
    """The document for schemathesis, bounded and the same on every run: the coverage phase
    (every case the schema defines, with no bound) is left out; the spec's own examples, then
    `examples` generated cases (valid and invalid) per operation."""
    loaded = schemathesis.openapi.from_dict(document())
    loaded.config.phases.update(phases=["examples", "fuzzing"])
    loaded.config.generation.update(max_examples=examples, deterministic=True)
    return loaded


served_reads = load(EXAMPLES).include(served_read)
served_writes = load(EXAMPLES).include(served_write)
others = load(OTHER_EXAMPLES).exclude(lambda ctx: served_read(ctx) or served_write(ctx))


@pytest.fixture(scope="module")
def http(sandbox: Sandbox) -> Any:
    """One kept-alive session with the seeded account's key."""
    with requests.Session() as session:
        session.headers["X-Clickmeter-Authkey"] = sandbox.api_key
        yield session


@pytest.fixture(scope="module")
def known_ids(sandbox: Sandbox) -> dict[str, list[int]]:
    """The seeded account's ids, by collection: `datapoints`, `groups`, `tags`, `conversions`."""
    found: dict[str, list[int]] = {}
    for kind in ("datapoints", "groups", "tags", "conversions"):
        listed = sandbox.api.get(f"/{kind}", params={"limit": 100}).json()
        found[kind] = [int(entity["id"]) for entity in listed.get("entities", [])]
    return found


def with_known_ids(case: schemathesis.Case[Any], known_ids: dict[str, list[int]]) -> None:
    """Half the generated ids (the even ones) become ids the account has, so the bodies of
    real entities are checked against the document too, not only the 404s of made-up ids."""
    ids = known_ids.get(case.operation.path.split("/")[1]) or []
    params = case.path_parameters or {}
    for name, value in params.items():
        if ids and isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
            params[name] = ids[abs(value) // 2 % len(ids)]


@served_reads.parametrize()
def test_served_reads_answer_as_documented(
    case: schemathesis.Case[Any],
    sandbox: Sandbox,
    http: requests.Session,
    known_ids: dict[str, list[int]],
) -> None:
    with_known_ids(case, known_ids)
    case.call_and_validate(
        base_url=sandbox.url,
        session=http,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


@pytest.fixture(scope="module")
def writable() -> Any:
    """A sandbox of this module's own that takes writes (the shared one refuses them)."""
    instance = _start(datapoints=30)
    yield instance
    instance.close()


@served_writes.parametrize()
def test_served_writes_answer_as_documented(
    case: schemathesis.Case[Any], writable: Sandbox, known_ids: dict[str, list[int]]
) -> None:
    with_known_ids(case, known_ids)
    with requests.Session() as session:
        session.headers["X-Clickmeter-Authkey"] = writable.api_key
        case.call_and_validate(
            base_url=writable.url,
            session=session,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )


@others.parametrize()
def test_other_operations_are_never_a_server_error(
    case: schemathesis.Case[Any], sandbox: Sandbox, http: requests.Session
) -> None:
    case.call_and_validate(base_url=sandbox.url, session=http, checks=[not_a_server_error])
