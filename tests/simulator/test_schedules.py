"""Schedules: CRUD, enable / disable / skip and switching all of them."""

from __future__ import annotations

import zoneinfo

import pytest

from moogo_sim import MoogoSimulator
from moogo_sim.timezones import (
    async_is_iana_zone,
    async_preload,
    loaded_zone,
    next_occurrence,
)
from tests.common import START_TIME, FakeClock

from .conftest import Api

HOUR = 3600
DAY = 86400


def _path(device_id: str, suffix: str = "") -> str:
    return f"/v1/devices/{device_id}/schedules{suffix}"


async def _schedules(api: Api, device_id: str) -> list[dict[str, object]]:
    reply = await api.get(_path(device_id))
    assert reply.code == 0
    return list(reply.data["items"])


async def test_create_list_update_delete(api: Api, device_ids: list[str]) -> None:
    await api.login()
    device = device_ids[0]

    created = await api.post(
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
        "skipNext": False,
    }
    assert await _schedules(api, device) == [schedule]

    updated = await api.put(
        _path(device, f"/{schedule['id']}"), json_body={"minute": 45}
    )
    assert updated.data == {**schedule, "minute": 45}
    assert (await _schedules(api, device))[0]["minute"] == 45

    deleted = await api.delete(_path(device, f"/{schedule['id']}"))
    assert deleted.code == 0
    assert await _schedules(api, device) == []
    again = await api.delete(_path(device, f"/{schedule['id']}"))
    assert (again.status, again.code) == (404, 404)


async def test_create_defaults_to_every_day_enabled(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.post(
        _path(device_ids[0]), json_body={"hour": 0, "minute": 0, "duration": 1}
    )

    assert reply.data["repeatSet"] == "0,1,2,3,4,5,6"
    assert reply.data["status"] == 1


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
        {"hour": 6, "minute": 0, "duration": 60, "repeatSet": "7"},
        {"hour": 6, "minute": 0, "duration": 60, "repeatSet": "1,,2"},
        {"hour": 6, "minute": 0, "duration": 60, "repeatSet": [1, 2]},
        {"hour": 6, "minute": 0, "duration": 60, "id": "S99"},
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


async def test_invalid_update_changes_nothing(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    schedule = moogo_simulator.add_schedule(
        device_ids[0], hour=7, minute=0, duration=30
    )

    reply = await api.put(
        _path(device_ids[0], f"/{schedule.schedule_id}"),
        json_body={"minute": 5, "hour": 99},
    )

    assert reply.status == 400
    assert (schedule.hour, schedule.minute) == (7, 0)


async def test_enable_and_disable(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    first = moogo_simulator.add_schedule(device_ids[0], hour=6, minute=0, duration=30)
    schedule = moogo_simulator.add_schedule(
        device_ids[0], hour=7, minute=0, duration=30, status=0
    )
    base = _path(device_ids[0], f"/{schedule.schedule_id}")

    enabled = await api.put(f"{base}/enable", json_body={})
    assert enabled.data["status"] == 1
    assert (await _schedules(api, device_ids[0]))[0]["status"] == 1
    disabled = await api.put(f"{base}/disable", json_body={})
    assert disabled.data["status"] == 0
    assert schedule.status == 0
    assert first.status == 1  # only the addressed schedule changed


async def test_switch_opens_and_closes_all(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    for hour in (6, 12, 18):
        moogo_simulator.add_schedule(
            device_ids[0], hour=hour, minute=0, duration=30, status=hour % 2
        )
    other = moogo_simulator.add_schedule(device_ids[1], hour=6, minute=0, duration=9)

    opened = await api.put(_path(device_ids[0], "/switch/open"), json_body={})
    assert [item["status"] for item in opened.data["items"]] == [1, 1, 1]
    closed = await api.put(_path(device_ids[0], "/switch/close"), json_body={})
    assert [item["status"] for item in closed.data["items"]] == [0, 0, 0]
    assert [item["status"] for item in await _schedules(api, device_ids[0])] == [
        0,
        0,
        0,
    ]
    assert other.status == 1  # other devices untouched


async def test_skip_marks_the_next_occurrence_until_it_passes(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    # START_TIME is Monday 05:00 in America/Los_Angeles (the device's zone).
    await clocked_api.login()
    schedule = clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60)

    reply = await clocked_api.put(
        _path(clocked_device, f"/{schedule.schedule_id}/skip")
    )
    assert reply.code == 0
    assert reply.data["skipNext"] is True

    clock.advance(HOUR - 1)
    assert (await _schedules(clocked_api, clocked_device))[0]["skipNext"] is True
    clock.advance(1)
    await clocked_api.login()  # the clocked simulator's tokens live one hour
    assert (await _schedules(clocked_api, clocked_device))[0]["skipNext"] is False


async def test_skip_honours_weekdays_and_the_device_zone(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    await clocked_api.login()
    sunday = clocked_sim.add_schedule(
        clocked_device, hour=6, minute=0, duration=60, repeat_set="0"
    )
    clocked_sim.device(clocked_device).time_zone = "Europe/Berlin"  # 14:00 there

    await clocked_api.put(_path(clocked_device, f"/{sunday.schedule_id}/skip"))

    # Next Sunday 06:00 in Berlin (UTC+2 in June) is 04:00 UTC.
    assert sunday.skip_until == START_TIME + 5 * DAY + 16 * HOUR


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
    assert await async_is_iana_zone("Asia/Tokyo")
    assert not await async_is_iana_zone("JST-9")


def test_next_occurrence_in_a_zone() -> None:
    zone = zoneinfo.ZoneInfo("America/Los_Angeles")

    assert next_occurrence(START_TIME, zone, 5, 0, "1") == START_TIME + 7 * DAY


async def test_skip_with_an_unknown_zone_falls_back_to_utc(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    await clocked_api.login()
    clocked_sim.device(clocked_device).time_zone = "Mars/Olympus_Mons"
    schedule = clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60)

    reply = await clocked_api.put(
        _path(clocked_device, f"/{schedule.schedule_id}/skip")
    )

    assert reply.data["skipNext"] is True
    assert schedule.skip_until == START_TIME + 18 * HOUR
