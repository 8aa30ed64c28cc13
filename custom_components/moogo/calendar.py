"""A calendar of each Moogo device's scheduled mists.

The cloud knows weekly schedules only (a time, a duration, days of the
week), so the calendar shows each enabled schedule as a daily or weekly
recurring event and accepts exactly the events a schedule can express
(events.py says which). When its runs fall is schedule.py's to say, as for
the next-mist sensor.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEntityFeature,
    CalendarEvent,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import Schedule
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .data import MoogoDeviceData
from .entity import MoogoEntity, add_device_entities
from .events import (
    THIS_AND_FUTURE,
    recurrence_id,
    recurrence_rule,
    refuse,
    schedule_fields,
)
from .helpers import run_command
from .schedule import (
    Run,
    check_room_for_schedule,
    current_or_next_run,
    run_length,
    runs_between,
    schedule_runs,
    upcoming_run,
)
from .words import Words, async_load_words

# Edits go to one cloud account; one at a time keeps it gentle.
PARALLEL_UPDATES = 1


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
    words = await async_load_words(hass)
    add_device_entities(
        entry,
        async_add_entities,
        lambda coordinator, device_id, description: MoogoCalendarEntity(
            coordinator, device_id, description, words
        ),
        CALENDARS,
    )


class MoogoCalendarEntity(MoogoEntity, CalendarEntity):
    """The scheduled mists of a device; events map one to one onto schedules."""

    entity_description: MoogoCalendarEntityDescription
    _attr_supported_features = (
        CalendarEntityFeature.CREATE_EVENT
        | CalendarEntityFeature.UPDATE_EVENT
        | CalendarEntityFeature.DELETE_EVENT
    )

    def __init__(
        self,
        coordinator: MoogoCoordinator,
        device_id: str,
        description: MoogoCalendarEntityDescription,
        words: Words,
    ) -> None:
        """Show a device's schedules; runs are titled in ``words``' language."""
        super().__init__(coordinator, device_id, description)
        self._words = words

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
            # What happens and for how long; a title given in the app wins.
            summary=schedule.title
            or self._words.mist_title(int(run_length(schedule).total_seconds())),
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
            self._schedules(),
            dt_util.utcnow(),
            data.time_zone,
            held_until=data.paused_until,
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
        runs = runs_between(
            self._schedules(),
            start_date,
            end_date,
            dt_util.utcnow(),
            data.time_zone,
            held_until=data.paused_until,
        )
        return [self._event(run) for run in runs]

    def _schedule(self, uid: str) -> Schedule:
        for schedule in self._schedules():
            if schedule.schedule_id == uid:
                return schedule
        raise refuse(translation_key="unknown_schedule", schedule_id=uid)

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

    def _runs_to_name(self, schedule: Schedule, words: Words) -> dict[str, str]:
        """Name the runs a refusal offers instead, in the device's time."""
        first, upcoming = self._first_run(schedule), self._next_run(schedule)
        return {
            "first": words.run(first.start) if first else "-",
            "next": words.run(upcoming.start) if upcoming else "-",
        }

    @override
    async def async_create_event(self, **kwargs: Any) -> None:
        """Create a schedule from a daily or weekly recurring event."""
        fields = schedule_fields(
            kwargs,
            self.device_data.time_zone,
            creating=True,
            words=await async_load_words(self.hass),
        )
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
        words = await async_load_words(self.hass)
        if not self._whole_series(schedule, recurrence_id, recurrence_range):
            raise refuse(
                translation_key="calendar_single_run_edit",
                **self._runs_to_name(schedule, words),
            )
        fields = schedule_fields(
            event, self.device_data.time_zone, creating=False, words=words
        )
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
        words = await async_load_words(self.hass)
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
                raise refuse(
                    translation_key="next_run_already_skipped",
                    next=words.run(run.start),
                )
            command = client.skip_schedule(self.device_id, uid)
        else:
            raise refuse(
                translation_key="calendar_single_run_delete",
                **self._runs_to_name(schedule, words),
            )
        await self._async_edit(command)

    async def _async_edit(self, command: Coroutine[Any, Any, object]) -> None:
        """Send a schedule change, then re-read this device's schedules."""
        await run_command(self.coordinator, command, self.device_id)
        await self.coordinator.async_refresh_slow_data(self.device_id)
