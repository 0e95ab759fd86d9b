"""Models parse the shapes the real service sends (README's recorded examples)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clickmeter import (
    AggregatedResult,
    AggregatedRows,
    AggregatedSummaryResult,
    ClickstreamPage,
    Conversion,
    ConversionSummaryData,
    Count,
    Datapoint,
    DatapointStatus,
    DatapointSummaryData,
    DatapointType,
    Entities,
    EntityUriList,
    Group,
    GroupSummaryData,
    HitListPage,
    Plan,
    RedirectType,
    Tag,
    Top,
    User,
)
from clickmeter._timezones import zone_from_windows

DENVER = ZoneInfo("America/Denver")
CTX = {"zone": DENVER}

SUMMARY = {
    "count": 7,
    "limit": 20,
    "result": [
        {
            "entityId": "2028366",
            "activityDay": "20150312140556",
            "totalClicks": 41,
            "uniqueClicks": 30,
            "entityData": {
                "datapointId": 2028366,
                "datapointName": "spring-sale",
                "datapointTitle": "Spring sale",
                "datapointType": "TrackingLink",
                "groupId": 189630,
                "groupName": "Campaign #1",
                "creationDate": "20150227121250",
                "destinationUrl": "https://example.com/sale",
                "tags": [{"id": 20518, "name": "email"}],
                "trackingCode": "http://s87.eu/spring-sale",
            },
        }
    ],
}


def test_datapoint_summary_in_recorded_shape() -> None:
    page = AggregatedSummaryResult.model_validate(SUMMARY, context=CTX)
    assert (page.count, page.limit, page.offset) == (7, 20, 0)
    item = page.result[0]
    assert item.entity_id == "2028366"
    assert (item.total_clicks, item.unique_clicks, item.total_views) == (41, 30, 0)
    assert item.activity_day == datetime(2015, 3, 12, 14, 5, 56, tzinfo=DENVER)
    data = item.entity_data
    assert isinstance(data, DatapointSummaryData)
    assert item.datapoint is data
    assert item.group is None
    assert item.numeric_entity_id == 2028366
    assert data.datapoint_id == 2028366
    assert data.datapoint_type == "TrackingLink"
    assert data.group_name == "Campaign #1"
    assert data.tags[0].id == 20518
    assert data.tags[0].name == "email"
    assert data.creation_date == datetime(2015, 2, 27, 12, 12, 50, tzinfo=DENVER)
    assert data.tracking_code == "http://s87.eu/spring-sale"


def test_group_and_conversion_summaries_are_told_apart() -> None:
    page = AggregatedSummaryResult.model_validate(
        {
            "count": 2,
            "result": [
                {
                    "entityId": "189630",
                    "entityData": {
                        "groupId": 189630,
                        "groupName": "Campaign #1",
                        "linksCount": 4,
                        "deleted": True,
                    },
                },
                {"entityId": "77", "entityData": {"id": 77, "name": "signup", "value": 2.5}},
            ],
        },
        context=CTX,
    )
    group, conversion = (item.entity_data for item in page.result)
    assert isinstance(group, GroupSummaryData)
    assert page.result[0].group is group
    assert page.result[1].conversion is conversion
    assert page.result[1].datapoint is None
    assert group.links_count == 4
    assert group.deleted
    assert group.tags == []
    assert isinstance(conversion, ConversionSummaryData)
    assert conversion.value == 2.5


def test_empty_aggregate_is_all_zero() -> None:
    result = AggregatedResult.model_validate({}, context=CTX)
    for name in ("total_clicks", "unique_clicks", "total_views", "unique_views",
                 "spider_hits_count", "converted_clicks", "unique_conversions"):  # fmt: skip
        assert getattr(result, name) == 0
    assert result.conversions_value == 0.0
    assert result.entity_id is None
    assert result.activity_day is None
    assert result.hourly_break_down == {}


def test_hourly_breakdown() -> None:
    result = AggregatedResult.model_validate(
        {"hourlyBreakDown": {"00": {"totalClicks": 14}, "13": {}, "note": "x", "05": 3}}
    )
    hours = result.hours()
    assert sorted(hours) == [0, 13]
    assert hours[0].total_clicks == 14
    assert hours[13].total_clicks == 0


def test_numeric_entity_id_becomes_string() -> None:
    assert AggregatedResult.model_validate({"entityId": 2027499}).entity_id == "2027499"


def test_never_date_is_none() -> None:
    result = AggregatedResult.model_validate(
        {"activityDay": "00010101000000", "lastHitDate": "00010101000000"}, context=CTX
    )
    assert result.activity_day is None
    assert result.last_hit_date is None


def test_list_rows_with_days() -> None:
    rows = AggregatedRows.model_validate(
        {"rows": [{"fromDay": "20261101", "toDay": "20261107", "totalClicks": 3}, {}]},
        context=CTX,
    ).rows
    assert rows[0].from_day == date(2026, 11, 1)
    assert rows[0].to_day == date(2026, 11, 7)
    assert rows[0].total_clicks == 3
    assert rows[1].total_clicks == 0
    spec_shape = AggregatedRows.model_validate({"entities": [{"totalClicks": 1}]})
    assert spec_shape.rows[0].total_clicks == 1


def test_me_in_mountain_time_gives_denver_aware_datetimes() -> None:
    body = {
        "email": "a@example.com",
        "firstName": "Ann",
        "registrationDate": "20150216140408",
        "timezone": 82,
        "timezonename": "Mountain Standard Time",
    }
    zone = zone_from_windows(body["timezonename"])
    assert zone.key == "America/Denver"
    user = User.model_validate(body, context={"zone": zone})
    assert user.first_name == "Ann"
    assert user.timezone == 82
    assert user.registration_date == datetime(2015, 2, 16, 14, 4, 8, tzinfo=zone)
    assert user.registration_date is not None
    assert user.registration_date.utcoffset() == timedelta(hours=-7)


def test_without_zone_times_stay_naive() -> None:
    user = User.model_validate({"registrationDate": "20150216140408"})
    assert user.registration_date == datetime(2015, 2, 16, 14, 4, 8)


def test_unknown_fields_are_kept_and_names_accepted() -> None:
    result = AggregatedResult.model_validate({"totalClicks": 1, "brandNewMetric": 9})
    assert result.model_extra == {"brandNewMetric": 9}
    assert AggregatedResult(total_clicks=5).total_clicks == 5


def test_datapoint_with_integer_enums() -> None:
    body: dict[str, Any] = {
        "id": 2027499,
        "name": "spring-sale",
        "type": 0,
        "status": 3,
        "groupId": 189630,
        "creationDate": "20150227121250",
        "typeTL": {"url": "https://example.com", "redirectType": 307, "domainId": 1},
        "tags": [{"id": 1, "name": "email"}],
    }
    point = Datapoint.model_validate(body, context=CTX)
    assert point.status is DatapointStatus.DELETED
    assert point.type is DatapointType.TRACKING_LINK
    assert point.type_tl is not None
    assert point.type_tl.redirect_type is RedirectType.TEMPORARY
    assert point.creation_date == datetime(2015, 2, 27, 12, 12, 50, tzinfo=DENVER)


@pytest.mark.parametrize(
    ("status", "kind", "redirect", "expected"),
    [
        ("Paused", "TrackingPixel", "PermanentRedirect", (1, 1, 301)),
        ("abuse", "trackinglink", "TemporaryRedirect", (2, 0, 307)),
        ("3", 1, "301", (3, 1, 301)),
    ],
)
def test_datapoint_accepts_spec_string_enums(
    status: Any, kind: Any, redirect: Any, expected: tuple[int, int, int]
) -> None:
    point = Datapoint.model_validate(
        {"status": status, "type": kind, "typeTL": {"redirectType": redirect}}
    )
    assert point.type_tl is not None
    assert (point.status, point.type, point.type_tl.redirect_type) == expected


def test_datapoint_defaults_when_omitted() -> None:
    point = Datapoint.model_validate({"id": 1})
    assert point.status is DatapointStatus.ACTIVE
    assert point.type is DatapointType.TRACKING_LINK
    assert point.tags == []
    assert point.type_tl is None


def test_hits_page_and_clickstream_rows() -> None:
    hit = {
        "id": "012691042@20170426212421792704001",
        "accessTime": "20170426212421",
        "isUnique": "1",
        "isSpider": "0",
        "isProxy": "0",
        "ip": "203.0.113.9",
        "browser": {"name": "Chrome", "familyName": "Chrome", "id": 3},
        "os": {"name": "Windows 10"},
        "location": {"country": "US", "city": "Denver", "latitude": 39.7},
        "source": {"id": 1, "name": "email", "param": "x"},
        "entity": {"datapointId": 12691042, "status": "Active", "isABTest": True},
        "conversions": [{"id": 5, "name": "signup", "value": 1.5, "date": "20170426213000"}],
        "somethingNew": True,
    }
    page = HitListPage.model_validate({"hits": [hit], "lastKey": "k1"}, context=CTX)
    assert page.last_key == "k1"
    parsed = page.hits[0]
    assert parsed.is_unique is True
    assert parsed.is_spider is False
    assert parsed.is_proxy is False
    assert parsed.access_time == datetime(2017, 4, 26, 21, 24, 21, tzinfo=DENVER)
    assert parsed.browser is not None
    assert parsed.browser.family_name == "Chrome"
    assert parsed.location is not None
    assert parsed.location.country == "US"
    assert parsed.entity is not None
    assert parsed.entity.is_ab_test
    assert parsed.entity.status is DatapointStatus.ACTIVE
    assert parsed.conversions[0].value == 1.5
    assert parsed.model_extra == {"somethingNew": True}
    assert HitListPage.model_validate({"hits": []}).last_key is None
    rows = ClickstreamPage.model_validate({"rows": [hit, {"isUnique": "0"}]}, context=CTX).rows
    assert rows[0].id == "012691042@20170426212421792704001"
    assert rows[1].is_unique is False


def test_top_report() -> None:
    top = Top.model_validate(
        {
            "key": "countries",
            "createdAt": "20261101000000",
            "data": [{"id": "US", "totalClicks": 10, "uniqueClicks": 7}, {"id": "IT"}],
        },
        context=CTX,
    )
    assert [item.id for item in top.data] == ["US", "IT"]
    assert top.data[1].total_clicks == 0
    assert top.created_at == datetime(2026, 11, 1, tzinfo=DENVER)


def test_entities_counts_groups_tags_conversions_plan() -> None:
    refs = EntityUriList.model_validate(
        {"entities": [{"id": 2027499, "uri": "/datapoints/2027499"}, {"id": 2027508}]}
    ).entities
    assert [r.id for r in refs] == [2027499, 2027508]
    assert Count.model_validate({"count": 8}).count == 8
    assert Count.model_validate({}).count == 0
    full = Entities[Group].model_validate({"entities": [{"id": 1, "name": "g", "deleted": True}]})
    assert full.entities[0].deleted
    tag = Tag.model_validate({"id": 3, "name": "email", "datapoints": [1, 2]})
    assert tag.datapoints == [1, 2]
    assert tag.groups == []
    conversion = Conversion.model_validate(
        {"id": 9, "value": 3.0, "creationDate": "20150101000000"}
    )
    assert conversion.deleted is False
    assert conversion.value == 3.0
    plan = Plan.model_validate({"name": "Pro", "monthlyEvents": 100000}, context=CTX)
    assert plan.monthly_events == 100000
    assert plan.used_monthly_events == 0
