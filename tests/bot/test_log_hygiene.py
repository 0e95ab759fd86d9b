"""No request body, response_url or SQL parameter in any log line, uvicorn's included."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.logs import (
    BODY_NOT_LOGGED,
    REDACTED,
    RedactSecrets,
    configure_logging,
    uvicorn_log_options,
)
from devtools.localslack.signed import slash_command_body
from storage.connect import make_engine
from tests.bot.harness import BotUnderTest
from tests.servers import free_port

RESPONSE_URL = "https://hooks.slack.com/commands/T0TEAM/1234567890/abcdefSECRETPART"


UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Each test configures logging as a process does; the next one finds it as it was.

    uvicorn's loggers start as in a fresh `clickbot web` process, where only
    `configure_logging` and `uvicorn_log_options` touch them (the test servers of this process
    give them handlers, levels and propagation of their own)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = [logging.getLogger(name) for name in UVICORN_LOGGERS]
    kept = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    for logger in loggers:
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for logger, (its_handlers, its_level, propagate) in zip(loggers, kept, strict=True):
        logger.handlers[:] = its_handlers
        logger.setLevel(its_level)
        logger.propagate = propagate


def scrubbed(name: str, message: str) -> str:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, message, None, None)
    RedactSecrets([]).filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    "message",
    [
        f"posting to {RESPONSE_URL}",
        f"body: response_url={quote(RESPONSE_URL, safe='')}&text=stats",
        f"{{'response_url': '{RESPONSE_URL}', 'text': 'stats'}}",
        json.dumps({"response_url": RESPONSE_URL, "text": "stats"}),
        "payload=" + quote(json.dumps({"response_url": RESPONSE_URL, "a": 1}), safe=""),
    ],
)
def test_response_urls_are_scrubbed_in_every_form(message: str) -> None:
    out = scrubbed("anything", message)
    assert "SECRETPART" not in out
    assert REDACTED in out


def test_the_bodies_bolt_logs_are_cut_out() -> None:
    out = scrubbed(
        "slack_bolt.RequestVerification",
        "Invalid request signature detected (signature: v0=ab, timestamp: 1, "
        "body: command=%2Fclickmeter&text=my+private+words)",
    )
    kept = "Invalid request signature detected (signature: v0=ab, timestamp: 1, body: "
    assert out == kept + BODY_NOT_LOGGED
    envelope = json.dumps({"payload": {"text": "my private words"}})
    out = scrubbed("slack_bolt", f"Received message (type: TEXT, data: {envelope!r}, extra: )")
    assert out == f"Received message (type: TEXT, data: {BODY_NOT_LOGGED}"
    # Our own records keep their words.
    assert scrubbed("bot.app", "body: fine") == "body: fine"


def test_a_stale_signed_requests_response_url_never_reaches_the_log(
    bot: BotUnderTest, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG", [])
    response_url = bot.slack.response_url()
    body = slash_command_body("stats my private words", response_url=response_url)
    assert bot.post(body, stale=True).status_code == 401
    assert bot.post(body, wrong_signature=True).status_code == 401
    err = capsys.readouterr().err
    assert "Invalid request signature" in err  # Bolt did log it, through our handler
    for secret in (response_url, quote(response_url, safe=""), "my+private+words"):
        assert secret not in err


def test_an_answered_command_leaves_its_response_url_out_of_debug_logs(
    bot: BotUnderTest, capsys: pytest.CaptureFixture[str]
) -> None:
    # At DEBUG, slack_sdk's webhook client logs each POST to a response_url, URL and body.
    configure_logging("DEBUG", [])
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    ack, response_url = bot.command("stats my private words")
    assert ack.status_code == 200
    assert bot.wait_answer(response_url)["text"]
    err = capsys.readouterr().err
    assert "Sending a request" in err  # the webhook client did log its POST
    for secret in (response_url, quote(response_url, safe=""), "my+private+words"):
        assert secret not in err


async def test_a_failed_inserts_parameters_never_reach_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", [])
    secret = "whsec_" + "Zm9vYmFyYmF6cXV4" * 2
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'hooks.sqlite3'}")
    insert = text("INSERT INTO hooks (secret) VALUES (:secret)")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE hooks (secret TEXT UNIQUE)"))
            await connection.execute(insert, {"secret": secret})
        with pytest.raises(IntegrityError) as caught:
            async with engine.begin() as connection:
                await connection.execute(insert, {"secret": secret})
        logging.getLogger("bot.reply").error("the alert database failed", exc_info=caught.value)
    finally:
        await engine.dispose()
    err = capsys.readouterr().err
    assert "IntegrityError" in err
    assert "INSERT INTO hooks" in err
    assert secret not in err


def test_uvicorns_access_line_is_json_and_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", ["s3cret-value-in-query"], log_format="json")

    async def hello(request: Request) -> Response:
        return Response("hi")

    app = Starlette(routes=[Route("/hello", hello)])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, **uvicorn_log_options())
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with httpx.Client(timeout=5) as client:
            for _ in range(200):  # until it listens (bounded; no timing asserted)
                try:
                    answer = client.get(f"http://127.0.0.1:{port}/hello?k=s3cret-value-in-query")
                    break
                except httpx.ConnectError:
                    threading.Event().wait(0.05)
        assert answer.status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
    lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    assert {line["logger"] for line in lines} >= {"uvicorn.error", "uvicorn.access"}
    [access] = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert "GET /hello" in access["message"]
    assert REDACTED in access["message"]
    assert "s3cret-value-in-query" not in json.dumps(lines)
