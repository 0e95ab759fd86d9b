"""Query parameters read the way the service reads them: names and enum values case-blind.

Anything malformed raises ApiError with the recorded 403 validation body, never a 500.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime

from clickmeter._dates import parse_ymd, parse_ymdhis
from clickmeter._timeframes import Timeframe
from devtools.sandbox.periods import DayRange, resolve
from devtools.sandbox.render import JSON, error_body, validation_body


class ApiError(Exception):
    def __init__(self, status: int, body: JSON, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def invalid(prop: str, message: str, code: str = "0001") -> ApiError:
    return ApiError(403, validation_body([(prop, message, code)]))


def not_found(what: str) -> ApiError:
    return ApiError(404, error_body(404, f"{what} not found"))


class Params:
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._values: dict[str, str] = {}
        for name, value in items:
            self._values.setdefault(name.lower(), value)

    def get(self, name: str) -> str | None:
        value = self._values.get(name.lower())
        return value if value not in (None, "") else None

    def enum(self, name: str, allowed: Collection[str], *, required: bool = False) -> str | None:
        value = self.get(name)
        if value is None:
            if required:
                raise invalid(name, f"The {name} parameter is required.", "0002")
            return None
        lowered = value.strip().lower()
        if lowered not in allowed:
            raise invalid(name, f"Invalid value '{value}' for {name}.", "0003")
        return lowered

    def integer(
        self, name: str, default: int | None = None, *, low: int | None = None
    ) -> int | None:
        value = self.get(name)
        if value is None:
            return default
        try:
            number = int(value.strip())
        except ValueError:
            raise invalid(name, f"The {name} parameter must be an integer.", "0004") from None
        if low is not None and number < low:
            raise invalid(name, f"The {name} parameter must be at least {low}.", "0005")
        return number

    def limit(self, default: int, maximum: int, name: str = "limit") -> int:
        value = self.integer(name, default, low=1)
        return min(value if value is not None else default, maximum)

    def offset(self) -> int:
        value = self.integer("offset", 0, low=0)
        return value or 0

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if value is None:
            return False
        lowered = value.strip().lower()
        if lowered not in ("true", "false", "1", "0"):
            raise invalid(name, f"The {name} parameter must be true or false.", "0006")
        return lowered in ("true", "1")

    def day(self, name: str) -> date | None:
        value = self.get(name)
        if value is None:
            return None
        text = value.strip()
        try:
            if len(text) not in (8, 14) or not text.isdigit():
                raise ValueError(text)
            parsed = parse_ymd(text)
        except ValueError:
            raise invalid(
                name, f"The {name} parameter must be a day as YYYYMMDD.", "0007"
            ) from None
        if parsed is None:
            raise invalid(name, f"The {name} parameter must be a real day.", "0007")
        return parsed

    def moment(self, name: str) -> datetime | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return parse_ymdhis(value)
        except ValueError:
            raise invalid(name, f"The {name} parameter must be a date as YmdHis.", "0007") from None

    def ids(self, name: str) -> list[str]:
        value = self.get(name)
        return [part.strip().lower() for part in value.split(",") if part.strip()] if value else []

    def period(self, today: date, created: date, refused: Collection[Timeframe] = ()) -> DayRange:
        """The day range of `timeframe` (any casing of the name), validated."""
        allowed = {t.value for t in Timeframe} - {t.value for t in refused}
        value = self.enum("timeframe", allowed, required=True)
        timeframe = Timeframe(str(value))
        from_day, to_day = self.day("fromDay"), self.day("toDay")
        if timeframe is Timeframe.CUSTOM:
            if from_day is None:
                raise invalid("fromDay", "fromDay is required with a custom timeframe.", "0002")
            if to_day is None:
                raise invalid("toDay", "toDay is required with a custom timeframe.", "0002")
        try:
            return resolve(timeframe, today, created, from_day, to_day)
        except ValueError as exc:
            raise invalid("fromDay", str(exc), "0008") from None
