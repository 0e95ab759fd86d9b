"""Distribution mode: `shorten` and `link pause` change the workspace's own ClickMeter account
(`Services.clickmeter_for`), never another workspace's, nor the deployment's."""

from __future__ import annotations

from clickmeter import ClickMeterClient, Datapoint
from tests.conftest import SANDBOX_KEY
from tests.connect.conftest import SECOND_KEY, Connecting
from tests.connect.test_connect import FIRST, SECOND, install


async def named(connecting: Connecting, key: str, name: str) -> list[Datapoint]:
    async with ClickMeterClient(
        key, base_url=connecting.sandbox.url, requests_per_second=None
    ) as client:
        return [d async for d in client.iter_datapoints(expand=True, text=name) if d.name == name]


async def test_each_workspace_makes_and_pauses_links_in_its_own_account(
    connecting: Connecting,
) -> None:
    install(connecting, FIRST, SECOND)
    connecting.connect(FIRST, SANDBOX_KEY)
    connecting.connect(SECOND, SECOND_KEY)

    answer = connecting.ask(SECOND, "shorten https://second.example.com/x name second-made")
    assert answer["text"].startswith("New tracking link second-made"), answer["text"]
    (made,) = await named(connecting, SECOND_KEY, "second-made")
    assert made.tracking_code is not None
    assert made.tracking_code in answer["text"]
    assert await named(connecting, SANDBOX_KEY, "second-made") == []

    paused = connecting.ask(SECOND, "link pause second-made")
    assert paused["text"].startswith(":double_vertical_bar: Paused *second-made*")
    (after,) = await named(connecting, SECOND_KEY, "second-made")
    assert after.status.name == "PAUSED"

    # The same name is free in the first workspace's account.
    first = connecting.ask(FIRST, "shorten https://first.example.com/x name second-made")
    assert first["text"].startswith("New tracking link second-made"), first["text"]
    (own,) = await named(connecting, SANDBOX_KEY, "second-made")
    assert own.id != made.id
