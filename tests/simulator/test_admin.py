"""The ``/_admin/`` control plane."""

from __future__ import annotations

from typing import Any

import pytest

from moogo_sim import FaultConfig, MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD

from .conftest import Api


async def test_state_lists_accounts_devices_and_settings(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    token = await api.login()
    await api.post(f"/v1/devices/{device_ids[0]}/start", json_body={})

    reply = await api.get("/_admin/state", token=None)

    assert reply.status == 200
    state = reply.body
    assert state["url"] == moogo_simulator.url
    assert state["config"]["reaction_delay"] == 0
    assert state["faults"] == FaultConfig().as_dict()
    assert state["totalRequests"] == 2
    (account,) = state["accounts"]
    assert account["email"] == TEST_EMAIL
    assert account["password"] == TEST_PASSWORD
    assert account["loginCount"] == 1
    assert account["activeTokens"] == 1
    assert account["locked"] is False
    assert token not in reply.text  # tokens are only counted
    devices = account["devices"]
    assert [device["deviceId"] for device in devices] == device_ids
    assert devices[0]["spraying"] is True
    assert devices[0]["runStatus"] == 1
    assert devices[0]["configs"]["deviceId"] == device_ids[0]
    assert devices[0]["scheduleSwitchStatus"] == 1
    assert devices[0]["schedules"] == []
    assert devices[0]["sprayRecordCount"] == 0
    assert devices[0]["logCount"] == 1
    (command,) = devices[0]["commands"]
    assert (command["command"], command["mode"], command["code"]) == (
        "start",
        None,
        0,
    )


async def test_state_shows_a_locked_account(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    for _ in range(5):
        await api.post(
            "/v1/user/login",
            json_body={"email": TEST_EMAIL, "password": "nope"},
            token=None,
        )

    state = (await api.get("/_admin/state", token=None)).body

    assert state["accounts"][0]["locked"] is True


async def test_state_before_start_has_no_url() -> None:
    sim = MoogoSimulator()

    assert sim.snapshot()["url"] is None


async def test_set_and_reset_faults(api: Api, moogo_simulator: MoogoSimulator) -> None:
    reply = await api.post(
        "/_admin/faults",
        json_body={"http_status": 503, "paths": ["/liquid"]},
        token=None,
    )

    assert reply.status == 200
    assert reply.body["http_status"] == 503
    assert moogo_simulator.faults.paths == ["/liquid"]
    assert (await api.get("/v1/liquid", token=None)).status == 503
    # The admin endpoint itself is never broken by faults.
    reset = await api.post("/_admin/faults/reset", token=None)
    assert reset.body == FaultConfig().as_dict()
    assert (await api.get("/v1/liquid", token=None)).status == 200


@pytest.mark.parametrize(
    "raw",
    ['{"bogus": 1}', '{"latency": "slow"}', "not json", "[1]"],
)
async def test_bad_fault_requests_answer_400(
    api: Api, moogo_simulator: MoogoSimulator, raw: str
) -> None:
    reply = await api.post("/_admin/faults", raw=raw, token=None)

    assert reply.status == 400
    assert "error" in reply.body
    assert moogo_simulator.faults == FaultConfig()


async def test_revoke_all_or_one(api: Api, moogo_simulator: MoogoSimulator) -> None:
    moogo_simulator.add_account("b@example.com", "pw")
    mine = await api.login()
    theirs = await api.login("b@example.com", "pw")

    one = await api.post(
        "/_admin/revoke", json_body={"email": "b@example.com"}, token=None
    )
    assert one.body == {"revoked": 1}
    assert (await api.get("/v1/devices", token=theirs)).status == 401
    assert (await api.get("/v1/devices", token=mine)).status == 200

    everything = await api.post("/_admin/revoke", token=None)
    assert everything.body == {"revoked": 1}
    assert (await api.get("/v1/devices", token=mine)).status == 401


async def test_revoke_errors(api: Api) -> None:
    unknown = await api.post(
        "/_admin/revoke", json_body={"email": "x@example.com"}, token=None
    )
    bad = await api.post("/_admin/revoke", json_body={"email": 5}, token=None)

    assert unknown.status == 404
    assert bad.status == 400


async def test_counters_and_reset(api: Api, moogo_simulator: MoogoSimulator) -> None:
    await api.get("/v1/liquid", token=None)

    counters = await api.get("/_admin/counters", token=None)
    reset = await api.post("/_admin/counters/reset", token=None)

    assert counters.body == {"total": 1, "counts": {"GET /v1/liquid": 1}}
    assert reset.body == {"total": 0, "counts": {}}
    assert moogo_simulator.total_requests == 0


async def test_add_device(api: Api, moogo_simulator: MoogoSimulator) -> None:
    reply = await api.post(
        "/_admin/devices",
        json_body={
            "email": TEST_EMAIL,
            "device_id": "MGADMIN01",
            "name": "Shed",
            "online": False,
            "temperature": "31.5",
            "missing_fields": ["rssi"],
        },
        token=None,
    )

    assert reply.status == 201
    assert reply.body["deviceId"] == "MGADMIN01"
    assert reply.body["onlineStatus"] == 0
    await api.login()
    detail = (await api.get("/v1/devices/MGADMIN01")).data
    assert detail["deviceName"] == "Shed"
    assert detail["temperature"] == "31.5"
    assert "rssi" not in detail
    assert moogo_simulator.device("MGADMIN01").missing_fields == {"rssi"}


async def test_add_device_with_an_automatic_id(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    reply = await api.post(
        "/_admin/devices", json_body={"email": TEST_EMAIL}, token=None
    )

    assert reply.status == 201
    assert moogo_simulator.device(reply.body["deviceId"]).online is True


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "x"}, 400),
        ({"email": "nobody@example.com"}, 404),
        ({"email": TEST_EMAIL, "device_id": 7}, 400),
        ({"email": TEST_EMAIL, "colour": "red"}, 400),
        ({"email": TEST_EMAIL, "online": "yes"}, 400),
        ({"email": TEST_EMAIL, "spraying_seconds": 0}, 400),
        ({"email": TEST_EMAIL, "missing_fields": "rssi"}, 400),
    ],
)
async def test_add_device_errors(
    api: Api, moogo_simulator: MoogoSimulator, body: dict[str, Any], status: int
) -> None:
    reply = await api.post("/_admin/devices", json_body=body, token=None)

    assert reply.status == status
    assert "error" in reply.body
    assert len(moogo_simulator.devices) == 2


