"""When a device's schedules run: the one engine of the calendar, the sensor and the tracker.

The cloud says when a schedule runs next (``nextSprayingTime``) and whether
that run is skipped (``is_skip``); the weekly rule gives the runs after it,
and every run while the cloud's answer is older than the clock.

What a new or edited schedule may be (the app's durations, its 20 schedules a
device) is checked here too, for the actions and the calendar alike.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import chain, takewhile

from homeassistant.exceptions import ServiceValidationError

from .api import Schedule
from .const import (
    DOMAIN,
    MAX_SCHEDULES,
    MIST_DURATIONS,
    MIST_SECONDS_MAX,
    MIST_SECONDS_MIN,
    WEEKDAYS,
)

#: Every day of the week, in the API's numbers (0 = Sunday).
EVERY_DAY = tuple(range(7))
#: Seconds; no mist lasts a day.
_LONGEST_RUN = 86_400
#: Every enabled schedule runs within a week: its next run starts within 8 days.
_WEEK_AHEAD = timedelta(days=8)


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a schedule: a mist from ``start`` to ``end``."""

    schedule: Schedule
    start: datetime
    end: datetime


def weekday_names(days: Iterable[int]) -> list[str]:
    """Return the action fields' names (``sun`` .. ``sat``) of API weekday numbers.

    Numbers outside 0..6 (a garbled ``repeatSet``) are left out.
    """
    return [WEEKDAYS[day] for day in days if 0 <= day < len(WEEKDAYS)]


def api_weekday(day: date) -> int:
    """Weekday in the API's numbering: 0 = Sunday .. 6 = Saturday."""
    return (day.weekday() + 1) % 7


def weekly_starts(
    weekdays: tuple[int, ...],
    at: time,
    since: datetime,
    zone: tzinfo,
    *,
    after: datetime | None = None,
) -> Iterator[datetime]:
    """Yield starts on the given weekdays at ``at``, from the day of ``since`` on."""
    day = since.astimezone(zone).date()
    while True:
        start = datetime.combine(day, at, zone)
        if api_weekday(start) in weekdays and (after is None or start > after):
            yield start
        day += timedelta(days=1)


def run_length(schedule: Schedule) -> timedelta:
    """How long one run lasts: its duration, within a second and a day.

    A duration the cloud garbled (negative, or years) must not take the
    schedule's arithmetic, or the account's refresh, down with it.
    """
    return timedelta(seconds=min(max(schedule.duration or 0, 1), _LONGEST_RUN))


def schedule_runs(schedule: Schedule, now: datetime, zone: tzinfo) -> Iterator[Run]:
    """Yield a schedule's runs that end after ``now``, in order.

    A disabled schedule has none. A run under way comes first. The next run
    ahead is the cloud's ``nextSprayingTime`` while that lies ahead, unless it
    names the run the user skipped; otherwise the weekly rule's, less the
    skipped one. A schedule without weekdays runs once.
    """
    if (
        not schedule.enabled
        or schedule.hour is None
        or schedule.minute is None
        or not (0 <= schedule.hour <= 23 and 0 <= schedule.minute <= 59)
    ):
        return
    length = run_length(schedule)
    once = not schedule.repeat_days
    at = time(schedule.hour, schedule.minute)
    starts = (
        start
        for start in weekly_starts(
            schedule.repeat_days or EVERY_DAY, at, now - length, zone
        )
        if start + length > now
    )
    start = next(starts)
    if start <= now:
        yield Run(schedule, start, start + length)
        if once:
            return
        start = next(starts)
    skipped = None
    if schedule.skip_next:
        if once:
            return
        skipped, start = start, next(starts)
    upcoming: Iterator[datetime] = chain((start,), starts)
    cloud = schedule.next_run
    if cloud is not None and cloud > now and cloud not in (start, skipped):
        # The cloud knows the run its own rules give: it comes first.
        upcoming = chain((cloud,), (later for later in upcoming if later > cloud))
    for start in upcoming:
        yield Run(schedule, start, start + length)
        if once:
            return


def _held(run: Run, held_until: datetime | None) -> bool:
    """Tell whether a pause (the master switch off until ``held_until``) holds the run."""
    return held_until is not None and run.start < held_until


def upcoming_run(
    schedule: Schedule,
    now: datetime,
    zone: tzinfo,
    *,
    held_until: datetime | None = None,
) -> Run | None:
    """Return the schedule's next run that has not started at ``now``.

    Runs a pause holds (starting before ``held_until``) do not count.
    """
    return next(
        (
            run
            for run in schedule_runs(schedule, now, zone)
            if run.start > now and not _held(run, held_until)
        ),
        None,
    )


def next_run(
    schedules: Iterable[Schedule],
    now: datetime,
    zone: tzinfo,
    *,
    held_until: datetime | None = None,
) -> Run | None:
    """Return the earliest run that starts after ``now`` (and the pause's end)."""
    firsts = (
        upcoming_run(schedule, now, zone, held_until=held_until)
        for schedule in schedules
    )
    return min(
        (run for run in firsts if run is not None),
        key=lambda run: run.start,
        default=None,
    )


def runs_between(
    schedules: Iterable[Schedule],
    start: datetime,
    end: datetime,
    now: datetime,
    zone: tzinfo,
    *,
    held_until: datetime | None = None,
) -> list[Run]:
    """Return the runs that overlap ``start`` .. ``end``, in order.

    Past runs (over by ``now``) are not known: the cloud keeps no history.
    Runs a pause holds (starting before ``held_until``) are left out.
    """
    runs = [
        run
        for schedule in schedules
        for run in takewhile(
            lambda run: run.start < end, schedule_runs(schedule, now, zone)
        )
        if run.end > start and not _held(run, held_until)
    ]
    return sorted(runs, key=lambda run: (run.start, run.schedule.schedule_id or ""))


def current_or_next_run(
    schedules: Iterable[Schedule],
    now: datetime,
    zone: tzinfo,
    *,
    held_until: datetime | None = None,
) -> Run | None:
    """Return the run under way at ``now``, else the next one (after a pause)."""
    ahead = max(now, held_until or now) + _WEEK_AHEAD
    runs = runs_between(schedules, now, ahead, now, zone, held_until=held_until)
    return runs[0] if runs else None


def running_run(
    schedules: Iterable[Schedule], now: datetime, zone: tzinfo
) -> Run | None:
    """Return the run under way at ``now``, if a schedule's run is.

    A mist the device started by itself ends at a known time when a schedule
    started it.
    """
    for schedule in schedules:
        if not schedule.duration:
            continue
        first = next(schedule_runs(schedule, now, zone), None)
        if first is not None and first.start <= now:
            return first
    return None


def offered_duration(seconds: float, *, translation_key: str) -> int:
    """Return ``seconds`` as a whole number when the app offers it, else refuse it.

    ``translation_key`` words the refusal for where the duration came from.
    """
    if seconds not in MIST_DURATIONS:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders={
                "duration": f"{seconds:g}",
                "durations": ", ".join(str(offered) for offered in MIST_DURATIONS),
                "minimum": str(MIST_SECONDS_MIN),
                "maximum": str(MIST_SECONDS_MAX),
            },
        )
    return int(seconds)


def check_room_for_schedule(schedules: Collection[Schedule] | None) -> None:
    """Refuse a new schedule on a device that has as many as the app allows.

    Disabled schedules count: the app's limit is on the list. While the list
    is not known yet, the cloud decides.
    """
    if schedules is not None and len(schedules) >= MAX_SCHEDULES:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="too_many_schedules",
            translation_placeholders={"maximum": str(MAX_SCHEDULES)},
        )
