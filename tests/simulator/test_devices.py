"""Device list, detail, rename, isolation and connectivity."""

from __future__ import annotations

import pytest

from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL

from .conftest import Api

SUMMARY_KEYS = {
    "deviceId",
    "deviceName",
    "onlineStatus",
    "runStatus",
    "firmware",
    "deviceModel",
}
DETAIL_KEYS = SUMMARY_KEYS | {
    "rssi",
    "temperature",
    "humidity",
    "liquid_level",
    "water_level",
    "liquidConcentration",
    "mixRatio",
    "latestSprayingDuration",
    "latestSprayingEnd",
}


async def test_device_list_items(api: Api, device_ids: list[str]) -> None:
    await api.login()

    reply = await api.get("/v1/devices")

    assert reply.code == 0
    assert reply.data["total"] == 2
    items = reply.data["items"]
    assert [item["deviceId"] for item in items] == device_ids
    assert items[0] == {
        "deviceId": device_ids[0],
        "deviceName": "Front Yard",
        "onlineStatus": 1,
        "runStatus": 0,
        "firmware": "1.2.3",
        "deviceModel": "MG-01",
    }
    assert all(set(item) == SUMMARY_KEYS for item in items)


async def test_device_detail_fields(api: Api, device_ids: list[str]) -> None:
    await api.login()

    reply = await api.get(f"/v1/devices/{device_ids[1]}")

    assert reply.code == 0
    assert set(reply.data) == DETAIL_KEYS
    assert reply.data == {
        "deviceId": device_ids[1],
        "deviceName": "Back Yard",
        "onlineStatus": 1,
        "runStatus": 0,
        "firmware": "1.2.3",
        "deviceModel": "MG-01",
        "rssi": -58,
        "temperature": 24.5,
        "humidity": 55,
        "liquid_level": 1,
        "water_level": 1,
        "liquidConcentration": 100,
        "mixRatio": 10,
        "latestSprayingDuration": None,
        "latestSprayingEnd": None,
    }


