"""Device configuration, logs with pagination, firmware updates, public data."""

from __future__ import annotations

import pytest

from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, FakeClock

from .conftest import Api

CONFIG_KEYS = {
    "id",
    "deviceId",
    "userId",
    "stopTemperature",
    "stopRainy",
    "stopSnow",
    "stopWindstorm",
    "liquidName",
    "liquidConcentration",
    "timeZone",
    "sprayingSeconds",
}


async def test_configs_shape(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.get(f"/v1/devices/{device_ids[0]}/configs")

    assert reply.code == 0
    assert set(reply.data) == CONFIG_KEYS
    assert reply.data["deviceId"] == device_ids[0]
    assert reply.data["userId"] == moogo_simulator.account(TEST_EMAIL).user_id
    assert reply.data["timeZone"] == "America/Los_Angeles"
    assert reply.data["sprayingSeconds"] == 60
    assert isinstance(reply.data["id"], str)


async def test_configs_update_every_writable_field(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()
    changes = {
        "stopTemperature": 12.5,
        "stopRainy": False,
        "stopSnow": False,
        "stopWindstorm": True,
        "liquidName": "Water Only",
        "liquidConcentration": 0,
        "timeZone": "Europe/Paris",
        "sprayingSeconds": 90,
    }

    reply = await api.put(f"/v1/devices/{device_ids[0]}/configs", json_body=changes)

    assert reply.code == 0
    assert {key: reply.data[key] for key in changes} == changes
    again = (await api.get(f"/v1/devices/{device_ids[0]}/configs")).data
    assert {key: again[key] for key in changes} == changes
    detail = (await api.get(f"/v1/devices/{device_ids[0]}")).data
    assert detail["liquidConcentration"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"id": "CFG1"},
        {"deviceId": "MG1"},
        {"userId": "1", "sprayingSeconds": 30},
        {"colour": "blue"},
        {"timeZone": "PST8PDT,M3.2.0,M11.1.0"},
        {"timeZone": "Not/AZone"},
        {"timeZone": "../../etc/passwd"},
        {"timeZone": 1},
        {"stopTemperature": True},
        {"stopTemperature": 99},
        {"stopRainy": "yes"},
        {"sprayingSeconds": 0},
        {"sprayingSeconds": 1.5},
        {"liquidName": ""},
        {"liquidConcentration": -1},
    ],
)
async def test_invalid_configs_answer_400_and_change_nothing(
    api: Api,
    moogo_simulator: MoogoSimulator,
    device_ids: list[str],
    body: dict[str, object],
) -> None:
    await api.login()
    before = (await api.get(f"/v1/devices/{device_ids[0]}/configs")).data

    reply = await api.put(f"/v1/devices/{device_ids[0]}/configs", json_body=body)

    assert (reply.status, reply.code) == (400, 400)
    assert (await api.get(f"/v1/devices/{device_ids[0]}/configs")).data == before


async def test_logs_paginate_newest_first(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    device = clocked_sim.device(clocked_device)
    for number in range(25):
        device.add_log(clock() + number, "start", f"event {number}")
    await clocked_api.login()
    path = f"/v1/devices/{clocked_device}/logs"

    first = (await clocked_api.get(path, params={"page": "1", "pageSize": "10"})).data
    third = (await clocked_api.get(path, params={"page": "3", "pageSize": "10"})).data
    beyond = (await clocked_api.get(path, params={"page": "4", "pageSize": "10"})).data
    default = (await clocked_api.get(path)).data

    assert first["total"] == 25
    assert [item["details"] for item in first["items"]] == [
        f"event {number}" for number in range(24, 14, -1)
    ]
    assert first["items"][0] == {
        "timestamp": int(clock() + 24),
        "event": "start",
        "details": "event 24",
    }
    assert [item["details"] for item in third["items"]] == [
        f"event {number}" for number in range(4, -1, -1)
    ]
    assert beyond["items"] == []
    assert (default["page"], default["pageSize"], len(default["items"])) == (1, 20, 20)


@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": "101"},
        {"pageSize": "0"},
        {"page": "0"},
        {"page": "x"},
    ],
)
async def test_bad_pagination_answers_400(
    api: Api, device_ids: list[str], params: dict[str, str]
) -> None:
    await api.login()

    reply = await api.get(f"/v1/devices/{device_ids[0]}/logs", params=params)

    assert (reply.status, reply.code) == (400, 400)


async def test_page_size_100_is_allowed(api: Api, device_ids: list[str]) -> None:
    await api.login()

    reply = await api.get(
        f"/v1/devices/{device_ids[0]}/logs", params={"pageSize": "100"}
    )

    assert reply.code == 0
    assert reply.data["pageSize"] == 100


