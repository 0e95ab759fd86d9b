"""The poller's hot path: every summary page read for clicks and tags only, a few at a time."""

from __future__ import annotations

import pytest

from clickmeter import BadResponseError, ClickCount, ServerError
from tests.client.conftest import FakeApi, MakeClient, Reply

DATAPOINTS = "/aggregated/summary/datapoints"


def _pages(total: int) -> list[Reply]:
    return [
        Reply(
            {
                "count": total,
                "result": [
                    {"entityId": str(i), "totalClicks": i, "entityData": {"datapointId": i}}
                    for i in range(offset, min(offset + 100, total))
                ],
            }
        )
        for offset in range(0, total, 100)
    ]


async def test_every_page_is_read_once_and_paged_like_clickmeter(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply(DATAPOINTS, *_pages(350))
    pages = [page async for page in make_client().datapoint_clicks("today")]
    assert len(pages) == 4  # one per request
    assert sorted(row.total_clicks for page in pages for row in page) == list(range(350))
    assert sorted(row.entity_id or 0 for page in pages for row in page) == list(range(350))
    seen = fake_api.seen(DATAPOINTS)
    assert {(s.params["timeFrame"], s.params["type"], s.params["limit"]) for s in seen} == {
        ("today", "tl", "100")
    }
    assert sorted(int(s.params.get("offset", 0)) for s in seen) == [0, 100, 200, 300]
    assert "offset" not in seen[0].params  # ClickMeter leaves a zero offset out


async def test_omitted_counters_are_zero_and_tags_are_names_in_lower_case(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    row = {"entityId": "7", "entityData": {"tags": [{"name": " Email "}, {"name": "email"}]}}
    fake_api.json("/aggregated/summary/groups", {"count": 2, "result": [row, {}]})
    (page,) = [page async for page in make_client().group_clicks("today")]
    assert page == [
        ClickCount(entity_id=7, entity_data={"tags": [{"name": " Email "}, {"name": "email"}]}),
        ClickCount(),
    ]
    assert (page[0].total_clicks, page[0].tags, page[1].tags) == (
        0,
        frozenset({"email"}),
        frozenset(),
    )


@pytest.mark.parametrize(
    "body",
    [
        {"count": 1, "result": [{"entityId": "7", "totalClicks": "12"}]},
        {"count": 1, "result": [{"entityId": "7", "totalClicks": 1.5}]},
        {"count": 1, "result": "none"},
        [],
    ],
)
async def test_a_page_of_another_shape_is_a_bad_response(
    fake_api: FakeApi, make_client: MakeClient, body: object
) -> None:
    fake_api.json(DATAPOINTS, body)
    with pytest.raises(BadResponseError, match="unexpected shape"):
        await anext(make_client().datapoint_clicks("today"))


async def test_a_body_that_is_not_json_is_a_bad_response(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply(DATAPOINTS, Reply(text="<html>maintenance</html>"))
    with pytest.raises(BadResponseError, match="not JSON"):
        await anext(make_client().datapoint_clicks("today"))


async def test_a_later_page_failing_fails_the_read(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    first, *_ = _pages(300)
    fake_api.reply(DATAPOINTS, first, Reply({}, 500))
    client = make_client(max_attempts=1)
    with pytest.raises(ServerError):
        [page async for page in client.datapoint_clicks("today")]
