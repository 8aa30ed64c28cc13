"""The next scheduled mist, computed from schedules in the device's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from custom_components.moogo.api import Schedule
from custom_components.moogo.schedule import next_occurrence

LA = ZoneInfo("America/Los_Angeles")
# Wednesday 2026-07-01, 11:00 in Los Angeles.
NOW = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)


def _schedule(
    hour: int | None, minute: int | None, days: tuple[int, ...], **kwargs: object
) -> Schedule:
    return Schedule(
        schedule_id=kwargs.pop("schedule_id", "s"),  # type: ignore[arg-type]
        hour=hour,
        minute=minute,
        duration=60,
        repeat_days=days,
        enabled=kwargs.pop("enabled", True),  # type: ignore[arg-type]
        skip_next=kwargs.pop("skip_next", None),  # type: ignore[arg-type]
    )


def test_earliest_enabled_schedule_wins() -> None:
    evening = _schedule(19, 0, (0, 1, 2, 3, 4, 5, 6), schedule_id="evening")
    morning = _schedule(7, 30, (1, 2, 3, 4, 5), schedule_id="morning")
    result = next_occurrence([morning, evening], NOW, LA)
    assert result is not None
    assert result.schedule.schedule_id == "evening"
    assert result.start == datetime(2026, 7, 1, 19, 0, tzinfo=LA)


def test_weekday_numbering_starts_on_sunday() -> None:
    saturday_only = _schedule(9, 0, (6,))
    result = next_occurrence([saturday_only], NOW, LA)
    assert result is not None
    assert result.start == datetime(2026, 7, 4, 9, 0, tzinfo=LA)
    assert result.start.weekday() == 5  # Python: Saturday


def test_skip_moves_to_the_following_run() -> None:
    daily = _schedule(19, 0, (0, 1, 2, 3, 4, 5, 6), skip_next=True)
    result = next_occurrence([daily], NOW, LA)
    assert result is not None
    assert result.start == datetime(2026, 7, 2, 19, 0, tzinfo=LA)


def test_disabled_invalid_and_empty() -> None:
    assert next_occurrence([], NOW, LA) is None
    assert next_occurrence([_schedule(19, 0, (3,), enabled=False)], NOW, LA) is None
    assert next_occurrence([_schedule(None, 0, (3,))], NOW, LA) is None
    assert next_occurrence([_schedule(25, 0, (3,))], NOW, LA) is None
    assert next_occurrence([_schedule(10, 61, (3,))], NOW, LA) is None


def test_empty_repeat_set_is_a_one_off() -> None:
    once = _schedule(10, 0, ())
    result = next_occurrence([once], NOW, LA)
    assert result is not None
    assert result.start == datetime(2026, 7, 2, 10, 0, tzinfo=LA)
    skipped_once = _schedule(10, 0, (), skip_next=True)
    assert next_occurrence([skipped_once], NOW, LA) is None


def test_time_zone_changes_the_answer() -> None:
    noon_daily = _schedule(12, 0, (0, 1, 2, 3, 4, 5, 6))
    in_la = next_occurrence([noon_daily], NOW, LA)
    in_utc = next_occurrence([noon_daily], NOW, UTC)
    assert in_la is not None
    assert in_utc is not None
    assert in_la.start == datetime(2026, 7, 1, 19, 0, tzinfo=UTC)
    assert in_utc.start == datetime(2026, 7, 2, 12, 0, tzinfo=UTC)
