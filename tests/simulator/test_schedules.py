"""Schedules: the app's fields, CRUD, enable / disable, skip and the master switch."""

from __future__ import annotations

from typing import Any
import zoneinfo

import pytest

from moogo_sim import MoogoSimulator
from moogo_sim.timezones import (
    async_is_iana_zone,
    async_preload,
    loaded_zone,
    next_occurrence,
    zone_for_setup,
)
from tests.common import START_TIME, FakeClock

from .conftest import Api

HOUR = 3600
DAY = 86400
# START_TIME is Monday 05:00 in America/Los_Angeles (UTC-7 in June).
START = int(START_TIME)
SCHEDULE_KEYS = {
    "id",
    "hour",
    "minute",
    "duration",
    "repeatSet",
    "status",
    "is_skip",
    "skipCount",
    "lastSkippedAt",
    "nextSprayingTime",
    "updatedAt",
}


def _path(device_id: str, suffix: str = "") -> str:
    return f"/v1/devices/{device_id}/schedules{suffix}"


async def _schedule_list(api: Api, device_id: str) -> dict[str, Any]:
    reply = await api.get(_path(device_id))
    assert reply.code == 0, reply.text
    return dict(reply.data)


async def _schedules(api: Api, device_id: str) -> list[dict[str, Any]]:
    return list((await _schedule_list(api, device_id))["items"])


