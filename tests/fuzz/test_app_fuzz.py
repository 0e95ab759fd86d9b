"""The running app takes 10,000+ generated inputs: no 5xx, a 200 ack for each (Slack's 3 s are
a status here, not a timing), an answer for each command and each message button, and a log
with no error, no traceback, no secret and no response URL.

Several strategies, each a few thousand inputs, against one `clickbot web` process
(`conftest.app`). Each example is a batch of BATCH inputs sent concurrently: Hypothesis's cost
is per example, so batches make the run several times shorter, and a failing batch still
shrinks to its one failing input. Examples are derandomized so every run sends the same
inputs; answers are checked per test (`FuzzedApp.unanswered`), the log after each test. The
total is checked last, so the count cannot quietly shrink.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.localslack.signed import interaction_body
from tests.conftest import Sandbox
from tests.fuzz.app import RESPONSE_PATH, FuzzedApp
from tests.fuzz.strategies import (
    command_texts,
    events,
    interactions,
    mangled_interactions,
    raw_bodies,
    well_formed_clicks,
)

BATCH = 20
#: Inputs per test (each a multiple of BATCH). Fewer of the heavy ones (a button's answer
#: reads ClickMeter again, an App Home opening reads the database and publishes a view).
COMMANDS = 4000
CLICKS = 600
INTERACTIONS = 2000
MANGLED = 1000
EVENTS = 500
RAW = 2000
TOTAL = COMMANDS + CLICKS + INTERACTIONS + MANGLED + EVENTS + RAW
#: The answer reply.py gives when answering raised: a crash, caught.
CRASH_ANSWER = "Something went wrong on clickbot's side"
#: What Slack sees when a request is acked, or refused as not Slack's (bot.web): never a 5xx.
ACKED_OR_REFUSED = (200, 400)

T = TypeVar("T")


def fuzz(inputs: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Settings for `inputs` inputs in batches: deterministic, no deadline (the machine is
    shared), no database of failures (derandomized runs replay anyway)."""
    return settings(
        max_examples=inputs // BATCH,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def batches(inputs: st.SearchStrategy[T]) -> st.SearchStrategy[list[T]]:
    return st.lists(inputs, min_size=BATCH, max_size=BATCH)


def account_names(sandbox: Sandbox) -> list[str]:
    """The seeded account's link and group names (as the grammar would look them up)."""
    names: list[str] = []
    for path in ("/datapoints", "/groups"):
        listed = sandbox.api.get(path, params={"_expand": "true", "limit": 100}).json()
        names += [str(e["name"]) for e in listed.get("entities", []) if e.get("name")]
    assert names, "the sandbox's account has links and groups to name"
    return names


def check_test(app: FuzzedApp, log_start: int, pending: dict[str, str]) -> None:
    """Every response_url in `pending` (url -> the input) got an answer that is no crash, and
    the log since `log_start` is clean."""
    missing = app.unanswered(pending)
    assert not missing, [pending[url] for url in missing[:10]]
    wanted = {url.rsplit(RESPONSE_PATH, 1)[-1]: url for url in pending}
    with app.slack.slack.lock:
        posts = [p for p in app.slack.slack.response_posts if p.response_id in wanted]
    crashed = [pending[wanted[p.response_id]] for p in posts if CRASH_ANSWER in json.dumps(p.body)]
    assert not crashed, crashed[:10]
    problems = app.log_problems(app.log_since(log_start))
    assert not problems, problems[:20]


def test_commands(app: FuzzedApp, sandbox: Sandbox) -> None:
    log_start, pending = len(app.log), {}

    @fuzz(COMMANDS)
    @given(texts=batches(command_texts(account_names(sandbox))))
    def batch(texts: list[str]) -> None:
        for text, (ack, response_url) in zip(texts, app.commands(texts), strict=True):
            assert ack.status_code == 200, (text, ack.status_code, ack.text)
            if not ack.text:  # an answer in the ack is one; else it comes on the response_url
                pending[response_url] = text

    batch()
    check_test(app, log_start, pending)


def test_message_buttons(app: FuzzedApp, sandbox: Sandbox) -> None:
    log_start, pending = len(app.log), {}

    @fuzz(CLICKS)
    @given(payloads=batches(well_formed_clicks(command_texts(account_names(sandbox)))))
    def batch(payloads: list[dict[str, Any]]) -> None:
        urls = [app.slack.response_url() for _ in payloads]
        bodies = [
            interaction_body({**payload, "response_url": url})
            for payload, url in zip(payloads, urls, strict=True)
        ]
        for payload, url, ack in zip(payloads, urls, app.post_many(bodies), strict=True):
            assert ack.status_code == 200, (payload, ack.status_code, ack.text)
            pending[url] = json.dumps(payload)

    batch()
    check_test(app, log_start, pending)


def is_home_click(payload: dict[str, Any]) -> bool:
    """A click on the App Home tab: its answer is the tab, published again."""
    return bool(payload["type"] == "block_actions" and payload["container"]["type"] == "view")


def test_interactions(app: FuzzedApp, sandbox: Sandbox) -> None:
    log_start, home_clicks = len(app.log), 0
    published = len(app.slack.slack.calls_to("views.publish"))

    @fuzz(INTERACTIONS)
    @given(payloads=batches(interactions(command_texts(account_names(sandbox)))))
    def batch(payloads: list[dict[str, Any]]) -> None:
        nonlocal home_clicks
        acks = app.post_many([interaction_body(payload) for payload in payloads])
        for payload, ack in zip(payloads, acks, strict=True):
            assert ack.status_code == 200, (payload, ack.status_code, ack.text)
            home_clicks += is_home_click(payload)

    batch()
    # Home tab clicks have no response_url: each is answered by publishing the tab again.
    # (The other interactions have no listener, or a response_url-less click: an ack is all.)
    assert home_clicks
    app.slack.slack.wait_for(
        lambda: len(app.slack.slack.calls_to("views.publish")) - published >= home_clicks, 60
    )
    check_test(app, log_start, {})


def test_mangled_interactions(app: FuzzedApp, sandbox: Sandbox) -> None:
    log_start = len(app.log)

    @fuzz(MANGLED)
    @given(payloads=batches(mangled_interactions(command_texts(account_names(sandbox)))))
    def batch(payloads: list[dict[str, Any]]) -> None:
        acks = app.post_many([interaction_body(payload) for payload in payloads])
        for payload, ack in zip(payloads, acks, strict=True):
            assert ack.status_code in ACKED_OR_REFUSED, (payload, ack.status_code, ack.text)

    batch()
    check_test(app, log_start, {})


def test_events(app: FuzzedApp) -> None:
    log_start = len(app.log)

    @fuzz(EVENTS)
    @given(envelopes=batches(events()))
    def batch(envelopes: list[dict[str, Any]]) -> None:
        bodies = [json.dumps(envelope) for envelope in envelopes]
        acks = app.post_many(bodies, content_type="application/json")
        for envelope, ack in zip(envelopes, acks, strict=True):
            assert ack.status_code in ACKED_OR_REFUSED, (envelope, ack.status_code, ack.text)

    batch()
    check_test(app, log_start, {})


def test_malformed_bodies(app: FuzzedApp) -> None:
    log_start = len(app.log)

    @fuzz(RAW)
    @given(raws=batches(raw_bodies()))
    def batch(raws: list[tuple[str, str]]) -> None:
        for content_type in sorted({content_type for content_type, _ in raws}):
            bodies = [body for kind, body in raws if kind == content_type]
            for body, ack in zip(bodies, app.post_many(bodies, content_type), strict=True):
                assert ack.status_code in ACKED_OR_REFUSED, (content_type, body, ack.status_code)

    batch()
    check_test(app, log_start, {})


def test_the_app_took_every_input(app: FuzzedApp) -> None:
    assert app.sent >= TOTAL >= 10_000
    assert app.process.poll() is None, "the app is still up"
    assert app.http.get(f"{app.url}/healthz").status_code == 200
