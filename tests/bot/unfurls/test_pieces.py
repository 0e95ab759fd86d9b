"""The pure parts of unfurls: which pasted URL is which tracking link, and the More button."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bot.listeners.events.link_shared import UnfurlPacers
from bot.unfurls import host_of, read_more_value, same_link
from bot.unfurls.card import more_value


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://s87.eu/spring", "s87.eu"),
        ("http://S87.EU/spring?utm=x", "s87.eu"),
        ("s87.eu/spring", "s87.eu"),
        ("https://go.example.com:8443/x", "go.example.com"),
        ("", ""),
        ("http://[::1", ""),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("url", "code", "same"),
    [
        ("https://s87.eu/spring", "https://s87.eu/spring", True),
        ("http://S87.eu/spring/", "https://s87.eu/spring", True),
        ("https://s87.eu/spring?utm_source=slack", "https://s87.eu/spring", True),
        ("https://s87.eu/Spring", "https://s87.eu/spring", False),  # names are case-sensitive
        ("https://s87.eu/spring-2", "https://s87.eu/spring", False),
        ("https://9nl.eu/spring", "https://s87.eu/spring", False),
        ("https://s87.eu/spring", None, False),
        (
            "https://pxl.clickmeter.example/1",
            '<img src="https://pxl.clickmeter.example/1" />',
            False,
        ),
    ],
)
def test_same_link(url: str, code: str | None, same: bool) -> None:
    assert same_link(url, code) is same


def test_the_more_button_carries_a_link_id_and_nothing_else() -> None:
    assert read_more_value(more_value(2028577)) == 2028577
    for value in ("not json", "[]", '{"link_id": "1"}', '{"link_id": true}', '{"link_id": 0}'):
        assert read_more_value(value) is None
    assert read_more_value('{"link_id": 99999999999999999999}') is None


async def test_chat_unfurl_calls_are_kept_to_the_limit_per_workspace() -> None:
    pacers = UnfurlPacers(per_minute=2)
    await pacers.wait("T1")
    await pacers.wait("T1")  # two at once: under the limit, no wait
    await pacers.wait("T2")  # another workspace has its own window
    third = asyncio.create_task(pacers.wait("T1"))
    await asyncio.sleep(0.2)
    assert not third.done()  # the minute's two are used: it waits for the window to move
    third.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await third
