"""A calendar of each Moogo device's scheduled mists.

The cloud knows weekly schedules only (a time, a duration, days of the
week), so the calendar shows each enabled schedule as a daily or weekly
recurring event and accepts exactly the events a schedule can express.
When its runs fall is schedule.py's to say, as for the next-mist sensor.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, override

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEntityFeature,
    CalendarEvent,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import Schedule
from .const import DOMAIN
from .coordinator import MoogoConfigEntry
from .data import MoogoDeviceData
from .entity import MoogoEntity, add_device_entities
from .helpers import run_command
from .schedule import (
    EVERY_DAY,
    Run,
    api_weekday,
    check_room_for_schedule,
    current_or_next_run,
    offered_duration,
    runs_between,
    schedule_runs,
    upcoming_run,
    weekly_starts,
)

# Edits go to one cloud account; one at a time keeps it gentle.
PARALLEL_UPDATES = 1

# iCalendar day names in the API's order (0 = Sunday).
ICAL_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
RECURRENCE_ID_FORMAT = "%Y%m%dT%H%M%S"
# How a refusal names a run: weekday and time, in the device's zone.
RUN_FORMAT = "%a %H:%M"
THIS_AND_FUTURE = "THISANDFUTURE"


@dataclass(frozen=True, kw_only=True)
class MoogoCalendarEntityDescription(CalendarEntityDescription):
    """Where a calendar finds its schedules."""

    schedules_fn: Callable[[MoogoDeviceData], tuple[Schedule, ...]]


CALENDARS: tuple[MoogoCalendarEntityDescription, ...] = (
    MoogoCalendarEntityDescription(
        key="schedule",
        translation_key="schedule",
        schedules_fn=lambda data: data.planned_schedules,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a calendar for every device, now and as devices appear."""
    add_device_entities(entry, async_add_entities, MoogoCalendarEntity, CALENDARS)


def recurrence_rule(days: tuple[int, ...]) -> str:
    """Return the iCalendar rule of a schedule's days (0 = Sunday).

    Every day reads as the calendar dialog's own "Daily".
    """
    if set(days) == set(EVERY_DAY):
        return "FREQ=DAILY"
    return "FREQ=WEEKLY;BYDAY=" + ",".join(ICAL_DAYS[day] for day in sorted(days))


def _refuse(*, translation_key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders=placeholders or None,
    )


def _repeat_in_words(rrule: str, frequency: str | None) -> str:
    """Say how an event repeats as the dialog's choices do, not as a raw rule."""
    words = {"YEARLY": "yearly", "MONTHLY": "monthly", "HOURLY": "hourly"}
    if frequency in words:
        return words[frequency]
    upper = rrule.upper()
    if "INTERVAL=" in upper:
        return "every few days or weeks"
    if "COUNT=" in upper or "UNTIL=" in upper:
        return "with an end"
    return rrule


def parse_rrule(rrule: str | None, first_day: date) -> tuple[int, ...]:
    """Return the weekdays (0 = Sunday) of a plain daily or weekly rule, else refuse it.

    The cloud repeats every week on some days, forever: an interval, an end
    (COUNT, UNTIL) or any other part has no counterpart. A weekly rule without
    days repeats on ``first_day``'s weekday.
    """
    if not rrule:
        raise _refuse(translation_key="calendar_recurrence_required")
    parts: dict[str, str] = {}
    for part in rrule.removeprefix("RRULE:").split(";"):
        name, _, value = part.partition("=")
        parts[name.strip().upper()] = value.strip().upper()
    frequency = parts.pop("FREQ", None)
    by_day = parts.pop("BYDAY", None)
    parts.pop("WKST", None)
    if (
        parts.pop("INTERVAL", "1") != "1"
        or frequency not in {"DAILY", "WEEKLY"}
        or parts
    ):
        raise _refuse(
            translation_key="calendar_recurrence_unsupported",
            repeat=_repeat_in_words(rrule, frequency),
        )
    if by_day is None:
        return EVERY_DAY if frequency == "DAILY" else (api_weekday(first_day),)
    names = [name for name in by_day.split(",") if name]
    if not names or any(name not in ICAL_DAYS for name in names):
        raise _refuse(
            translation_key="calendar_recurrence_unsupported",
            repeat=f"on {by_day}",
        )
    return tuple(sorted({ICAL_DAYS.index(name) for name in names}))


