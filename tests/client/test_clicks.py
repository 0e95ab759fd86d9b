"""The poller's hot path: every summary page read for clicks and tags only, a few at a time."""

from __future__ import annotations

import pytest

from clickmeter import BadResponseError, ClickCount, ClickMeterClient, ServerError
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


def _apart(fake_api: FakeApi, make_client: MakeClient, name: str) -> tuple[ClickMeterClient, str]:
    """A client whose paths start with `/name`: requests still in flight when a read fails
    (cancelled, but perhaps already sent) land there, not in a later test's script."""
    return make_client(base_url=f"{fake_api.url}/{name}"), f"/{name}{DATAPOINTS}"


def _rows(ids: range, clicks: int = 1) -> list[dict[str, object]]:
    return [{"entityId": str(i), "totalClicks": clicks} for i in ids]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"count": "many", "result": []}, "count"),
        ({"count": "12", "result": []}, "count"),
        ({"count": -1, "result": []}, "count"),
        ({"count": 1, "result": [{"entityId": "7", "totalClicks": -3}]}, "totalClicks"),
        ({"count": 1, "result": [{"entityId": "-7", "totalClicks": 3}]}, "entityId"),
    ],
)
async def test_a_count_that_is_not_a_whole_non_negative_number_is_a_bad_response(
    fake_api: FakeApi, make_client: MakeClient, body: object, where: str
) -> None:
    fake_api.json(DATAPOINTS, body)
    with pytest.raises(BadResponseError, match=f"{where}.*unexpected shape|unexpected.*{where}"):
        await anext(make_client().datapoint_clicks("today"))


async def test_an_inflated_count_fails_at_the_first_short_page_not_after_a_thousand(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    # 200 real rows, but every page says 100,000: the pages past the end come back empty.
    client, path = _apart(fake_api, make_client, "inflated")
    real = [Reply({"count": 100_000, "result": _rows(range(o, o + 100))}) for o in (0, 100)]
    fake_api.reply(path, *real, Reply({"count": 100_000, "result": []}))
    with pytest.raises(BadResponseError, match=r"sent 0 rows at offset .* implies 100"):
        [page async for page in client.datapoint_clicks("today")]
    assert len(fake_api.seen(path)) <= 2 + 4  # the good pages and one round in flight


async def test_a_service_ignoring_offset_is_refused_not_summed_once_per_page(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    client, path = _apart(fake_api, make_client, "no-offset")
    fake_api.json(path, {"count": 100_000, "result": _rows(range(100), 5)})
    pages: list[list[ClickCount]] = []

    async def read() -> None:
        async for page in client.datapoint_clicks("today"):
            pages.append(page)

    with pytest.raises(BadResponseError, match="already sent"):
        await read()
    assert sum(row.total_clicks for page in pages for row in page) == 500  # the first page only
    assert len(fake_api.seen(path)) <= 1 + 4


async def test_a_row_repeated_on_a_later_page_is_handed_over_once(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    # Row 99 comes again at the top of the second page (as when the order shifts mid-read).
    fake_api.reply(
        DATAPOINTS,
        Reply({"count": 150, "result": _rows(range(100))}),
        Reply({"count": 150, "result": _rows(range(99, 149))}),
    )
    rows = [row async for page in make_client().datapoint_clicks("today") for row in page]
    assert sorted(row.entity_id or 0 for row in rows) == list(range(149))


@pytest.mark.parametrize(
    ("pages", "error"),
    [
        ([{"count": 150, "result": _rows(range(90))}], "sent 90 rows at offset 0 .* implies 100"),
        (
            [
                {"count": 150, "result": _rows(range(100))},
                {"count": 150, "result": _rows(range(100, 130))},
            ],
            "sent 30 rows at offset 100 .* implies 50",
        ),
        ([{"count": 300, "result": _rows(range(101))}], "101 rows at offset 0, more than 100"),
        ([{"count": 2, "result": _rows(range(3))}], "3 rows at offset 0, more than 100|implies 2"),
        (
            [
                {"count": 150, "result": _rows(range(100))},
                {"count": 151, "result": _rows(range(100, 151))},
            ],
            "changed its count from 150 to 151",
        ),
        ([{"count": 10**6, "result": _rows(range(100))}], "more than the 100000 a read may"),
    ],
)
async def test_a_short_long_or_inconsistent_page_fails_the_whole_read(
    fake_api: FakeApi, make_client: MakeClient, pages: list[object], error: str
) -> None:
    fake_api.reply(DATAPOINTS, *(Reply(page) for page in pages))
    with pytest.raises(BadResponseError, match=error):
        [page async for page in make_client().datapoint_clicks("today")]


async def test_the_summary_iterators_refuse_repeated_pages_too(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.json("/aggregated/summary/groups", {"count": 100_000, "result": _rows(range(100))})
    with pytest.raises(BadResponseError, match="already sent"):
        [item async for item in make_client().iter_groups_summary("today")]
    assert len(fake_api.seen("/aggregated/summary/groups")) == 2