async def test_add_device_with_a_taken_id(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    reply = await api.post(
        "/_admin/devices",
        json_body={"email": TEST_EMAIL, "device_id": device_ids[0]},
        token=None,
    )

    assert reply.status == 400
    assert "exists already" in reply.body["error"]


async def test_remove_device(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    removed = await api.delete(f"/_admin/devices/{device_ids[0]}", token=None)
    again = await api.delete(f"/_admin/devices/{device_ids[0]}", token=None)

    assert removed.body == {"removed": device_ids[0]}
    assert again.status == 404
    assert [device.device_id for device in moogo_simulator.devices] == device_ids[1:]


async def test_patch_device(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    reply = await api.post(
        f"/_admin/devices/{device_ids[0]}",
        json_body={"online": False, "temperature": 31, "water_level": 0},
        token=None,
    )

    assert reply.status == 200
    assert reply.body["onlineStatus"] == 0
    assert reply.body["temperature"] == 31
    device = moogo_simulator.device(device_ids[0])
    assert (device.online, device.water_level) == (False, 0)
    assert [entry.event for entry in device.logs] == ["offline"]
    sensor_only = await api.post(
        f"/_admin/devices/{device_ids[0]}", json_body={"humidity": None}, token=None
    )
    assert sensor_only.body["humidity"] is None
    assert sensor_only.body["onlineStatus"] == 0


async def test_patch_device_errors(api: Api, device_ids: list[str]) -> None:
    unknown = await api.post("/_admin/devices/MGNOPE", json_body={}, token=None)
    bad_field = await api.post(
        f"/_admin/devices/{device_ids[0]}", json_body={"owner": "me"}, token=None
    )
    bad_value = await api.post(
        f"/_admin/devices/{device_ids[0]}", json_body={"name": ""}, token=None
    )

    assert unknown.status == 404
    assert bad_field.status == 400
    assert bad_value.status == 400


async def test_config(api: Api, moogo_simulator: MoogoSimulator) -> None:
    settings = {
        "reaction_delay": 1.5,
        "token_ttl": 60,
        "lockout_after": 3,
        "lockout_seconds": 10,
        "firmware_install_seconds": 2.5,
        "page_size_limit": 2,
        "config_writes_replace": True,
        "app_limits": True,
    }

    reply = await api.post("/_admin/config", json_body=settings, token=None)

    assert reply.body == settings
    assert (moogo_simulator.page_size_limit, moogo_simulator.config_writes_replace) == (
        2,
        True,
    )
    assert moogo_simulator.reaction_delay == 1.5
    assert moogo_simulator.app_limits is True
    assert moogo_simulator.settings() == reply.body
    login = await api.post(
        "/v1/user/login",
        json_body={"email": TEST_EMAIL, "password": TEST_PASSWORD},
        token=None,
    )
    assert login.data["ttl"] == 60
    lifted = await api.post(
        "/_admin/config", json_body={"page_size_limit": None}, token=None
    )
    assert lifted.body["page_size_limit"] is None
    assert lifted.body["config_writes_replace"] is True  # left as it was
    assert lifted.body["app_limits"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"speed": 1},
        {"reaction_delay": -1},
        {"reaction_delay": "0"},
        {"reaction_delay": True},
        {"token_ttl": 1.5},
        {"page_size_limit": 0},
        {"page_size_limit": "2"},
        {"page_size_limit": 1.5},
        {"config_writes_replace": 1},
        {"config_writes_replace": None},
        {"app_limits": 1},
        {"app_limits": "on"},
        {"app_limits": None},
    ],
)
async def test_config_errors(
    api: Api, moogo_simulator: MoogoSimulator, body: dict[str, Any]
) -> None:
    reply = await api.post("/_admin/config", json_body=body, token=None)

    assert reply.status == 400
    assert moogo_simulator.reaction_delay == 0
    assert moogo_simulator.settings()["page_size_limit"] is None
    assert moogo_simulator.settings()["config_writes_replace"] is False
    assert moogo_simulator.settings()["app_limits"] is False


async def test_patch_the_master_schedule_switch(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.add_schedule(device_ids[0], hour=6, minute=0, duration=60)

    reply = await api.post(
        f"/_admin/devices/{device_ids[0]}",
        json_body={"schedule_switch_status": 0},
        token=None,
    )
    bad = await api.post(
        f"/_admin/devices/{device_ids[0]}",
        json_body={"schedule_switch_status": True},
        token=None,
    )

    assert reply.body["scheduleSwitchStatus"] == 0
    assert reply.body["schedules"][0]["status"] == 1
    assert reply.body["schedules"][0]["nextSprayingTime"] is None
    assert bad.status == 400
    assert moogo_simulator.device(device_ids[0]).schedule_switch_status == 0


async def test_skip_a_schedule_as_the_app_would(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    schedule = moogo_simulator.add_schedule(
        device_ids[0], hour=6, minute=0, duration=60
    )
    base = f"/_admin/devices/{device_ids[0]}/schedules"

    reply = await api.post(f"{base}/{schedule.schedule_id}/skip", token=None)
    unknown_schedule = await api.post(f"{base}/S999/skip", token=None)
    unknown_device = await api.post(
        f"/_admin/devices/MGNONE/schedules/{schedule.schedule_id}/skip", token=None
    )

    (item,) = reply.body["schedules"]
    assert (item["is_skip"], item["skipCount"]) == (True, 1)
    assert schedule.skip_count == 1
    assert unknown_schedule.status == 404
    assert "S999" in unknown_schedule.body["error"]
    assert unknown_device.status == 404


async def test_seed_the_spray_history(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    path = f"/_admin/devices/{device_ids[0]}/spray-records"

    reply = await api.post(
        path, json_body={"ended_at": 1_780_000_000.5, "seconds": 75}, token=None
    )
    bad = await api.post(path, json_body={"ended_at": "yesterday"}, token=None)
    unknown = await api.post(
        "/_admin/devices/MGNONE/spray-records",
        json_body={"ended_at": 1, "seconds": 1},
        token=None,
    )

    assert reply.body["sprayRecordCount"] == 1
    assert reply.body["latestSprayingDuration"] == 75
    assert (bad.status, unknown.status) == (400, 404)
    await api.login()
    history = (await api.get(f"/v1/devices/{device_ids[0]}/logs")).data
    assert history["items"] == [{"id": 1, "createdAt": 1_780_000_000, "seconds": 75}]


async def test_history_and_switch_are_not_patchable_as_fields(
    api: Api, device_ids: list[str]
) -> None:
    reply = await api.post(
        f"/_admin/devices/{device_ids[0]}", json_body={"spray_records": []}, token=None
    )

    assert reply.status == 400
