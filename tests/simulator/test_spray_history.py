"""The spray history (``GET .../logs``): one record per mist, by dates and pages."""

from __future__ import annotations

import pytest

from moogo_sim import MoogoSimulator
from tests.common import START_TIME, FakeClock

from .conftest import Api

HOUR = 3600
# START_TIME is Monday 2026-06-01 05:00 in America/Los_Angeles.
START = int(START_TIME)
MAY_31_LAST_SECOND = START - 5 * HOUR - 1
JUNE_1_MIDNIGHT = START - 5 * HOUR
JUNE_1_LAST_SECOND = START + 19 * HOUR - 1
JUNE_2_MIDNIGHT = START + 19 * HOUR


def _history(device_id: str) -> str:
    return f"/v1/devices/{device_id}/logs"


async def _ended(api: Api, device_id: str, **params: str) -> list[int]:
    """Return the end times of the mists the history answers, newest first."""
    reply = await api.get(_history(device_id), params=params)
    assert reply.code == 0, reply.text
    assert reply.data["total"] == len(reply.data["items"])
    return [item["createdAt"] for item in reply.data["items"]]


async def test_each_mist_that_ends_leaves_one_record(
    clocked_api: Api, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    base = f"/v1/devices/{clocked_device}"
    await clocked_api.post(f"{base}/start")
    clock.advance(3 + 60)  # reaction delay, then the 60 s mist ends by itself
    await clocked_api.post(f"{base}/start")
    clock.advance(3 + 20)
    await clocked_api.post(f"{base}/stop")  # cut short after 23 s
    clock.advance(3)
    await clocked_api.post(f"{base}/start")
    await clocked_api.post(f"{base}/stop")  # stopped before the pump started
    clock.advance(5)
    await clocked_api.post(f"{base}/start")  # still spraying: no record yet
    clock.advance(10)

    reply = await clocked_api.get(_history(clocked_device))

    assert reply.code == 0
    assert reply.data == {
        "items": [
            {"id": 2, "createdAt": START + 63 + 26, "seconds": 23},
            {"id": 1, "createdAt": START + 63, "seconds": 60},
        ],
        "total": 2,
    }


async def test_a_self_test_mists_for_three_minutes(
    clocked_api: Api, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()

    reply = await clocked_api.post(
        f"/v1/devices/{clocked_device}/start", form={"mode": "self-test"}
    )
    clock.advance(3 + 180)

    assert reply.code == 0
    (record,) = (await clocked_api.get(_history(clocked_device))).data["items"]
    assert (record["createdAt"], record["seconds"]) == (START + 183, 180)


@pytest.fixture
def midnight_records(clocked_sim: MoogoSimulator, clocked_device: str) -> None:
    """Mists that ended just before and at the Los Angeles midnights around now."""
    for ended_at in (
        MAY_31_LAST_SECOND,
        JUNE_1_MIDNIGHT,
        JUNE_1_LAST_SECOND,
        JUNE_2_MIDNIGHT,
    ):
        clocked_sim.add_spray_record(clocked_device, ended_at, 60)


@pytest.mark.usefixtures("midnight_records")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            [JUNE_2_MIDNIGHT, JUNE_1_LAST_SECOND, JUNE_1_MIDNIGHT, MAY_31_LAST_SECOND],
        ),
        (
            {"startDate": "2026-06-01", "endDate": "2026-06-01"},
            [JUNE_1_LAST_SECOND, JUNE_1_MIDNIGHT],
        ),
        (
            {"startDate": "2026-06-01"},
            [JUNE_2_MIDNIGHT, JUNE_1_LAST_SECOND, JUNE_1_MIDNIGHT],
        ),
        ({"endDate": "2026-05-31"}, [MAY_31_LAST_SECOND]),
        ({"startDate": "2026-06-03", "endDate": "2026-06-09"}, []),
    ],
)
async def test_dates_bound_whole_days_in_the_device_zone(
    clocked_api: Api, clocked_device: str, params: dict[str, str], expected: list[int]
) -> None:
    await clocked_api.login()

    assert await _ended(clocked_api, clocked_device, **params) == expected


@pytest.mark.usefixtures("midnight_records")
async def test_days_follow_the_device_zone(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    clocked_sim.device(clocked_device).time_zone = "Europe/Berlin"
    await clocked_api.login()

    # 2026-06-01 in Berlin is 2026-05-31 15:00 to 2026-06-01 15:00 in Los Angeles.
    ended = await _ended(
        clocked_api, clocked_device, startDate="2026-06-01", endDate="2026-06-01"
    )

    assert ended == [JUNE_1_MIDNIGHT, MAY_31_LAST_SECOND]


@pytest.mark.parametrize(
    "params",
    [
        {"startDate": "2026-6-1"},
        {"startDate": "20260601"},
        {"endDate": "2026-02-30"},
        {"endDate": "yesterday"},
        {"endDate": ""},
        {"startDate": "2026-06-01T00:00"},
        {"startDate": "2026-06-02", "endDate": "2026-06-01"},
    ],
)
async def test_bad_dates_answer_400(
    api: Api, device_ids: list[str], params: dict[str, str]
) -> None:
    await api.login()

    reply = await api.get(_history(device_ids[0]), params=params)

    assert (reply.status, reply.code, reply.data) == (400, 400, None)


async def test_the_history_pages_newest_first(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    for number in range(25):
        moogo_simulator.add_spray_record(device_ids[0], START + number, 45 + number)
    await api.login()
    path = _history(device_ids[0])

    first = (await api.get(path, params={"page": "1", "pageSize": "10"})).data
    third = (await api.get(path, params={"page": "3", "pageSize": "10"})).data
    beyond = (await api.get(path, params={"page": "4", "pageSize": "10"})).data
    default = (await api.get(path)).data

    assert first["total"] == third["total"] == beyond["total"] == 25
    assert [item["createdAt"] for item in first["items"]] == [
        START + number for number in range(24, 14, -1)
    ]
    assert first["items"][0] == {"id": 25, "createdAt": START + 24, "seconds": 69}
    assert [item["seconds"] for item in third["items"]] == [49, 48, 47, 46, 45]
    assert beyond["items"] == []
    assert default["items"] == first["items"]


async def test_ms_timestamps_fault_sends_created_at_in_milliseconds(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.add_spray_record(device_ids[0], START + 0.5, 60)
    moogo_simulator.faults.update({"ms_timestamps": True, "paths": ["/logs"]})
    await api.login()

    (item,) = (await api.get(_history(device_ids[0]))).data["items"]
    detail = (await api.get(f"/v1/devices/{device_ids[0]}")).data

    assert item["createdAt"] == START * 1000 + 500
    assert detail["latestSprayingEnd"] == START  # not selected by the path filter


async def test_the_internal_event_log_is_not_served(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.set_online(device_ids[0], False)
    await api.login()

    reply = await api.get(_history(device_ids[0]))

    assert moogo_simulator.device(device_ids[0]).logs != []
    assert reply.data == {"items": [], "total": 0}


def test_the_newest_record_is_the_latest_spray() -> None:
    sim = MoogoSimulator()
    sim.add_account("a@example.com", "pw")
    device = sim.add_device("a@example.com")

    newer = sim.add_spray_record(device.device_id, 2000.0, 45)
    older = sim.add_spray_record(device.device_id, 1000.0, 90)

    assert (newer.record_id, older.record_id) == (1, 2)
    assert (device.latest_spraying_end, device.latest_spraying_duration) == (2000.0, 45)
    assert device.spray_history() == [newer, older]
    assert device.spray_history(since=1500) == [newer]
    assert device.spray_history(until=2000) == [older]
