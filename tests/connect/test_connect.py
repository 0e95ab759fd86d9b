"""`/clickmeter connect` end to end over signed HTTP: the modal, the key checked with the
sandbox, stored encrypted, each workspace answered from its own account, disconnect."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from clickmeter import ClickMeterClient
from storage.models import ClickMeterAccount
from tests.conftest import SANDBOX_KEY
from tests.connect.conftest import SECOND_COMPANY, SECOND_KEY, UNKNOWN_KEY, Connecting

FIRST, SECOND = "T0FIRST", "T0SECOND"


def install(connecting: Connecting, *teams: str) -> None:
    for team in teams:
        assert connecting.install(team, f"{team} Co").status_code == 200


async def link_names(connecting: Connecting, key: str) -> set[str]:
    """The names of the links of the account behind `key`, as the sandbox lists them."""
    async with ClickMeterClient(
        key, base_url=connecting.sandbox.url, requests_per_second=None
    ) as client:
        return {d.name or "" async for d in client.iter_datapoints(expand=True)}


def database_bytes(connecting: Connecting) -> bytes:
    """The SQLite database file as it is on disk."""
    return Path(connecting.backend.url.split("///", 1)[1]).read_bytes()


async def stored(connecting: Connecting) -> list[ClickMeterAccount]:
    async with connecting.database().reading() as tx:
        return list(await tx.session.scalars(select(ClickMeterAccount)))


async def test_before_connecting_every_command_says_how_in_one_line(
    connecting: Connecting,
) -> None:
    install(connecting, FIRST)
    for text in ["stats", "links last 7 days", "alert list", "top countries"]:
        answer = connecting.ask(FIRST, text)
        assert "/clickmeter connect" in answer["text"], text
        assert "\n" not in answer["text"]
    # `help` still answers what it always did: how to use the commands.
    assert "/clickmeter connect" not in connecting.ask(FIRST, "help")["text"].splitlines()[0]


async def test_the_modal_asks_for_the_key_and_never_prefills_it(connecting: Connecting) -> None:
    install(connecting, FIRST)
    view = connecting.open_modal(FIRST)
    (block,) = view["blocks"]
    assert block["type"] == "input"
    assert block["element"]["type"] == "plain_text_input"
    assert "initial_value" not in block["element"]
    assert connecting.submit(FIRST, view, SANDBOX_KEY).status_code == 200
    again = connecting.open_modal(FIRST)
    assert "initial_value" not in again["blocks"][0]["element"]
    assert SANDBOX_KEY not in str(again)


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (UNKNOWN_KEY, "ClickMeter refused this key"),
        ("not a key", "That is not a ClickMeter API key"),
    ],
)
async def test_a_bad_key_is_refused_inline(connecting: Connecting, key: str, says: str) -> None:
    install(connecting, FIRST)
    answer = connecting.connect(FIRST, key)
    assert answer.status_code == 200
    body = answer.json()
    assert body["response_action"] == "errors"
    assert says in body["errors"]["api_key"]
    assert "\n" not in body["errors"]["api_key"]
    assert await stored(connecting) == []


async def test_clickmeter_unreachable_is_said_inline(connecting: Connecting) -> None:
    install(connecting, FIRST)
    view = connecting.open_modal(FIRST)
    connecting.sandbox.control("faults", {"error_rate": 1.0})
    body = connecting.submit(FIRST, view, SANDBOX_KEY).json()
    assert body["response_action"] == "errors"
    assert "can't be reached" in body["errors"]["api_key"]
    assert await stored(connecting) == []


async def test_a_good_key_is_stored_encrypted_and_the_account_shown(
    connecting: Connecting, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    install(connecting, FIRST)
    body = connecting.connect(FIRST, SANDBOX_KEY).json()

    assert body["response_action"] == "update"
    shown = body["view"]["blocks"][0]["text"]["text"]
    assert "Example Outdoor Ltd" in shown
    assert "Europe/" in shown  # the sandbox's W. Europe Standard Time
    (row,) = await stored(connecting)
    assert row.team_id == FIRST
    assert row.account_name == "Example Outdoor Ltd"
    assert row.connected_by == "U0ALICE"
    assert SANDBOX_KEY not in row.encrypted_key
    assert connecting.workspaces.box.open(row.encrypted_key).get_secret_value() == SANDBOX_KEY
    assert SANDBOX_KEY not in caplog.text
    if connecting.backend.name == "sqlite":
        assert SANDBOX_KEY.encode() not in database_bytes(connecting)

    answer = connecting.ask(FIRST, "stats")
    assert "/clickmeter connect" not in answer["text"]


async def test_two_workspaces_each_see_their_own_account(connecting: Connecting) -> None:
    install(connecting, FIRST, SECOND)
    assert connecting.connect(FIRST, SANDBOX_KEY).json()["response_action"] == "update"
    second = connecting.connect(SECOND, SECOND_KEY).json()
    assert SECOND_COMPANY in second["view"]["blocks"][0]["text"]["text"]
    assert "America/New_York" in second["view"]["blocks"][0]["text"]["text"]

    first_links = connecting.ask(FIRST, "links last30")["text"]
    second_links = connecting.ask(SECOND, "links last30")["text"]
    assert first_links != second_links
    # Each answer's numbers are its own account's, in its own zone: what the sandbox says
    # for that key.
    for team, key, text in [(FIRST, SANDBOX_KEY, first_links), (SECOND, SECOND_KEY, second_links)]:
        zone = await connecting.cached_client(team).account_zone()
        assert zone.key.startswith("Europe/" if key == SANDBOX_KEY else "America/")
        top = text.split(": ", 1)[1].split(", ")[0].rsplit(" ", 2)[0]
        assert top in await link_names(connecting, key), (team, top)
        other = SECOND_KEY if key == SANDBOX_KEY else SANDBOX_KEY
        assert top not in await link_names(connecting, other), (team, top)


async def test_disconnect_deletes_the_key_and_closes_the_client(connecting: Connecting) -> None:
    install(connecting, FIRST)
    connecting.connect(FIRST, SANDBOX_KEY)
    assert "/clickmeter connect" not in connecting.ask(FIRST, "stats")["text"]
    client = connecting.cached_client(FIRST)

    answer = connecting.ask(FIRST, "disconnect")
    assert "Disconnected" in answer["text"]
    assert await stored(connecting) == []
    assert client._http._client.is_closed  # closed with its workspace
    assert "/clickmeter connect" in connecting.ask(FIRST, "stats")["text"]
    assert "nothing to disconnect" in connecting.ask(FIRST, "disconnect")["text"]


async def test_a_disconnect_on_another_replica_is_seen_at_once(connecting: Connecting) -> None:
    install(connecting, FIRST)
    connecting.connect(FIRST, SANDBOX_KEY)
    assert "/clickmeter connect" not in connecting.ask(FIRST, "stats")["text"]
    client = connecting.cached_client(FIRST)

    async with connecting.database().transaction() as tx:  # as another replica would
        assert await tx.accounts.disconnect(FIRST)

    assert "/clickmeter connect" in connecting.ask(FIRST, "stats")["text"]
    assert client._http._client.is_closed


async def test_a_trigger_slack_refuses_is_said_in_one_line(connecting: Connecting) -> None:
    install(connecting, FIRST)
    connecting.slack.slack.accept_unknown_triggers = False  # the command's trigger is not minted
    answer = connecting.ask(FIRST, "connect")
    assert "type `/clickmeter connect` again" in answer["text"]
    (call,) = connecting.slack.slack.calls_to("views.open")
    assert call.error == "invalid_trigger_id"


async def test_only_admins_may_connect_or_disconnect(connecting: Connecting) -> None:
    install(connecting, FIRST)
    connecting.connect(FIRST, SANDBOX_KEY)  # by Alice, a workspace admin
    opened = len(connecting.slack.slack.calls_to("views.open"))

    refused = connecting.ask(FIRST, "connect", user_id="U0BOB")  # a plain member
    assert refused["text"] == ":lock: Only workspace admins can connect a ClickMeter account."
    assert len(connecting.slack.slack.calls_to("views.open")) == opened  # no window for Bob
    refused = connecting.ask(FIRST, "disconnect", user_id="U0BOB")
    assert "can disconnect the ClickMeter account" in refused["text"]
    assert len(await stored(connecting)) == 1  # still connected
    assert "Disconnected" in connecting.ask(FIRST, "disconnect")["text"]  # Alice may
