"""When schedules run: the cloud's next run, the weekly rule, skips, the master switch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory

from custom_components.moogo.api import Device, DeviceConfig, Schedule
from custom_components.moogo.data import MoogoDeviceData
from custom_components.moogo.schedule import (
    current_or_next_run,
    next_run,
    running_run,
    runs_between,
    schedule_runs,
)

LA = ZoneInfo("America/Los_Angeles")
# Wednesday 2026-07-01, 11:00 in Los Angeles.
NOW = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)
DAILY = (0, 1, 2, 3, 4, 5, 6)
WED_19 = datetime(2026, 7, 1, 19, 0, tzinfo=LA)
THU_19 = datetime(2026, 7, 2, 19, 0, tzinfo=LA)
FRI_19 = datetime(2026, 7, 3, 19, 0, tzinfo=LA)


def _schedule(
    hour: int | None, minute: int | None, days: tuple[int, ...], **kwargs: Any
) -> Schedule:
    return Schedule(
        schedule_id=kwargs.pop("schedule_id", "s"),
        hour=hour,
        minute=minute,
        duration=kwargs.pop("duration", 60),
        repeat_days=days,
        enabled=kwargs.pop("enabled", True),
        **kwargs,
    )


def _start(schedules: list[Schedule], now: datetime = NOW) -> datetime | None:
    run = next_run(schedules, now, LA)
    return run.start if run else None


def test_earliest_enabled_schedule_wins() -> None:
    evening = _schedule(19, 0, DAILY, schedule_id="evening")
    morning = _schedule(7, 30, (1, 2, 3, 4, 5), schedule_id="morning")
    result = next_run([morning, evening], NOW, LA)
    assert result is not None
    assert result.schedule.schedule_id == "evening"
    assert result.start == WED_19
    assert result.end == WED_19 + timedelta(seconds=60)


def test_weekday_numbering_starts_on_sunday() -> None:
    start = _start([_schedule(9, 0, (6,))])
    assert start == datetime(2026, 7, 4, 9, 0, tzinfo=LA)
    assert start.weekday() == 5  # Python: Saturday


def test_skip_moves_to_the_following_run() -> None:
    assert _start([_schedule(19, 0, DAILY, skip_next=True)]) == THU_19


def test_disabled_invalid_and_empty() -> None:
    assert next_run([], NOW, LA) is None
    assert _start([_schedule(19, 0, (3,), enabled=False)]) is None
    assert _start([_schedule(None, 0, (3,))]) is None
    assert _start([_schedule(25, 0, (3,))]) is None
    assert _start([_schedule(10, 61, (3,))]) is None


def test_empty_repeat_set_is_a_one_off() -> None:
    once = _schedule(10, 0, ())
    assert _start([once]) == datetime(2026, 7, 2, 10, 0, tzinfo=LA)
    assert len(list(islice(schedule_runs(once, NOW, LA), 5))) == 1
    assert _start([_schedule(10, 0, (), skip_next=True)]) is None


def test_time_zone_changes_the_answer() -> None:
    noon_daily = _schedule(12, 0, DAILY)
    in_la = next_run([noon_daily], NOW, LA)
    in_utc = next_run([noon_daily], NOW, UTC)
    assert in_la is not None
    assert in_utc is not None
    assert in_la.start == datetime(2026, 7, 1, 19, 0, tzinfo=UTC)
    assert in_utc.start == datetime(2026, 7, 2, 12, 0, tzinfo=UTC)


def test_the_clouds_next_run_comes_first() -> None:
    """The cloud's nextSprayingTime wins over the rule; the rule's runs follow it."""
    cloud_says_friday = _schedule(19, 0, DAILY, next_run=FRI_19)
    runs = [run.start for run in islice(schedule_runs(cloud_says_friday, NOW, LA), 2)]
    assert runs == [FRI_19, datetime(2026, 7, 4, 19, 0, tzinfo=LA)]


def test_a_skip_holds_whether_or_not_the_cloud_honours_it() -> None:
    """is_skip with nextSprayingTime naming the skipped run or the one after."""
    naming_the_skipped_run = _schedule(19, 0, DAILY, skip_next=True, next_run=WED_19)
    naming_the_next = _schedule(19, 0, DAILY, skip_next=True, next_run=THU_19)
    assert _start([naming_the_skipped_run]) == THU_19
    assert _start([naming_the_next]) == THU_19


def test_a_passed_cloud_time_gives_way_to_the_rule() -> None:
    """Schedules are read every 30 min: once the cloud's time passed, the rule counts."""
    read_yesterday = _schedule(
        19, 0, DAILY, next_run=datetime(2026, 6, 30, 19, 0, tzinfo=LA)
    )
    assert _start([read_yesterday]) == WED_19
    assert _start([read_yesterday], WED_19 + timedelta(minutes=5)) == THU_19


