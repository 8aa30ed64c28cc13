"""How calendar events and Moogo schedules translate into each other.

The cloud knows weekly schedules only: the calendar accepts exactly the
events a schedule can express (a daily or weekly rule without an end, on
whole minutes, as long as one of the app's durations) and refuses the rest
in words.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .schedule import EVERY_DAY, Run, api_weekday, offered_duration, weekly_starts
from .words import ENGLISH, Words

# iCalendar day names in the API's order (0 = Sunday).
ICAL_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
RECURRENCE_ID_FORMAT = "%Y%m%dT%H%M%S"
THIS_AND_FUTURE = "THISANDFUTURE"


def recurrence_rule(days: tuple[int, ...]) -> str:
    """Return the iCalendar rule of a schedule's days (0 = Sunday).

    Every day reads as the calendar dialog's own "Daily".
    """
    if set(days) == set(EVERY_DAY):
        return "FREQ=DAILY"
    return "FREQ=WEEKLY;BYDAY=" + ",".join(ICAL_DAYS[day] for day in sorted(days))


def refuse(*, translation_key: str, **placeholders: str) -> ServiceValidationError:
    """Return the translated refusal of an event (or an edit) a schedule cannot be."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders=placeholders or None,
    )


_FREQUENCY_KINDS = {"YEARLY": "yearly", "MONTHLY": "monthly", "HOURLY": "hourly"}


def _repeat_kind(
    frequency: str | None, *, every_few: bool, rest: Collection[str]
) -> str | None:
    """Say how an event repeats as the dialog's choices do (a ``calendar_repeat`` key).

    None where the dialog has no word for it: the raw rule names it then.
    """
    if frequency in _FREQUENCY_KINDS:
        return _FREQUENCY_KINDS[frequency]
    if every_few:
        return "interval"
    if {"COUNT", "UNTIL"} & set(rest):
        return "end"
    return None


def parse_rrule(
    rrule: str | None, first_day: date, words: Words = ENGLISH
) -> tuple[int, ...]:
    """Return the weekdays (0 = Sunday) of a plain daily or weekly rule, else refuse it.

    The cloud repeats every week on some days, forever: an interval, an end
    (COUNT, UNTIL) or any other part has no counterpart. A weekly rule without
    days repeats on ``first_day``'s weekday. A refusal says how the event
    repeats in ``words``' language.
    """
    if not rrule:
        raise refuse(translation_key="calendar_recurrence_required")
    parts: dict[str, str] = {}
    for part in rrule.removeprefix("RRULE:").split(";"):
        name, _, value = part.partition("=")
        parts[name.strip().upper()] = value.strip().upper()
    frequency = parts.pop("FREQ", None)
    by_day = parts.pop("BYDAY", None)
    parts.pop("WKST", None)
    every_few = parts.pop("INTERVAL", "1") != "1"
    if every_few or frequency not in {"DAILY", "WEEKLY"} or parts:
        kind = _repeat_kind(frequency, every_few=every_few, rest=parts)
        raise refuse(
            translation_key="calendar_recurrence_unsupported",
            repeat=words.repeats[kind] if kind else rrule,
        )
    if by_day is None:
        return EVERY_DAY if frequency == "DAILY" else (api_weekday(first_day),)
    names = [name for name in by_day.split(",") if name]
    if not names or any(name not in ICAL_DAYS for name in names):
        raise refuse(
            translation_key="calendar_recurrence_unsupported",
            repeat=f"BYDAY={by_day}",
        )
    return tuple(sorted({ICAL_DAYS.index(name) for name in names}))


def _aware(moment: datetime | date) -> datetime:
    """Return an event's moment with its zone (Home Assistant's when it has none)."""
    if not isinstance(moment, datetime):
        # A date is an all-day event: no mist lasts a day.
        raise refuse(translation_key="calendar_all_day")
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
    event: dict[str, Any], zone: tzinfo, *, creating: bool, words: Words = ENGLISH
) -> ScheduleFields:
    """Translate an event into schedule fields, or refuse what the cloud lacks.

    Refusals are worded with ``words``.
    """
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
        raise refuse(translation_key="calendar_spans_days")
    if start.second or start.microsecond:
        raise refuse(translation_key="calendar_start_seconds")
    # The rule's days are the event's own (its start's zone, usually Home
    # Assistant's); the schedule's are the device's: a Tuesday evening in Los
    # Angeles is a Wednesday morning in Berlin.
    given = _aware(event["dtstart"])
    shift = (start.date() - given.date()).days
    weekdays = tuple(
        sorted(
            {
                (day + shift) % 7
                for day in parse_rrule(event.get("rrule"), given.date(), words)
            }
        )
    )
    fields = ScheduleFields(start.hour, start.minute, duration, weekdays)
    if creating:
        # A new schedule runs from its next matching time: a series that
        # begins later has no counterpart. (An edit may name any run.)
        now = dt_util.now(zone)
        first = next(weekly_starts(weekdays, start.time(), now, zone, after=now))
        if start.date() > first.date():
            raise refuse(translation_key="calendar_starts_later")
    return fields


def recurrence_id(run: Run) -> str:
    """Return a run's instance id: its start in the device's local time."""
    return run.start.strftime(RECURRENCE_ID_FORMAT)
