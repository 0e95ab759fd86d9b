"""Signed Slack requests (devtools/localslack/signed.py), checked by slack_sdk and by a Bolt app."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import httpx
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devtools.localslack import MockSlack, MockSlackServer
from devtools.localslack.signed import (
    block_actions_body,
    block_actions_payload,
    bolt_request,
    sign,
    signed_headers,
    slash_command_body,
    verify,
)
from tests.servers import serve_in_thread

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def test_signature_matches_slack_sdk() -> None:
    body = slash_command_body("stats spring-sale")
    headers = signed_headers(SECRET, body)
    assert headers["X-Slack-Signature"].startswith("v0=")
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert verify(SECRET, body, headers)
    assert not verify(SECRET, body + "&x=1", headers)


def test_known_signature() -> None:
    # Slack's documented example (docs.slack.dev, "Verifying requests from Slack").
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
        "&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
        "%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert (
        sign(SECRET, body, 1531420618)
        == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_stale_and_wrong_signatures_fail() -> None:
    body = slash_command_body("help")
    assert not verify(SECRET, body, signed_headers(SECRET, body, stale=True))
    assert not verify(SECRET, body, signed_headers(SECRET, body, wrong_signature=True))


def test_bodies() -> None:
    form = parse_qs(slash_command_body("stats", user_id="U0BOB", response_url="http://r/1"))
    assert form["command"] == ["/clickmeter"]
    assert form["text"] == ["stats"]
    assert (form["user_id"], form["response_url"]) == (["U0BOB"], ["http://r/1"])
    payload = json.loads(parse_qs(block_actions_body("refresh", value="7d"))["payload"][0])
    assert payload["type"] == "block_actions"
    assert payload["actions"][0]["action_id"] == "refresh"
    assert payload["actions"][0]["value"] == "7d"
    in_view = block_actions_payload("pick", view={"id": "V1", "type": "modal"})
    assert in_view["container"] == {"type": "view", "view_id": "V1"}


def bolt_app(server: MockSlackServer) -> AsyncApp:
    client = AsyncWebClient(token=server.token, base_url=server.api_url)
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.command("/clickmeter")
    async def command(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"stats for {command['text']}", response_type="in_channel")

    @app.action("refresh")
    async def refresh(ack: AsyncAck, respond: AsyncRespond, body: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"refreshed {body['actions'][0]['value']}", replace_original=True)

    return app


async def test_bolt_accepts_signed_command(server: MockSlackServer, slack: MockSlack) -> None:
    app = bolt_app(server)
    body = slash_command_body("spring-sale", response_url=server.response_url())
    response = await app.async_dispatch(bolt_request(SECRET, body))
    assert response.status == 200
    message = await slack.wait_for_async(lambda: slack.last_message("C0GENERAL"))
    assert message.text == "stats for spring-sale"
    assert slack.calls_to("auth.test")  # Bolt authorized against the mock


async def test_bolt_rejects_stale_or_forged(server: MockSlackServer) -> None:
    app = bolt_app(server)
    body = slash_command_body("x", response_url=server.response_url())
    for request in (
        bolt_request(SECRET, body, stale=True),
        bolt_request(SECRET, body, wrong_signature=True),
    ):
        assert (await app.async_dispatch(request)).status == 401
    assert (await app.async_dispatch(bolt_request(SECRET, body))).status == 200


async def test_bolt_block_action(
    server: MockSlackServer, slack: MockSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C0GENERAL", text="old stats")
    url = server.response_url(message_ts=posted["ts"])
    body = block_actions_body("refresh", value="7d", message=posted["message"], response_url=url)
    app = bolt_app(server)
    response = await app.async_dispatch(bolt_request(SECRET, body))
    assert response.status == 200
    await slack.wait_for_async(lambda: slack.responses_to(url))
    [message] = slack.messages("C0GENERAL")
    assert message.text == "refreshed 7d"


async def test_signed_request_over_http(server: MockSlackServer, slack: MockSlack) -> None:
    bolt = bolt_app(server)
    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    web = Starlette(routes=[Route("/slack/events", events, methods=["POST"])])
    body = slash_command_body("summer", response_url=server.response_url())
    with serve_in_thread(web) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            forged = await http.post(
                "/slack/events", content=body, headers=signed_headers(SECRET, body, stale=True)
            )
            assert forged.status_code == 401
            ok = await http.post(
                "/slack/events", content=body, headers=signed_headers(SECRET, body)
            )
            assert ok.status_code == 200
            message = await slack.wait_for_async(lambda: slack.last_message("C0GENERAL"))
    assert message.text == "stats for summer"
