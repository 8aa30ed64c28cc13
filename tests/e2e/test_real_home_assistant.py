"""End to end: a real `hass` process, driven only through its REST API."""

from __future__ import annotations

import pytest

from moogo_sim import DEMO_EMAIL, DEMO_PASSWORD

from .conftest import RealHome, eventually, moogo_errors

pytestmark = pytest.mark.timeout(600)

SPRAY = "switch.patio_mister_spray"
TEMPERATURE = "sensor.patio_mister_temperature"


async def test_config_flow_entities_commands_recovery_and_removal(
    real_home: RealHome,
) -> None:
    """The whole life of a Moogo entry in a real Home Assistant."""
    api, sim = real_home.api, real_home.sim

    # A wrong password first: the form comes back with the translated error key.
    flow = await api.start_flow("moogo")
    assert flow["type"] == "form"
    assert [field["name"] for field in flow["data_schema"]][:2] == ["email", "password"]
    wrong = await api.submit_flow(
        flow["flow_id"],
        {"email": DEMO_EMAIL, "password": "nope", "advanced": {"api_url": sim.url}},
    )
    assert wrong["type"] == "form"
    assert wrong["errors"] == {"base": "invalid_auth"}
    created = await api.submit_flow(
        flow["flow_id"],
        {
            "email": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
            "advanced": {"api_url": sim.url},
        },
    )
    assert created["type"] == "create_entry"
    entry_id = created["result"]["entry_id"]

    # Entities appear with the simulator's values.
    patio = next(device for device in sim.devices if device.name == "Patio Mister")
    states = await eventually(
        api.states,
        lambda s: TEMPERATURE in s and s[TEMPERATURE]["state"] != "unavailable",
        what="Moogo entities",
    )
    assert float(states[TEMPERATURE]["state"]) == pytest.approx(
        float(patio.temperature)
    )
    assert states[SPRAY]["state"] == "off"
    assert states["binary_sensor.garage_mister_connectivity"]["state"] == "off"
    assert states["binary_sensor.garden_mister_water_tank_empty"]["state"] == "on"
    # One entity per fact: the removed duplicates are not created.
    assert "binary_sensor.patio_mister_spraying" not in states
    assert "button.patio_mister_mist_now" not in states
    assert "sensor.patio_mister_water_level" not in states

    # switch.turn_on: the simulator sprays and HA follows.
    await api.call("switch", "turn_on", {"entity_id": SPRAY})
    await eventually(
        lambda: _misting(real_home, patio.device_id), bool, what="patio spraying"
    )
    assert (await api.states())[SPRAY]["state"] == "on"
    await api.call("switch", "turn_off", {"entity_id": SPRAY})
    await eventually(
        lambda: _misting(real_home, patio.device_id),
        lambda v: not v,
        what="patio stopped",
    )

    # moogo.mist for 20 s (the app's shortest): HA starts it, then stops it.
    device_id = await api.request(
        "POST", "/api/template", json={"template": f"{{{{ device_id('{SPRAY}') }}}}"}
    )
    await api.call("moogo", "mist", {"device_id": device_id.strip(), "duration": 20})
    await eventually(
        lambda: _misting(real_home, patio.device_id), bool, what="timed mist"
    )
    await eventually(
        lambda: _misting(real_home, patio.device_id),
        lambda v: not v,
        within=45,
        what="timed stop",
    )

    # Reconfigure (the same account): HA answers in its own translation domain
    # with its own text, which our strings no longer copy.
    flow = await api.request(
        "POST",
        "/api/config/config_entries/flow",
        json={"handler": "moogo", "entry_id": entry_id},
    )
    assert flow["step_id"] == "reconfigure"
    done = await api.submit_flow(
        flow["flow_id"],
        {
            "email": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
            "advanced": {"api_url": sim.url},
        },
    )
    assert (done["type"], done["reason"]) == ("abort", "reconfigure_successful")
    assert done["translation_domain"] == "homeassistant"
    texts = await api.websocket_command(
        {
            "type": "frontend/get_translations",
            "language": "en",
            "category": "config",
            "integration": ["homeassistant"],
        }
    )
    shown = texts["resources"][
        "component.homeassistant.config.abort.reconfigure_successful"
    ]
    assert shown == "Reconfiguration was successful"
    await eventually(
        api.states,
        lambda s: s[TEMPERATURE]["state"] not in ("unavailable", "unknown"),
        what="entities after the reconfigure reload",
    )

    # A revoked token: HA logs in again once and carries on, no new config flow.
    logins_before = sim.request_counts.get("POST /v1/user/login", 0)
    sim.revoke_tokens()
    patio.temperature = 33.5
    await api.call("homeassistant", "update_entity", {"entity_id": TEMPERATURE})
    await eventually(
        api.states,
        lambda s: s[TEMPERATURE]["state"] == "33.5",
        what="temperature after re-login",
    )
    assert sim.request_counts.get("POST /v1/user/login", 0) == logins_before + 1
    assert await api.websocket_command({"type": "config_entries/flow/progress"}) == []

    # Removing the entry leaves Home Assistant running, with a clean log.
    await api.remove_entry(entry_id)
    assert await api.entries("moogo") == []
    assert (await api.request("GET", "/api/"))["message"] == "API running."
    assert moogo_errors(real_home.log_text()) == []