def _aware(moment: datetime | date) -> datetime:
    """Return an event's moment with its zone (Home Assistant's when it has none)."""
    if not isinstance(moment, datetime):
        # A date is an all-day event: no mist lasts a day.
        raise _refuse(translation_key="calendar_all_day")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt_util.get_default_time_zone())
    return moment


def _as_zone(moment: datetime | date, zone: tzinfo) -> datetime:
    return _aware(moment).astimezone(zone)


@dataclass(frozen=True, slots=True)
class ScheduleFields:
    """What a schedule needs, taken from a calendar event."""

    hour: int
    minute: int
    duration: int
    weekdays: tuple[int, ...]


def schedule_fields(
    event: dict[str, Any], zone: tzinfo, *, creating: bool
) -> ScheduleFields:
    """Translate an event into schedule fields, or refuse what the cloud lacks."""
    start = _as_zone(event["dtstart"], zone)
    end = _as_zone(event["dtend"], zone)
    # In UTC: wall clocks of one zone would miscount across a DST change.
    seconds = (dt_util.as_utc(end) - dt_util.as_utc(start)).total_seconds()
    # The event's length is the mist's; first, as the Add event dialog
    # proposes an hour.
    duration = offered_duration(
        seconds, translation_key="calendar_duration_out_of_range"
    )
    if end.date() != start.date() and end != datetime.combine(
        start.date() + timedelta(days=1), time(), zone
    ):
        raise _refuse(translation_key="calendar_spans_days")
    if start.second or start.microsecond:
        raise _refuse(translation_key="calendar_start_seconds")
    # The rule's days are the event's own (its start's zone, usually Home
    # Assistant's); the schedule's are the device's: a Tuesday evening in Los
    # Angeles is a Wednesday morning in Berlin.
    given = _aware(event["dtstart"])
    shift = (start.date() - given.date()).days
    weekdays = tuple(
        sorted(
            {(day + shift) % 7 for day in parse_rrule(event.get("rrule"), given.date())}
        )
    )
    fields = ScheduleFields(start.hour, start.minute, duration, weekdays)
    if creating:
        # A new schedule runs from its next matching time: a series that
        # begins later has no counterpart. (An edit may name any run.)
        now = dt_util.now(zone)
        first = next(weekly_starts(weekdays, start.time(), now, zone, after=now))
        if start.date() > first.date():
            raise _refuse(translation_key="calendar_starts_later")
    return fields


def recurrence_id(run: Run) -> str:
    """Return a run's instance id: its start in the device's local time."""
    return run.start.strftime(RECURRENCE_ID_FORMAT)


