"""Device configuration, firmware updates and the public data."""

from __future__ import annotations

from typing import Any

import pytest

from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, FakeClock

from .conftest import Api

CONFIG_KEYS = {
    "id",
    "deviceId",
    "userId",
    "liquidName",
    "liquidConcentration",
    "sprayingSeconds",
    "stopRainy",
    "stopSnow",
    "stopWindstorm",
    "stopTemperature",
    "timeZone",
    "syncStatus",
}
#: What every configuration starts as (and a replacing write resets to).
FACTORY = {
    "liquidName": "Moogo Mosquito Concentrate",
    "liquidConcentration": 100,
    "sprayingSeconds": 60,
    "stopRainy": 1,
    "stopSnow": 1,
    "stopWindstorm": 0,
    "stopTemperature": 10,
    "timeZone": "America/Los_Angeles",
}


def _configs(device_id: str) -> str:
    return f"/v1/devices/{device_id}/configs"


async def test_configs_shape(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.get(_configs(device_ids[0]))

    assert reply.code == 0
    assert reply.data == {
        "id": f"CFG{device_ids[0]}",
        "deviceId": device_ids[0],
        "userId": moogo_simulator.account(TEST_EMAIL).user_id,
        **FACTORY,
        "syncStatus": True,
    }
    assert set(reply.data) == CONFIG_KEYS


async def test_configs_update_every_writable_field(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    changes = {
        "stopTemperature": 12.5,
        "stopRainy": 0,
        "stopSnow": False,
        "stopWindstorm": True,
        "liquidName": "Water Only",
        "liquidConcentration": 250,
        "timeZone": "Europe/Paris",
        "sprayingSeconds": 90,
    }

    reply = await api.put(_configs(device_ids[0]), json_body=changes)

    expected = {**changes, "stopSnow": 0, "stopWindstorm": 1}  # flags as ints
    assert reply.code == 0
    assert {key: reply.data[key] for key in changes} == expected
    again = (await api.get(_configs(device_ids[0]))).data
    assert {key: again[key] for key in changes} == expected
    detail = (await api.get(f"/v1/devices/{device_ids[0]}")).data
    assert detail["liquidConcentration"] == 250
    device = moogo_simulator.device(device_ids[0])
    assert (device.stop_snow, device.stop_windstorm) == (0, 1)


@pytest.mark.parametrize("ratio", [1, 20, 300, 999])
async def test_the_mix_ratio_is_an_integer_of_at_most_three_digits(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str], ratio: int
) -> None:
    """``liquidConcentration`` is "N : 1" in the app, not a percentage."""
    await api.login()

    reply = await api.put(
        _configs(device_ids[0]), json_body={"liquidConcentration": ratio}
    )
    detail = (await api.get(f"/v1/devices/{device_ids[0]}")).data

    assert reply.code == 0
    assert reply.data["liquidConcentration"] == ratio
    assert detail["liquidConcentration"] == ratio
    assert type(moogo_simulator.device(device_ids[0]).liquid_concentration) is int


async def test_the_whole_configuration_as_read_can_be_written_back(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    """The app's way: copy what was read, change one value, send it all back."""
    await api.login()
    read = (await api.get(_configs(device_ids[0]))).data
    body = {key: value for key, value in read.items() if key != "syncStatus"}

    reply = await api.put(_configs(device_ids[0]), json_body={**body, "stopSnow": 0})

    assert reply.code == 0, reply.text
    assert reply.data == {**read, "stopSnow": 0}


async def test_identifiers_are_accepted_and_ignored(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    before = (await api.get(_configs(device_ids[0]))).data

    reply = await api.put(
        _configs(device_ids[0]),
        json_body={"id": "CFG-OTHER", "deviceId": "MGOTHER", "userId": 7},
    )

    assert reply.code == 0, reply.text
    assert reply.data == before


async def test_an_integral_stop_temperature_reads_as_the_apps_int(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()

    reply = await api.put(_configs(device_ids[0]), json_body={"stopTemperature": 8.0})

    assert reply.data["stopTemperature"] == 8
    assert isinstance(reply.data["stopTemperature"], int)


async def test_the_apps_first_setup_body_is_accepted(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()
    body = {"sprayingSeconds": 45, "liquidName": "Water Only", "liquidConcentration": 1}

    reply = await api.put(_configs(device_ids[0]), json_body=body)

    assert reply.code == 0
    assert {key: reply.data[key] for key in body} == body


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"syncStatus": True}, "syncStatus"),
        ({"colour": "blue", "sprayingSeconds": 30}, "colour"),
        ({"mixRatio": 20}, "mixRatio"),
        ({"timeZone": "PST8PDT,M3.2.0,M11.1.0"}, "timeZone"),
        ({"timeZone": "Not/AZone"}, "timeZone"),
        ({"timeZone": "../../etc/passwd"}, "timeZone"),
        ({"timeZone": 1}, "timeZone"),
        ({"stopTemperature": True}, "stopTemperature"),
        ({"stopTemperature": 99}, "stopTemperature"),
        ({"stopTemperature": "12"}, "stopTemperature"),
        ({"stopRainy": "yes"}, "stopRainy"),
        ({"stopRainy": 2}, "stopRainy"),
        ({"stopSnow": 1.0}, "stopSnow"),
        ({"sprayingSeconds": 0}, "sprayingSeconds"),
        ({"sprayingSeconds": 1.5}, "sprayingSeconds"),
        ({"liquidName": ""}, "liquidName"),
        ({"liquidConcentration": 0}, "liquidConcentration"),
        ({"liquidConcentration": 1000}, "liquidConcentration"),
        ({"liquidConcentration": 12.5}, "liquidConcentration"),
        ({"liquidConcentration": True}, "liquidConcentration"),
        ({"liquidConcentration": "50"}, "liquidConcentration"),
    ],
)
async def test_invalid_configs_answer_400_naming_the_field_and_change_nothing(
    api: Api, device_ids: list[str], body: dict[str, object], named: str
) -> None:
    await api.login()
    before = (await api.get(_configs(device_ids[0]))).data

    reply = await api.put(_configs(device_ids[0]), json_body=body)

    assert (reply.status, reply.code) == (400, 400)
    assert named in reply.body["message"]
    assert (await api.get(_configs(device_ids[0]))).data == before


@pytest.mark.parametrize(
    ("kwargs", "headers"),
    [
        ({"form": {"sprayingSeconds": "30"}}, None),
        ({"raw": ""}, None),
        ({"raw": "{broken"}, None),
        ({"raw": '{"sprayingSeconds": 30}'}, {"Content-Type": "text/plain"}),
    ],
)
async def test_configs_take_a_json_body_only(
    api: Api,
    device_ids: list[str],
    kwargs: dict[str, Any],
    headers: dict[str, str] | None,
) -> None:
    await api.login()

    reply = await api.put(_configs(device_ids[0]), headers=headers, **kwargs)

    assert (reply.status, reply.code) == (400, 400)
    assert (await api.get(_configs(device_ids[0]))).data["sprayingSeconds"] == 60


async def test_a_partial_write_keeps_the_rest_by_default(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()
    await api.put(
        _configs(device_ids[0]),
        json_body={"timeZone": "Europe/Berlin", "stopWindstorm": 1},
    )

    reply = await api.put(_configs(device_ids[0]), json_body={"stopTemperature": 14})

    assert reply.data["stopTemperature"] == 14
    assert (reply.data["timeZone"], reply.data["stopWindstorm"]) == ("Europe/Berlin", 1)


async def test_a_replacing_cloud_resets_what_a_write_leaves_out(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    everything = {
        "liquidName": "Water Only",
        "liquidConcentration": 40,
        "sprayingSeconds": 90,
        "stopRainy": 0,
        "stopSnow": 0,
        "stopWindstorm": 1,
        "stopTemperature": 5,
        "timeZone": "Europe/Berlin",
    }
    await api.put(_configs(device_ids[0]), json_body=everything)
    moogo_simulator.configure(config_writes_replace=True)

    whole = await api.put(_configs(device_ids[0]), json_body=everything)
    partial = await api.put(_configs(device_ids[0]), json_body={"stopTemperature": 14})

    assert {key: whole.data[key] for key in everything} == everything
    assert partial.data == {
        **whole.data,
        **FACTORY,
        "stopTemperature": 14,
    }
    assert partial.data["id"] == f"CFG{device_ids[0]}"
    detail = (await api.get(f"/v1/devices/{device_ids[0]}")).data
    assert detail["liquidConcentration"] == 100


async def test_a_refused_write_changes_nothing_on_a_replacing_cloud(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    await api.put(_configs(device_ids[0]), json_body={"sprayingSeconds": 90})
    moogo_simulator.configure(config_writes_replace=True)

    refused = await api.put(
        _configs(device_ids[0]), json_body={"timeZone": "Not/AZone"}
    )

    assert refused.code == 400
    assert moogo_simulator.device(device_ids[0]).spraying_seconds == 90


async def test_ota_when_up_to_date(api: Api, device_ids: list[str]) -> None:
    await api.login()

    check = await api.post(f"/v1/devices/{device_ids[0]}/otaCheck")  # the app
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
    (entry,) = moogo_simulator.device(device_ids[0]).logs
    assert (entry.event, entry.details) == ("ota_update", "firmware 1.2.3 -> 2.0.0")


@pytest.mark.parametrize("action", ["otaCheck", "otaUpdate"])
async def test_firmware_calls_take_no_fields(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str], action: str
) -> None:
    moogo_simulator.offer_firmware(device_ids[0], "2.0.0")
    await api.login()

    with_field = await api.post(
        f"/v1/devices/{device_ids[0]}/{action}", json_body={"version": "2.0.0"}
    )
    as_form = await api.post(
        f"/v1/devices/{device_ids[0]}/{action}", form={"version": "2.0.0"}
    )

    assert (with_field.status, with_field.code) == (400, 400)
    assert (as_form.status, as_form.code) == (400, 400)
    assert moogo_simulator.device(device_ids[0]).firmware == "1.2.3"


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
    events = [entry.event for entry in clocked_sim.device(clocked_device).logs]
    assert events == ["ota_update", "offline", "online"]


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