def test_a_run_under_way_is_found_and_ends_by_its_duration() -> None:
    evening = _schedule(19, 0, DAILY, duration=90, skip_next=True)
    during = WED_19 + timedelta(seconds=30)
    run = running_run([evening], during, LA)
    assert run is not None
    assert (run.start, run.end) == (WED_19, WED_19 + timedelta(seconds=90))
    # The skip is for the run ahead, not the one under way.
    assert _start([evening], during) == FRI_19
    assert running_run([evening], NOW, LA) is None
    assert running_run([_schedule(19, 0, DAILY, duration=0)], during, LA) is None


def test_the_calendars_event_and_the_next_mist_are_one_fact() -> None:
    """Between runs both name the next run; during one the calendar shows it."""
    evening = _schedule(19, 0, DAILY, schedule_id="evening", duration=90)
    morning = _schedule(7, 30, (1, 2, 3, 4, 5), schedule_id="morning")
    schedules = [morning, evening]
    between = current_or_next_run(schedules, NOW, LA)
    assert between == next_run(schedules, NOW, LA)
    assert between is not None
    assert between.start == WED_19

    during = WED_19 + timedelta(seconds=30)
    running = current_or_next_run(schedules, during, LA)
    assert running == running_run(schedules, during, LA)
    assert running is not None
    assert running.start == WED_19
    following = next_run(schedules, during, LA)
    assert following is not None
    assert following.start == datetime(2026, 7, 2, 7, 30, tzinfo=LA)
    # The calendar's window: the runs that overlap it, in order of start.
    window = runs_between(schedules, during, THU_19, during, LA)
    assert [(run.schedule.schedule_id, run.start) for run in window] == [
        ("evening", WED_19),
        ("morning", datetime(2026, 7, 2, 7, 30, tzinfo=LA)),
    ]
    assert (
        current_or_next_run([_schedule(19, 0, DAILY, enabled=False)], NOW, LA) is None
    )


def _device_data(
    schedules: tuple[Schedule, ...] | None, master: bool | None
) -> MoogoDeviceData:
    return MoogoDeviceData(
        device=Device(device_id="MG1"),
        schedules=schedules,
        schedule_switch=master,
        config=DeviceConfig(time_zone="America/Los_Angeles"),
        zone=LA,
    )


def test_the_master_switch_decides_whether_schedules_run(
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to(NOW)
    evening = _schedule(19, 0, DAILY)
    off = _schedule(19, 0, DAILY, enabled=False)
    master_off = _device_data((evening,), master=False)
    assert master_off.schedules_on is False
    assert master_off.next_mist() is None
    assert master_off.active_schedules == ()
    master_on = _device_data((off,), master=True)
    assert master_on.schedules_on is True
    assert master_on.next_mist() is None
    # A cloud that leaves the switch out: any enabled schedule means on.
    assert _device_data((evening,), master=None).schedules_on is True
    assert _device_data((off,), master=None).schedules_on is False
    assert _device_data(None, master=None).schedules_on is None
    unsaid = _device_data((evening,), master=None).next_mist()
    assert unsaid is not None
    assert unsaid.start == WED_19