class MoogoCalendarEntity(MoogoEntity, CalendarEntity):
    """The scheduled mists of a device; events map one to one onto schedules."""

    entity_description: MoogoCalendarEntityDescription
    _attr_supported_features = (
        CalendarEntityFeature.CREATE_EVENT
        | CalendarEntityFeature.UPDATE_EVENT
        | CalendarEntityFeature.DELETE_EVENT
    )

    @override
    def _shown_besides_state(self) -> object:
        """Schedules, zone and pause decide every event the subscribers get."""
        return (
            self.entity_description.schedules_fn(self.device_data),
            self.device_data.time_zone,
            self.device_data.paused_until,
        )

    def _schedules(self) -> tuple[Schedule, ...]:
        return self.entity_description.schedules_fn(self.device_data)

    def _event(self, run: Run) -> CalendarEvent:
        schedule = run.schedule
        repeating = bool(schedule.repeat_days)
        return CalendarEvent(
            start=run.start,
            end=run.end,
            summary=schedule.title or str(self.name),
            uid=schedule.schedule_id,
            recurrence_id=recurrence_id(run) if repeating else None,
            rrule=recurrence_rule(schedule.repeat_days) if repeating else None,
        )

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """The mist running now or the next one (after a pause, while paused)."""
        data = self.device_data
        run = current_or_next_run(
            self._schedules(), data.runs_from(dt_util.utcnow()), data.time_zone
        )
        return self._event(run) if run else None

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Scheduled mists between two moments; past runs are not recorded.

        A pause holds the runs before its end.
        """
        data = self.device_data
        resume = data.paused_until
        runs = runs_between(
            self._schedules(), start_date, end_date, dt_util.utcnow(), data.time_zone
        )
        return [
            self._event(run) for run in runs if resume is None or run.start >= resume
        ]

    def _schedule(self, uid: str) -> Schedule:
        for schedule in self._schedules():
            if schedule.schedule_id == uid:
                return schedule
        raise _refuse(translation_key="unknown_schedule", schedule_id=uid)

    def _next_run(self, schedule: Schedule) -> Run | None:
        """Return the schedule's next run that has not started yet."""
        return upcoming_run(schedule, dt_util.utcnow(), self.device_data.time_zone)

    def _first_run(self, schedule: Schedule) -> Run | None:
        """Return the schedule's first run shown: the one under way, else the next."""
        return next(
            schedule_runs(schedule, dt_util.utcnow(), self.device_data.time_zone),
            None,
        )

    def _is_next_run(self, schedule: Schedule, instance: str) -> bool:
        """Whether ``instance`` is the schedule's next run (not yet started)."""
        first = self._next_run(schedule)
        return first is not None and recurrence_id(first) == instance

    def _whole_series(
        self, schedule: Schedule, instance: str | None, recurrence_range: str | None
    ) -> bool:
        """Whether an edit addresses every run of the schedule.

        "This and following" from the first run shown, under way or not, is
        the whole series, as past runs are not shown; a single instance is
        anything else.
        """
        if not instance:
            return True
        first = self._first_run(schedule)
        return (
            recurrence_range == THIS_AND_FUTURE
            and first is not None
            and recurrence_id(first) == instance
        )

    def _runs_to_name(self, schedule: Schedule) -> dict[str, str]:
        """Name the runs a refusal offers instead, in the device's time."""
        first, upcoming = self._first_run(schedule), self._next_run(schedule)
        return {
            "first": first.start.strftime(RUN_FORMAT) if first else "-",
            "next": upcoming.start.strftime(RUN_FORMAT) if upcoming else "-",
        }

    @override
    async def async_create_event(self, **kwargs: Any) -> None:
        """Create a schedule from a daily or weekly recurring event."""
        fields = schedule_fields(kwargs, self.device_data.time_zone, creating=True)
        check_room_for_schedule(self.device_data.schedules)
        await self._async_edit(
            self.coordinator.client.create_schedule(self.device_id, **asdict(fields))
        )

    @override
    async def async_update_event(
        self,
        uid: str,
        event: dict[str, Any],
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Change a schedule; one run alone cannot differ from its schedule."""
        schedule = self._schedule(uid)
        if not self._whole_series(schedule, recurrence_id, recurrence_range):
            raise _refuse(
                translation_key="calendar_single_run_edit",
                **self._runs_to_name(schedule),
            )
        fields = schedule_fields(event, self.device_data.time_zone, creating=False)
        await self._async_edit(
            self.coordinator.client.update_schedule(
                self.device_id, uid, **asdict(fields)
            )
        )

    @override
    async def async_delete_event(
        self,
        uid: str,
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Delete a schedule, or skip its next run (the one run the cloud can drop)."""
        schedule = self._schedule(uid)
        client = self.coordinator.client
        if self._whole_series(schedule, recurrence_id, recurrence_range):
            command = client.delete_schedule(self.device_id, uid)
        elif (
            recurrence_id
            and not recurrence_range
            and self._is_next_run(schedule, recurrence_id)
        ):
            if schedule.skip_next and (run := self._next_run(schedule)):
                # The cloud skips one run of a schedule at a time.
                raise _refuse(
                    translation_key="next_run_already_skipped",
                    next=run.start.strftime(RUN_FORMAT),
                )
            command = client.skip_schedule(self.device_id, uid)
        else:
            raise _refuse(
                translation_key="calendar_single_run_delete",
                **self._runs_to_name(schedule),
            )
        await self._async_edit(command)

    async def _async_edit(self, command: Coroutine[Any, Any, object]) -> None:
        """Send a schedule change, then re-read this device's schedules."""
        await run_command(self.coordinator, command, self.device_id)
        await self.coordinator.async_refresh_slow_data(self.device_id)
