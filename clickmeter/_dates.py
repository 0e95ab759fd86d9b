"""ClickMeter's wire formats for times (`YmdHis`) and days (`YYYYMMDD`).

Both carry no offset: they are wall-clock values in the account's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

YMDHIS = "%Y%m%d%H%M%S"
YMD = "%Y%m%d"
#: .NET's DateTime.MinValue, which ClickMeter sends for "never" (e.g. `activityDay`).
NEVER = "00010101000000"


def parse_ymdhis(value: str, zone: tzinfo | None = None) -> datetime | None:
    """`"20150312140556"` -> an aware datetime in `zone` (naive if no zone); NEVER -> None.

    Accepts the 8-digit day form too, as some fields (`fromDay`) carry either.
    """
    text = value.strip()
    if not text or text.startswith("0001010"):
        return None
    fmt = YMD if len(text) == 8 else YMDHIS
    parsed = datetime.strptime(text, fmt)  # the account's wall clock
    return parsed.replace(tzinfo=zone) if zone is not None else parsed


def parse_ymd(value: str) -> date | None:
    """`"20261101"` (or a full `YmdHis`) -> the day; NEVER -> None."""
    parsed = parse_ymdhis(value)
    return parsed.date() if parsed is not None else None


def format_ymdhis(moment: datetime, zone: tzinfo | None = None) -> str:
    """A datetime as `YmdHis`, converted to `zone` first when it is aware and a zone is given."""
    if zone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.strftime(YMDHIS)


def format_ymd(day: date) -> str:
    return day.strftime(YMD)
