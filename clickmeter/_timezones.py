"""Account time zones: ClickMeter names them the Windows way, we compute with IANA zones."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import tz_win, win_tz


class UnknownTimezoneError(ValueError):
    """A Windows time-zone name that CLDR's windowsZones mapping does not know."""


@cache
def zone_from_windows(name: str) -> ZoneInfo:
    """The IANA zone for a Windows zone name such as "W. Europe Standard Time".

    Uses CLDR's windowsZones table as shipped (and kept current) by `tzlocal`.
    An IANA name is accepted as-is, since some accounts and tests already carry one.
    """
    iana = win_tz.get(name.strip())
    if iana is None:
        try:
            return ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise UnknownTimezoneError(
                f"Unknown time zone {name!r}: expected a Windows name such as "
                "'W. Europe Standard Time' or an IANA name such as 'Europe/Berlin'"
            ) from None
    return ZoneInfo(iana)


def windows_name_for(zone: ZoneInfo | str) -> str:
    """The Windows name of an IANA zone (the reverse mapping), for the sandbox's `/me`."""
    key = zone.key if isinstance(zone, ZoneInfo) else zone
    name = tz_win.get(key)
    if name is None:
        raise UnknownTimezoneError(f"No Windows time-zone name for {key!r}")
    return name