async def test_direct_changes_show_up_including_odd_values(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    device = moogo_simulator.device(device_ids[0])
    device.temperature = 30
    device.humidity = "61"  # the real service sometimes sends strings
    device.water_level = 7  # unknown level values have been reported
    device.overrides["firmware"] = None
    device.missing_fields.add("rssi")

    detail = (await api.get(f"/v1/devices/{device_ids[0]}")).data
    summary = (await api.get("/v1/devices")).data["items"][0]

    assert detail["temperature"] == 30
    assert detail["humidity"] == "61"
    assert detail["water_level"] == 7
    assert detail["firmware"] is None
    assert "rssi" not in detail
    assert summary["firmware"] is None


async def test_accounts_are_isolated(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.add_account("other@example.com", "pw")
    theirs = moogo_simulator.add_device("other@example.com", name="Theirs")
    await api.login()

    listed = (await api.get("/v1/devices")).data["items"]
    assert theirs.device_id not in {item["deviceId"] for item in listed}
    for path in (
        f"/v1/devices/{theirs.device_id}",
        f"/v1/devices/{theirs.device_id}/schedules",
        f"/v1/devices/{theirs.device_id}/configs",
    ):
        reply = await api.get(path)
        assert reply.status == 404, path
        assert reply.code == 404
    stop = await api.post(f"/v1/devices/{theirs.device_id}/stop", json_body={})
    assert stop.status == 404

    # The other account sees only its own device.
    await api.login("other@example.com", "pw")
    listed = (await api.get("/v1/devices")).data["items"]
    assert [item["deviceId"] for item in listed] == [theirs.device_id]
    assert (await api.get(f"/v1/devices/{device_ids[0]}")).status == 404


async def test_unknown_device_is_404(api: Api) -> None:
    await api.login()

    reply = await api.get("/v1/devices/MGNOPE")

    assert reply.status == 404
    assert reply.code == 404


async def test_rename_at_the_apps_path(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.put(
        f"/v1/devices/{device_ids[0]}/update", json_body={"deviceName": "Deck"}
    )

    assert reply.code == 0
    assert reply.data["deviceName"] == "Deck"
    assert reply.data["mixRatio"] == 10  # the rest of the detail as it was
    assert moogo_simulator.device(device_ids[0]).name == "Deck"
    listed = (await api.get("/v1/devices")).data["items"]
    assert listed[0]["deviceName"] == "Deck"


async def test_a_rename_without_a_name_changes_nothing(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.put(f"/v1/devices/{device_ids[0]}/update", json_body={})

    assert (reply.code, reply.data["deviceName"]) == (0, "Front Yard")
    assert moogo_simulator.device(device_ids[0]).name == "Front Yard"


async def test_the_old_rename_path_is_gone(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.put(
        f"/v1/devices/{device_ids[0]}", json_body={"deviceName": "Deck"}
    )

    assert (reply.status, reply.code, reply.data) == (405, 405, None)
    assert moogo_simulator.device(device_ids[0]).name == "Front Yard"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"deviceName": ""}', "application/json"),
        ('{"deviceName": 5}', "application/json"),
        ('{"deviceName": "' + "x" * 65 + '"}', "application/json"),
        ('{"deviceName": "Deck", "mixRatio": 20}', "application/json"),
        ('{"firmware": "9.9.9"}', "application/json"),
        ("{broken", "application/json"),
        ("[]", "application/json"),
        ("", "application/json"),
        ("deviceName=Deck", "application/x-www-form-urlencoded"),
        ('{"deviceName": "Deck"}', "text/plain"),
    ],
)
async def test_invalid_renames_answer_400(
    api: Api,
    moogo_simulator: MoogoSimulator,
    device_ids: list[str],
    body: str,
    content_type: str,
) -> None:
    await api.login()

    reply = await api.put(
        f"/v1/devices/{device_ids[0]}/update",
        raw=body,
        headers={"Content-Type": content_type},
    )

    assert (reply.status, reply.code) == (400, 400)
    device = moogo_simulator.device(device_ids[0])
    assert (device.name, device.mix_ratio) == ("Front Yard", 10)


async def test_going_offline_and_back_is_visible_and_logged(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()

    moogo_simulator.set_online(device_ids[0], False)
    offline = (await api.get(f"/v1/devices/{device_ids[0]}")).data
    moogo_simulator.set_online(device_ids[0], True)
    moogo_simulator.set_online(device_ids[0], True)  # no change, no log entry
    online = (await api.get(f"/v1/devices/{device_ids[0]}")).data

    assert offline["onlineStatus"] == 0
    assert online["onlineStatus"] == 1
    events = [entry.event for entry in moogo_simulator.device(device_ids[0]).logs]
    assert events == ["offline", "online"]


async def test_removed_device_disappears(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()

    moogo_simulator.remove_device(device_ids[0])

    assert (await api.get(f"/v1/devices/{device_ids[0]}")).status == 404
    listed = (await api.get("/v1/devices")).data["items"]
    assert [item["deviceId"] for item in listed] == [device_ids[1]]
    with pytest.raises(KeyError):
        moogo_simulator.remove_device(device_ids[0])
    with pytest.raises(KeyError):
        moogo_simulator.device(device_ids[0])


def test_device_registry() -> None:
    sim = MoogoSimulator()
    sim.add_account(TEST_EMAIL, "pw")
    explicit = sim.add_device(TEST_EMAIL, device_id="MG001001")
    auto = [sim.add_device(TEST_EMAIL) for _ in range(3)]

    ids = [explicit.device_id] + [device.device_id for device in auto]
    assert len(set(ids)) == 4  # the auto ids skip the taken one
    assert all(device_id.startswith("MG") for device_id in ids)
    assert [device.name for device in auto] == [
        "Moogo Mister 2",
        "Moogo Mister 3",
        "Moogo Mister 4",
    ]
    assert sim.devices == [explicit, *auto]
    with pytest.raises(ValueError, match="exists already"):
        sim.add_device(TEST_EMAIL, device_id="MG001001")
    with pytest.raises(KeyError):
        sim.add_device("missing@example.com")
    # latest_firmware defaults to the installed firmware: no update offered.
    assert explicit.latest_firmware == explicit.firmware
