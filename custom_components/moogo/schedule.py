"""When the next scheduled mist happens, from a device's schedules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from .api import Schedule
from .const import WEEKDAYS

# A weekly schedule always fires within 7 days; one more day covers a skip.
_SEARCH_DAYS = 15


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One upcoming run of a schedule."""

    schedule: Schedule
    start: datetime


def weekday_names(days: Iterable[int]) -> list[str]:
    """Return the action fields' names (``sun`` .. ``sat``) of API weekday numbers.

    Numbers outside 0..6 (a garbled ``repeatSet``) are left out.
    """
    return [WEEKDAYS[day] for day in days if 0 <= day < len(WEEKDAYS)]


def _api_weekday(moment: datetime) -> int:
    """Weekday in the API's numbering: 0 = Sunday .. 6 = Saturday."""
    return (moment.weekday() + 1) % 7


def _occurrences(schedule: Schedule, now: datetime, zone: tzinfo) -> Iterator[datetime]:
    if schedule.hour is None or schedule.minute is None:
        return
    if not (0 <= schedule.hour <= 23 and 0 <= schedule.minute <= 59):
        return
    today = now.astimezone(zone).date()
    for offset in range(_SEARCH_DAYS):
        start = datetime.combine(
            today + timedelta(days=offset), time(schedule.hour, schedule.minute), zone
        )
        if start <= now:
            continue
        # An empty repeat set is a one-off run at the next matching time.
        if not schedule.repeat_days:
            yield start
            return
        if _api_weekday(start) in schedule.repeat_days:
            yield start


def next_occurrence(
    schedules: Iterable[Schedule], now: datetime, zone: tzinfo
) -> Occurrence | None:
    """Return the earliest upcoming run of the enabled schedules.

    A schedule marked to skip its next run contributes its run after that.
    """
    best: Occurrence | None = None
    for schedule in schedules:
        if not schedule.enabled:
            continue
        runs = _occurrences(schedule, now, zone)
        if schedule.skip_next:
            next(runs, None)
        start = next(runs, None)
        if start is not None and (best is None or start < best.start):
            best = Occurrence(schedule, start)
    return best


def running_occurrence(
    schedules: Iterable[Schedule], now: datetime, zone: tzinfo
) -> Occurrence | None:
    """Return the run of an enabled schedule that is under way at ``now``.

    A run starts at its hour and minute and lasts its duration, so a mist the
    device started by itself ends at a known time when a schedule started it.
    """
    for schedule in schedules:
        if not schedule.enabled or not schedule.duration:
            continue
        # A run under way started at most its duration ago: search from then.
        since = now - timedelta(seconds=schedule.duration)
        start = next(_occurrences(schedule, since, zone), None)
        if start is not None and start <= now:
            return Occurrence(schedule, start)
    return None