async def test_create_list_update_delete(
    clocked_api: Api, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    device = clocked_device

    created = await clocked_api.post(
        _path(device),
        json_body={
            "hour": 6,
            "minute": 30,
            "duration": 45,
            "repeatSet": "1,2,3,4,5",
            "status": 0,
        },
    )
    assert created.code == 0
    schedule = created.data
    assert schedule == {
        "id": schedule["id"],
        "hour": 6,
        "minute": 30,
        "duration": 45,
        "repeatSet": "1,2,3,4,5",
        "status": 0,
        "is_skip": False,
        "skipCount": 0,
        "lastSkippedAt": None,
        "nextSprayingTime": None,  # disabled: it does not run
        "updatedAt": START,
    }
    assert await _schedules(clocked_api, device) == [schedule]

    clock.advance(10)
    updated = await clocked_api.put(
        _path(device, f"/{schedule['id']}"), json_body={"minute": 45, "status": 1}
    )
    assert updated.data == {
        **schedule,
        "minute": 45,
        "status": 1,
        "nextSprayingTime": START + HOUR + 45 * 60,  # today 06:45
        "updatedAt": START + 10,
    }
    assert (await _schedules(clocked_api, device))[0]["minute"] == 45

    deleted = await clocked_api.delete(_path(device, f"/{schedule['id']}"))
    assert deleted.code == 0
    assert await _schedules(clocked_api, device) == []
    again = await clocked_api.delete(_path(device, f"/{schedule['id']}"))
    assert (again.status, again.code) == (404, 404)


async def test_create_defaults_to_every_day_enabled(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.post(
        _path(device_ids[0]), json_body={"hour": 0, "minute": 0, "duration": 1}
    )

    assert set(reply.data) == SCHEDULE_KEYS
    assert reply.data["repeatSet"] == "0,1,2,3,4,5,6"
    assert reply.data["status"] == 1
    assert isinstance(reply.data["nextSprayingTime"], int)


async def test_create_from_the_apps_form_fields(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.post(
        _path(device_ids[0]),
        form={
            "hour": "7",
            "minute": "05",
            "duration": "60",
            "repeatSet": "1,3",
            "status": "0",
        },
    )

    assert reply.code == 0, reply.text
    assert (reply.data["hour"], reply.data["minute"], reply.data["status"]) == (
        7,
        5,
        0,
    )
    (schedule,) = moogo_simulator.device(device_ids[0]).schedules
    assert (schedule.hour, schedule.minute, schedule.duration) == (7, 5, 60)
    assert (schedule.repeat_set, schedule.status) == ("1,3", 0)


@pytest.mark.parametrize(
    "form",
    [
        {"hour": "seven", "minute": "0", "duration": "60"},
        {"hour": "7.5", "minute": "0", "duration": "60"},
        {"hour": "", "minute": "0", "duration": "60"},
        {"hour": "24", "minute": "0", "duration": "60"},
        {"hour": "7", "minute": "0"},
        {"hour": "7", "minute": "0", "duration": "60", "repeatSet": "8"},
        {"hour": "7", "minute": "0", "duration": "60", "title": "Dawn"},
    ],
)
async def test_invalid_form_schedules_answer_400(
    api: Api,
    moogo_simulator: MoogoSimulator,
    device_ids: list[str],
    form: dict[str, str],
) -> None:
    await api.login()

    reply = await api.post(_path(device_ids[0]), form=form)

    assert (reply.status, reply.code) == (400, 400)
    assert moogo_simulator.device(device_ids[0]).schedules == []


async def test_schedule_ids_are_per_device(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    schedule = moogo_simulator.add_schedule(
        device_ids[0], hour=7, minute=0, duration=30
    )

    reply = await api.put(_path(device_ids[1], f"/{schedule.schedule_id}/enable"))

    assert (reply.status, reply.code) == (404, 404)
    assert (await _schedules(api, device_ids[1])) == []


@pytest.mark.parametrize(
    "body",
    [
        {"minute": 0, "duration": 60},
        {"hour": 24, "minute": 0, "duration": 60},
        {"hour": -1, "minute": 0, "duration": 60},
        {"hour": 6, "minute": 60, "duration": 60},
        {"hour": 6, "minute": 0, "duration": 0},
        {"hour": 6, "minute": 0, "duration": 3601},
        {"hour": True, "minute": 0, "duration": 60},
        {"hour": "6", "minute": 0, "duration": 60},
        {"hour": 6, "minute": 0, "duration": 60, "status": 2},
        {"hour": 6, "minute": 0, "duration": 60, "status": "1"},
        {"hour": 6, "minute": 0, "duration": 60, "repeatSet": "7"},
        {"hour": 6, "minute": 0, "duration": 60, "repeatSet": "1,,2"},
        {"hour": 6, "minute": 0, "duration": 60, "repeatSet": "1\n"},
        {"hour": 6, "minute": 0, "duration": 60, "repeatSet": [1, 2]},
        {"hour": 6, "minute": 0, "duration": 60, "id": "S99"},
        {"hour": 6, "minute": 0, "duration": 60, "skipNext": True},
    ],
)
async def test_invalid_schedules_answer_400(
    api: Api, device_ids: list[str], body: dict[str, object]
) -> None:
    await api.login()

    reply = await api.post(_path(device_ids[0]), json_body=body)

    assert (reply.status, reply.code) == (400, 400)
    assert await _schedules(api, device_ids[0]) == []


async def test_update_changes_only_the_given_fields(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    schedule = moogo_simulator.add_schedule(
        device_ids[0], hour=7, minute=15, duration=30
    )

    reply = await api.put(
        _path(device_ids[0], f"/{schedule.schedule_id}"),
        json_body={"hour": 8, "repeatSet": ""},
    )

    assert reply.code == 0
    assert (reply.data["hour"], reply.data["minute"], reply.data["repeatSet"]) == (
        8,
        15,
        "",
    )
    assert reply.data["duration"] == 30


@pytest.mark.parametrize(
    ("kwargs", "headers"),
    [
        ({"json_body": {"minute": 5, "hour": 99}}, None),
        ({"form": {"minute": "5"}}, None),  # the app edits with JSON only
        ({"raw": ""}, None),
        ({"raw": "minute=5"}, {"Content-Type": "text/plain"}),
    ],
)
async def test_invalid_update_changes_nothing(
    api: Api,
    moogo_simulator: MoogoSimulator,
    device_ids: list[str],
    kwargs: dict[str, Any],
    headers: dict[str, str] | None,
) -> None:
    await api.login()
    schedule = moogo_simulator.add_schedule(
        device_ids[0], hour=7, minute=0, duration=30
    )

    reply = await api.put(
        _path(device_ids[0], f"/{schedule.schedule_id}"), headers=headers, **kwargs
    )

    assert (reply.status, reply.code) == (400, 400)
    assert (schedule.hour, schedule.minute) == (7, 0)


async def test_enable_and_disable(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    first = clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=30)
    schedule = clocked_sim.add_schedule(
        clocked_device, hour=7, minute=0, duration=30, status=0
    )
    base = _path(clocked_device, f"/{schedule.schedule_id}")

    clock.advance(60)
    enabled = await clocked_api.put(f"{base}/enable")  # no body, as the app
    assert enabled.data["status"] == 1
    assert enabled.data["nextSprayingTime"] == START + 2 * HOUR
    assert enabled.data["updatedAt"] == START + 60
    assert (await _schedules(clocked_api, clocked_device))[1]["status"] == 1
    disabled = await clocked_api.put(f"{base}/disable", json_body={})  # pymoogo
    assert disabled.data["status"] == 0
    assert disabled.data["nextSprayingTime"] is None
    assert schedule.status == 0
    assert first.status == 1  # only the addressed schedule changed


@pytest.mark.parametrize("action", ["enable", "disable", "skip"])
@pytest.mark.parametrize(
    ("kwargs", "headers"),
    [
        ({"json_body": {"status": 1}}, None),
        ({"form": {"status": "1"}}, None),
        ({"raw": "[]"}, None),
        ({"raw": "{}"}, {"Content-Type": "text/plain"}),
    ],
)
async def test_schedule_actions_take_no_body_or_an_empty_object_only(
    api: Api,
    moogo_simulator: MoogoSimulator,
    device_ids: list[str],
    action: str,
    kwargs: dict[str, Any],
    headers: dict[str, str] | None,
) -> None:
    await api.login()
    schedule = moogo_simulator.add_schedule(
        device_ids[0], hour=7, minute=0, duration=30, status=0
    )

    reply = await api.put(
        _path(device_ids[0], f"/{schedule.schedule_id}/{action}"),
        headers=headers,
        **kwargs,
    )

    assert (reply.status, reply.code) == (400, 400)
    assert (schedule.status, schedule.skip_count) == (0, 0)


async def test_the_master_switch_is_separate_from_each_schedules_status(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    for hour in (6, 13, 18):
        moogo_simulator.add_schedule(
            device_ids[0], hour=hour, minute=0, duration=30, status=hour % 2
        )
    other = moogo_simulator.add_schedule(device_ids[1], hour=6, minute=0, duration=9)

    closed = await api.put(_path(device_ids[0], "/switch/close"))
    listed = await _schedule_list(api, device_ids[0])
    stored = moogo_simulator.device(device_ids[0]).schedule_switch_status
    opened = await api.put(_path(device_ids[0], "/switch/open"), json_body={})

    assert closed.data["scheduleSwitchStatus"] == 0
    assert listed["scheduleSwitchStatus"] == 0
    assert [item["status"] for item in listed["items"]] == [0, 1, 0]
    assert [item["nextSprayingTime"] for item in listed["items"]] == [None] * 3
    assert stored == 0
    assert (await _schedule_list(api, device_ids[1]))["scheduleSwitchStatus"] == 1
    assert other.status == 1
    assert opened.data["scheduleSwitchStatus"] == 1
    assert [item["status"] for item in opened.data["items"]] == [0, 1, 0]
    assert opened.data["items"][1]["nextSprayingTime"] is not None


async def test_only_enabled_schedules_under_an_open_master_switch_run(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    moogo_simulator.add_schedule(device_ids[0], hour=6, minute=0, duration=30)
    moogo_simulator.add_schedule(device_ids[0], hour=7, minute=0, duration=30, status=0)

    master_on = await _schedules(api, device_ids[0])
    moogo_simulator.set_schedule_switch(device_ids[0], on=False)
    master_off = await _schedules(api, device_ids[0])
    moogo_simulator.set_schedule_switch(device_ids[0], on=True)

    assert [item["nextSprayingTime"] is None for item in master_on] == [False, True]
    assert [item["nextSprayingTime"] for item in master_off] == [None, None]
    assert moogo_simulator.device(device_ids[0]).schedule_switch_status == 1


async def test_switch_bodies_are_checked(api: Api, device_ids: list[str]) -> None:
    await api.login()

    reply = await api.put(
        _path(device_ids[0], "/switch/close"), json_body={"status": 0}
    )

    assert (reply.status, reply.code) == (400, 400)
    assert (await _schedule_list(api, device_ids[0]))["scheduleSwitchStatus"] == 1


async def test_next_spraying_time_is_computed_in_the_device_zone(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    await clocked_api.login()
    clocked_sim.add_schedule(
        clocked_device, hour=6, minute=0, duration=60, repeat_set="0"
    )
    clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60)

    in_los_angeles = await _schedules(clocked_api, clocked_device)
    clocked_sim.device(clocked_device).time_zone = "Europe/Berlin"  # 14:00 there
    in_berlin = await _schedules(clocked_api, clocked_device)

    # Sunday 06:00 in Los Angeles is 13:00 UTC; today 06:00 there is in an hour.
    assert [item["nextSprayingTime"] for item in in_los_angeles] == [
        START + 6 * DAY + HOUR,
        START + HOUR,
    ]
    # Sunday 06:00 in Berlin (UTC+2 in June) is 04:00 UTC; daily: tomorrow.
    assert [item["nextSprayingTime"] for item in in_berlin] == [
        START + 5 * DAY + 16 * HOUR,
        START + 16 * HOUR,
    ]


async def test_skip_marks_the_next_run_until_it_passes(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    schedule = clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60)

    clock.advance(60)
    reply = await clocked_api.put(
        _path(clocked_device, f"/{schedule.schedule_id}/skip")
    )
    assert reply.code == 0
    assert {key: reply.data[key] for key in SCHEDULE_KEYS - {"id"}} == {
        "hour": 6,
        "minute": 0,
        "duration": 60,
        "repeatSet": "0,1,2,3,4,5,6",
        "status": 1,
        "is_skip": True,
        "skipCount": 1,
        "lastSkippedAt": START + 60,
        "nextSprayingTime": START + HOUR + DAY,  # the run after the skipped one
        "updatedAt": START + 60,
    }

    clock.advance(HOUR - 61)
    (before,) = await _schedules(clocked_api, clocked_device)
    clock.advance(1)  # 06:00: the skipped run's start passes
    await clocked_api.login()  # the clocked simulator's tokens live one hour
    (after,) = await _schedules(clocked_api, clocked_device)

    assert (before["is_skip"], before["nextSprayingTime"]) == (True, START + HOUR + DAY)
    assert (after["is_skip"], after["nextSprayingTime"]) == (False, START + HOUR + DAY)
    assert (after["skipCount"], after["lastSkippedAt"]) == (1, START + 60)


async def test_skipping_again_counts_but_skips_one_run(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    schedule = clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60)
    path = _path(clocked_device, f"/{schedule.schedule_id}/skip")

    await clocked_api.put(path)
    clock.advance(30)
    again = await clocked_api.put(path, json_body={})

    assert again.data["skipCount"] == 2
    assert again.data["lastSkippedAt"] == START + 30
    assert again.data["nextSprayingTime"] == START + HOUR + DAY


async def test_a_skip_under_a_closed_master_switch_shows_no_next_run(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    await clocked_api.login()
    schedule = clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60)
    clocked_sim.skip_schedule(clocked_device, schedule.schedule_id)
    clocked_sim.set_schedule_switch(clocked_device, on=False)

    (item,) = await _schedules(clocked_api, clocked_device)

    assert (item["is_skip"], item["nextSprayingTime"]) == (True, None)


async def test_skip_honours_weekdays_and_the_device_zone(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    await clocked_api.login()
    sunday = clocked_sim.add_schedule(
        clocked_device, hour=6, minute=0, duration=60, repeat_set="0"
    )
    clocked_sim.device(clocked_device).time_zone = "Europe/Berlin"  # 14:00 there

    reply = await clocked_api.put(_path(clocked_device, f"/{sunday.schedule_id}/skip"))

    # The skipped run: next Sunday 06:00 in Berlin, 04:00 UTC; then a week on.
    assert reply.data["nextSprayingTime"] == START + 12 * DAY + 16 * HOUR
    zone = loaded_zone("Europe/Berlin")
    assert sunday.is_skip(START_TIME + 5 * DAY + 16 * HOUR - 1, zone)
    assert not sunday.is_skip(START_TIME + 5 * DAY + 16 * HOUR, zone)


async def test_a_one_off_runs_at_the_next_matching_time_and_a_skip_cancels_it(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    await clocked_api.login()
    once = clocked_sim.add_schedule(
        clocked_device, hour=4, minute=30, duration=60, repeat_set=""
    )

    (planned,) = await _schedules(clocked_api, clocked_device)
    skipped = await clocked_api.put(_path(clocked_device, f"/{once.schedule_id}/skip"))

    # 04:30 passed today (05:00): tomorrow 04:30 in Los Angeles.
    assert planned["nextSprayingTime"] == START + DAY - 30 * 60
    assert (skipped.data["is_skip"], skipped.data["nextSprayingTime"]) == (True, None)


async def test_ms_timestamps_fault_sends_schedule_times_in_milliseconds(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    await clocked_api.login()
    schedule = clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60)
    clocked_sim.skip_schedule(clocked_device, schedule.schedule_id)
    clocked_sim.faults.ms_timestamps = True

    (item,) = await _schedules(clocked_api, clocked_device)
    clocked_sim.faults.paths = ["/configs"]  # the schedule list is no longer selected
    (in_seconds,) = await _schedules(clocked_api, clocked_device)

    assert (item["lastSkippedAt"], item["updatedAt"]) == (START * 1000, START * 1000)
    assert item["nextSprayingTime"] == (START + HOUR + DAY) * 1000
    assert in_seconds["nextSprayingTime"] == START + HOUR + DAY


async def test_an_unknown_zone_counts_as_utc(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    await clocked_api.login()
    clocked_sim.device(clocked_device).time_zone = "Mars/Olympus_Mons"
    schedule = clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60)

    reply = await clocked_api.put(
        _path(clocked_device, f"/{schedule.schedule_id}/skip")
    )

    # 12:00 UTC now: the skipped run is tomorrow 06:00 UTC, the next the day after.
    assert reply.data["is_skip"] is True
    assert reply.data["nextSprayingTime"] == START + 18 * HOUR + DAY


def test_skip_and_switch_of_unknown_things_raise_key_error() -> None:
    sim = MoogoSimulator()
    sim.add_account("a@example.com", "pw")
    device = sim.add_device("a@example.com")

    with pytest.raises(KeyError, match="no schedule S9"):
        sim.skip_schedule(device.device_id, "S9")
    with pytest.raises(KeyError):
        sim.set_schedule_switch("MGNONE", on=False)


def test_next_occurrence_without_a_zone_uses_utc() -> None:
    assert next_occurrence(START_TIME, None, 6, 0, "") == START_TIME + 18 * HOUR
    assert next_occurrence(START_TIME, None, 12, 1, "1") == START_TIME + 60
    # Weekday numbers validation would reject fall back to a week ahead.
    assert next_occurrence(START_TIME, None, 6, 0, "9") == START_TIME + 7 * DAY


async def test_zones_load_once() -> None:
    await async_preload(["Asia/Tokyo"])
    zone = loaded_zone("Asia/Tokyo")
    await async_preload(["Asia/Tokyo"])

    assert zone is not None
    assert loaded_zone("Asia/Tokyo") is zone
    assert zone_for_setup("Asia/Tokyo") is zone
    assert await async_is_iana_zone("Asia/Tokyo")
    assert not await async_is_iana_zone("JST-9")


def test_setup_zones_load_without_the_database() -> None:
    assert str(zone_for_setup("Pacific/Chatham")) == "Pacific/Chatham"
    assert str(zone_for_setup("Not/AZone")) == "UTC"
    assert str(zone_for_setup("../../etc/passwd")) == "UTC"


def test_next_occurrence_in_a_zone() -> None:
    zone = zoneinfo.ZoneInfo("America/Los_Angeles")

    assert next_occurrence(START_TIME, zone, 5, 0, "1") == START_TIME + 7 * DAY