async def _misting(real_home: RealHome, device_id: str) -> bool:
    return real_home.sim.is_spraying(device_id)


def test_log_filter_catches_our_errors_only() -> None:
    """The clean-log check would see an error of ours and ignores others'."""
    ours = (
        "2026-11-24 10:00:00.000 ERROR (MainThread) [custom_components.moogo] boom\n"
        "2026-11-24 10:00:01.000 ERROR (MainThread) [homeassistant.core] Error\n"
        "Traceback (most recent call last):\n"
        '  File "/cfg/custom_components/moogo/coordinator.py", line 1, in x\n'
    )
    theirs = (
        "2026-11-24 10:00:00.000 ERROR (MainThread) [haffmpeg.core] FFmpeg fails\n"
        "Traceback (most recent call last):\n"
        '  File "/opt/moogo-venv/lib/haffmpeg/core.py", line 130, in open\n'
    )
    assert len(moogo_errors(ours)) == 2
    assert moogo_errors(theirs) == []


def test_log_filter_catches_deprecations_that_name_us() -> None:
    """HA's own "will stop working" reports about us fail the real-HA tests."""
    ours = (
        "2026-12-01 10:00:00.000 WARNING (MainThread) [homeassistant.helpers.frame]"
        " Detected that custom integration 'moogo' passes a non-string value of"
        " type int as model to the device registry at custom_components/moogo/"
        "entity.py, line 102: self._attr_device_info = DeviceInfo(. This will stop"
        " working in Home Assistant 2026.12.0, please create a bug report\n"
        "2026-12-01 10:00:01.000 WARNING (MainThread) [homeassistant.helpers.frame]"
        " Detected that custom integration 'moogo' has an update listener and"
        " should use it for scheduling a reload. This will stop working in Home"
        " Assistant 2026.12.0, please create a bug report\n"
        "2026-12-01 10:00:02.000 WARNING (MainThread) [custom_components.moogo.sensor]"
        " custom_components.moogo.sensor::MoogoSensor provides the deprecated"
        " unit, this will stop working in Home Assistant 2026.12.0\n"
    )
    theirs = (
        "2026-12-01 10:00:00.000 WARNING (MainThread) [homeassistant.helpers.frame]"
        " Detected that custom integration 'other' passes a non-string value."
        " This will stop working in Home Assistant 2026.12.0\n"
        "2026-12-01 10:00:01.000 WARNING (MainThread) [custom_components.moogo]"
        " Patio Mister is offline\n"
    )
    assert len(moogo_errors(ours)) == 3
    assert moogo_errors(theirs) == []