async def test_ota_when_up_to_date(api: Api, device_ids: list[str]) -> None:
    await api.login()

    check = await api.post(f"/v1/devices/{device_ids[0]}/otaCheck", json_body={})
    update = await api.post(f"/v1/devices/{device_ids[0]}/otaUpdate", json_body={})

    assert check.data == {"available": False, "version": "1.2.3", "url": ""}
    assert update.data == {"updating": False, "version": "1.2.3"}


async def test_ota_update_installs_the_offered_firmware(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.device(device_ids[0]).latest_firmware = "2.0.0"
    await api.login()
    base = f"/v1/devices/{device_ids[0]}"

    check = await api.post(f"{base}/otaCheck", json_body={})
    update = await api.post(f"{base}/otaUpdate", json_body={})
    after = await api.post(f"{base}/otaCheck", json_body={})

    assert check.data == {
        "available": True,
        "version": "2.0.0",
        "url": "https://firmware.moogo.example/MG-01/2.0.0.bin",
    }
    assert update.data == {"updating": True, "version": "2.0.0"}
    assert (await api.get(base)).data["firmware"] == "2.0.0"
    assert after.data["available"] is False
    logs = (await api.get(f"{base}/logs")).data["items"]
    assert logs[0]["event"] == "ota_update"
    assert logs[0]["details"] == "firmware 1.2.3 -> 2.0.0"


async def test_ota_update_needs_an_online_device(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    device = moogo_simulator.device(device_ids[0])
    device.latest_firmware = "2.0.0"
    moogo_simulator.set_online(device_ids[0], False)
    await api.login()

    check = await api.post(f"/v1/devices/{device_ids[0]}/otaCheck", json_body={})
    update = await api.post(f"/v1/devices/{device_ids[0]}/otaUpdate", json_body={})

    assert check.data["available"] is True  # the cloud knows without the device
    assert (update.status, update.code) == (200, 10201)
    assert device.firmware == "1.2.3"


async def test_firmware_install_takes_the_device_offline_for_a_while(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    clocked_sim.configure(firmware_install_seconds=120)
    clocked_sim.offer_firmware(clocked_device, "2.0.0")
    await clocked_api.login()
    base = f"/v1/devices/{clocked_device}"

    update = await clocked_api.post(f"{base}/otaUpdate", json_body={})
    clock.advance(119)
    during = (await clocked_api.get(base)).data
    refused = await clocked_api.post(f"{base}/start", json_body={})
    clock.advance(1)
    after = (await clocked_api.get(base)).data

    assert update.data == {"updating": True, "version": "2.0.0"}
    assert (during["onlineStatus"], during["firmware"]) == (0, "1.2.3")
    assert refused.code == 10201
    assert (after["onlineStatus"], after["firmware"]) == (1, "2.0.0")
    events = [
        item["event"] for item in (await clocked_api.get(f"{base}/logs")).data["items"]
    ]
    assert events[:3] == ["online", "offline", "ota_update"]


async def test_admin_offers_firmware(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    offered = await api.post(
        f"/_admin/devices/{device_ids[0]}/firmware",
        json_body={"version": "3.1.0"},
        token=None,
    )
    blank = await api.post(
        f"/_admin/devices/{device_ids[0]}/firmware",
        json_body={"version": " "},
        token=None,
    )
    unknown = await api.post(
        "/_admin/devices/MGNONE/firmware", json_body={"version": "3.1.0"}, token=None
    )
    await api.login()
    check = await api.post(f"/v1/devices/{device_ids[0]}/otaCheck", json_body={})

    assert offered.status == 200
    assert offered.body["latestFirmware"] == "3.1.0"
    assert (blank.status, unknown.status) == (400, 404)
    assert check.data["available"] is True
    assert check.data["version"] == "3.1.0"


async def test_public_liquid_catalog_needs_no_token(api: Api) -> None:
    reply = await api.get("/v1/liquid", token=None)

    assert reply.status == 200
    assert reply.code == 0
    assert len(reply.data) >= 1
    assert all(
        set(item) == {"id", "name", "description", "icon"} for item in reply.data
    )


async def test_public_recommended_schedules_win_over_device_route(api: Api) -> None:
    reply = await api.get("/v1/devices/schedules", token=None)

    assert reply.status == 200
    assert reply.code == 0
    items = reply.data["items"]
    assert len(items) >= 1
    for item in items:
        assert {
            "id",
            "hour",
            "minute",
            "duration",
            "repeatSet",
            "status",
            "title",
        } <= set(item)
        assert 0 <= item["hour"] <= 23


async def test_unknown_routes_and_methods_get_envelopes(api: Api) -> None:
    missing = await api.get("/v1/nothing-here", token=None)
    wrong_method = await api.request("PATCH", "/v1/devices", token=None)

    assert (missing.status, missing.code) == (404, 404)
    assert (wrong_method.status, wrong_method.code) == (405, 405)
    assert missing.data is None
