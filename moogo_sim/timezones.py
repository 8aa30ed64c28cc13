"""IANA time zones: validation of ``timeZone`` and schedule arithmetic.

Reading the tz database is file I/O. Home Assistant's test harness (and any
well-behaved asyncio program) forbids blocking I/O in the event loop, so the
database is read in a worker thread the first time an async caller needs it,
and loaded zones are kept here for the synchronous code to use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
import zoneinfo


class _ZoneDatabase:
    """The names of the IANA zones and the zones loaded so far."""

    def __init__(self) -> None:
        self.names: frozenset[str] | None = None
        self.zones: dict[str, zoneinfo.ZoneInfo] = {}

    def load(self, keys: Iterable[str]) -> None:
        """Read the zone list and the given zones (blocking; run in a thread)."""
        if self.names is None:
            self.names = frozenset(zoneinfo.available_timezones())
        for key in keys:
            if key in self.names and key not in self.zones:
                self.zones[key] = zoneinfo.ZoneInfo(key)


_DATABASE = _ZoneDatabase()


async def async_preload(keys: Iterable[str]) -> None:
    """Load the zone list and ``keys`` off the event loop (once per key)."""
    wanted = [key for key in keys if key not in _DATABASE.zones]
    if _DATABASE.names is None or wanted:
        await asyncio.to_thread(_DATABASE.load, wanted)


async def async_is_iana_zone(key: str) -> bool:
    """Tell whether ``key`` names an IANA zone (POSIX TZ strings do not)."""
    await async_preload([key])
    return key in _DATABASE.zones


def loaded_zone(key: str) -> zoneinfo.ZoneInfo | None:
    """Return the zone if it was loaded already, without touching the disk."""
    return _DATABASE.zones.get(key)


def zone_for_setup(key: str) -> tzinfo:
    """Return a zone for synchronous set-up code (the demo), UTC if unknown.

    Reads one small file when the zone is not loaded yet; request handlers
    use :func:`async_preload` instead.
    """
    zone = loaded_zone(key)
    if zone is not None:
        return zone
    try:
        return zoneinfo.ZoneInfo(key)
    except ValueError, zoneinfo.ZoneInfoNotFoundError:
        return UTC


def local_midnight(day: date, zone: tzinfo | None) -> float:
    """Return the Unix time ``day`` starts at in ``zone`` (UTC when None)."""
    local_zone = zone if zone is not None else UTC
    return datetime.combine(day, time(), tzinfo=local_zone).timestamp()


def next_occurrence(
    now: float,
    zone: tzinfo | None,
    hour: int,
    minute: int,
    repeat_set: str,
) -> float:
    """Return the Unix time of the next run of a schedule after ``now``.

    ``repeat_set`` lists weekdays with 0 = Sunday; an empty set means the
    schedule runs once, at the next matching time of any day. A zone that is
    not loaded counts as UTC.
    """
    days = {int(part) for part in repeat_set.split(",") if part.strip()}
    local_zone: tzinfo = zone if zone is not None else UTC
    local_now = datetime.fromtimestamp(now, tz=local_zone)
    for offset in range(8):
        day = local_now.date() + timedelta(days=offset)
        # isoweekday(): Monday 1 .. Sunday 7, so % 7 gives Sunday 0.
        if days and day.isoweekday() % 7 not in days:
            continue
        candidate = datetime(
            day.year, day.month, day.day, hour, minute, tzinfo=local_zone
        )
        if candidate > local_now:
            return candidate.timestamp()
    # Only weekday numbers outside 0-6 (which validation rejects, but a test may
    # poke in directly) get here; a week ahead keeps the caller simple.
    return now + 7 * 86400
