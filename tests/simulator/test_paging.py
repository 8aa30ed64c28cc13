"""Paged lists: the device list, schedules and spray history; the page cap."""

from __future__ import annotations

import pytest

from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL

from .conftest import Api

SCHEDULES = "/v1/devices/{}/schedules"
HISTORY = "/v1/devices/{}/logs"


def _add_devices(sim: MoogoSimulator, count: int) -> list[str]:
    """Give the test account ``count`` more devices; return all its ids."""
    for number in range(count):
        sim.add_device(TEST_EMAIL, name=f"Extra {number}")
    return [device.device_id for device in sim.devices_of(TEST_EMAIL)]


async def _device_page(api: Api, **params: str) -> tuple[list[str], object]:
    reply = await api.get("/v1/devices", params=params)
    assert reply.code == 0, reply.text
    return [item["deviceId"] for item in reply.data["items"]], reply.data["total"]


async def test_without_paging_the_first_ten_devices_come(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    every_id = _add_devices(moogo_simulator, 10)
    await api.login()

    first, total = await _device_page(api)
    second, _ = await _device_page(api, page="2")

    assert (first, total) == (every_id[:10], 12)
    assert second == every_id[10:]


async def test_the_apps_page_sizes_read_everything(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    every_id = _add_devices(moogo_simulator, 10)
    for hour in range(20):
        moogo_simulator.add_schedule(device_ids[0], hour=hour, minute=0, duration=60)
    for second in range(30):
        moogo_simulator.add_spray_record(device_ids[0], 1_780_000_000 + second, 60)
    await api.login()

    devices = await _device_page(api, page="1", pageSize="999")
    schedules = await api.get(
        SCHEDULES.format(device_ids[0]), params={"page": "1", "pageSize": "20"}
    )
    history = await api.get(
        HISTORY.format(device_ids[0]), params={"page": "1", "pageSize": "9999"}
    )

    assert devices == (every_id, 12)
    assert (len(schedules.data["items"]), schedules.data["total"]) == (20, 20)
    assert (len(history.data["items"]), history.data["total"]) == (30, 30)


@pytest.mark.parametrize("size", ["20", "999", "9999"])
@pytest.mark.parametrize("path", ["/v1/devices", SCHEDULES, HISTORY])
async def test_every_page_size_the_app_sends_is_taken_by_every_list(
    api: Api,
    moogo_simulator: MoogoSimulator,
    device_ids: list[str],
    path: str,
    size: str,
) -> None:
    """The app asks 999 devices, 20 schedules and 9999 spray records a page."""
    for hour in range(3):
        moogo_simulator.add_schedule(device_ids[0], hour=hour, minute=0, duration=60)
        moogo_simulator.add_spray_record(device_ids[0], 1_780_000_000 + hour, 60)
    await api.login()

    reply = await api.get(
        path.format(device_ids[0]), params={"page": "1", "pageSize": size}
    )

    assert (reply.status, reply.code) == (200, 0), reply.text
    expected = 2 if path == "/v1/devices" else 3
    assert (len(reply.data["items"]), reply.data["total"]) == (expected, expected)


async def test_pages_split_a_list_in_order(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    every_id = _add_devices(moogo_simulator, 3)
    await api.login()

    pages = [
        (await _device_page(api, page=str(page), pageSize="2"))[0] for page in (1, 2, 3)
    ]

    assert pages == [every_id[:2], every_id[2:4], every_id[4:]]


async def test_a_page_past_the_end_is_empty_with_the_true_total(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()

    items, total = await _device_page(api, page="3", pageSize="2")

    assert (items, total) == ([], 2)


async def test_a_capped_cloud_pages_at_its_limit_whatever_was_asked(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    every_id = _add_devices(moogo_simulator, 3)
    moogo_simulator.configure(page_size_limit=2)
    await api.login()

    first = await _device_page(api, page="1", pageSize="999")
    third = await _device_page(api, page="3", pageSize="999")
    small = await _device_page(api, page="1", pageSize="1")

    assert first == (every_id[:2], 5)
    assert third == (every_id[4:], 5)
    assert small == (every_id[:1], 5)  # a smaller page than the cap is served
    moogo_simulator.configure(page_size_limit=None)
    assert await _device_page(api, pageSize="999") == (every_id, 5)


async def test_the_cap_holds_for_schedules_and_spray_history(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    for hour in (6, 12, 18):
        moogo_simulator.add_schedule(device_ids[0], hour=hour, minute=0, duration=60)
        moogo_simulator.add_spray_record(device_ids[0], 1_780_000_000 + hour, 60)
    moogo_simulator.configure(page_size_limit=2)
    await api.login()

    schedules = await api.get(
        SCHEDULES.format(device_ids[0]), params={"page": "2", "pageSize": "20"}
    )
    history = await api.get(HISTORY.format(device_ids[0]), params={"pageSize": "9999"})

    assert [item["hour"] for item in schedules.data["items"]] == [18]
    assert schedules.data["total"] == 3
    assert [item["createdAt"] for item in history.data["items"]] == [
        1_780_000_018,
        1_780_000_012,
    ]
    assert history.data["total"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": "10001"},
        {"pageSize": "0"},
        {"pageSize": "-1"},
        {"pageSize": "2.5"},
        {"pageSize": ""},
        {"page": "0"},
        {"page": "x"},
        {"page": "1000001"},
    ],
)
@pytest.mark.parametrize("path", ["/v1/devices", SCHEDULES, HISTORY])
async def test_bad_paging_answers_400(
    api: Api, device_ids: list[str], path: str, params: dict[str, str]
) -> None:
    await api.login()

    reply = await api.get(path.format(device_ids[0]), params=params)

    assert (reply.status, reply.code, reply.data) == (400, 400, None)


async def test_the_largest_page_size_is_ten_thousand(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.get("/v1/devices", params={"pageSize": "10000"})

    assert reply.code == 0
    assert reply.data["total"] == 2


async def test_list_answers_carry_exactly_the_apps_fields(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()

    devices = (await api.get("/v1/devices")).data
    schedules = (await api.get(SCHEDULES.format(device_ids[0]))).data
    history = (await api.get(HISTORY.format(device_ids[0]))).data

    assert set(devices) == {"items", "total"}
    assert set(schedules) == {"items", "scheduleSwitchStatus", "total"}
    assert set(history) == {"items", "total"}
