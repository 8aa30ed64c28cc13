"""The Moogo blueprints, in place in a real Home Assistant and acting on the demo.

The stack puts them into every Home Assistant it starts, as into the demo.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from playwright.async_api import expect
import pytest
import yaml

from .automations import BLUEPRINTS, REPO_ROOT, add_moogo, device_id_of, save_automation
from .conftest import RealHome, eventually, moogo_errors
from .test_browser import browser_page, frontend_ready, log_in, shot, started

pytestmark = pytest.mark.timeout(600)

PATIO_SPRAY = "switch.patio_mister_spray"
PATIO_SCHEDULES = "switch.patio_mister_schedules"
PATIO_TEMPERATURE = "sensor.patio_mister_temperature"
PATIO_PAUSED_UNTIL = "sensor.patio_mister_paused_until"
# The demo's forecast, rainy in two to five hours while its helper is on.
DEMO_FORECAST = "weather.demo_forecast"
RAIN_SWITCH = "input_boolean.demo_rain_forecast"


class _BlueprintLoader(yaml.SafeLoader):
    """Reads blueprints with their ``!input`` tags."""


_BlueprintLoader.add_constructor(
    "!input", lambda loader, node: {"input": loader.construct_scalar(node)}
)


def test_every_blueprint_targets_moogo_devices_and_links_its_source() -> None:
    """Device inputs are filtered to Moogo; each names its file in source_url."""
    paths = sorted(BLUEPRINTS.glob("*.yaml"))
    assert len(paths) >= 3
    for path in paths:
        blueprint = yaml.load(path.read_text(), _BlueprintLoader)["blueprint"]  # noqa: S506 - SafeLoader subclass
        assert blueprint["domain"] == "automation"
        assert blueprint["source_url"].endswith(
            f"/blob/main/blueprints/automation/moogo/{path.name}"
        )
        devices = [
            item["selector"]["device"]
            for item in blueprint["input"].values()
            if "device" in item["selector"]
        ]
        assert devices, path.name
        for device in devices:
            assert device["filter"] == [{"integration": "moogo"}], path.name


async def _notifications(
    real_home: RealHome, *, poll_first: bool = False
) -> list[dict[str, Any]]:
    if poll_first:
        await _poll_now(real_home)
    notifications: list[dict[str, Any]] = await real_home.api.websocket_command(
        {"type": "persistent_notification/get"}
    )
    return notifications


def _schedule_switch(real_home: RealHome, device_id: str) -> int:
    """The device's master schedule switch in the cloud (1 on, 0 off)."""
    return real_home.sim.device(device_id).schedule_switch_status


async def _poll_now(real_home: RealHome) -> None:
    """Ask Home Assistant to read the cloud now instead of at the next poll."""
    await real_home.api.call(
        "homeassistant", "update_entity", {"entity_id": PATIO_TEMPERATURE}
    )


async def test_blueprints_act_on_the_demo_devices(real_home: RealHome) -> None:
    """Each blueprint, instantiated for the patio, does what it says."""
    api, sim = real_home.api, real_home.sim
    # Automations arm their triggers only once Home Assistant has started.
    await started(real_home)
    await add_moogo(real_home)
    patio = next(device for device in sim.devices if device.name == "Patio Mister")
    patio_device = await device_id_of(real_home, PATIO_SPRAY)

    listed = await api.websocket_command(
        {"type": "blueprint/list", "domain": "automation"}
    )
    ours = {path for path in listed if path.startswith("moogo/")}
    assert ours == {f"moogo/{path.name}" for path in BLUEPRINTS.glob("*.yaml")}
    assert all("error" not in listed[path] for path in ours), listed

    await save_automation(
        real_home,
        "moogo_notify",
        {
            "alias": "Moogo tank alerts",
            "use_blueprint": {
                "path": "moogo/notify_when_tank_empty.yaml",
                "input": {"moogo_devices": [patio_device]},
            },
        },
    )
    await save_automation(
        real_home,
        "moogo_pause",
        {
            "alias": "Moogo pause schedules",
            "use_blueprint": {
                "path": "moogo/pause_schedules_while_water_empty.yaml",
                "input": {
                    "moogo_device": patio_device,
                    "schedules_switch": PATIO_SCHEDULES,
                },
            },
        },
    )
    states = await eventually(
        api.states,
        lambda s: (
            {"automation.moogo_tank_alerts", "automation.moogo_pause_schedules"}
            <= s.keys()
        ),
        what="the blueprint automations",
    )
    assert states["automation.moogo_tank_alerts"]["state"] == "on"
    assert _schedule_switch(real_home, patio.device_id) == 1

    # The patio's water runs out: a notification, and its schedules pause.
    patio.water_level = 0
    found = await eventually(
        lambda: _notifications(real_home, poll_first=True),
        lambda items: any("water tank of Patio Mister" in n["message"] for n in items),
        what="the tank notification",
    )
    # Other notifications are this machine's (a failed package install, say).
    ours = [n for n in found if n["title"] == "Moogo tank empty"]
    assert [n["message"] for n in ours] == ["The water tank of Patio Mister is empty."]
    await eventually(
        lambda: _async_value(_schedule_switch(real_home, patio.device_id)),
        lambda status: status == 0,
        what="the schedules paused",
    )

    # Refilled: the schedules run again.
    patio.water_level = 1
    await _poll_now(real_home)
    await eventually(
        lambda: _polled(real_home, _schedule_switch(real_home, patio.device_id)),
        lambda status: status == 1,
        what="the schedules resumed",
    )

    # A hot evening, a few seconds from now in Home Assistant's time zone.
    config = await api.request("GET", "/api/config")
    soon = datetime.now(ZoneInfo(config["time_zone"])) + timedelta(seconds=15)
    await save_automation(
        real_home,
        "moogo_hot",
        {
            "alias": "Moogo hot evenings",
            "use_blueprint": {
                "path": "moogo/mist_on_hot_evenings.yaml",
                "input": {
                    "moogo_device": patio_device,
                    "temperature_sensor": PATIO_TEMPERATURE,
                    "hot_above": float(patio.temperature) - 1,
                    "evening_time": soon.strftime("%H:%M:%S"),
                    "duration": 20,
                },
            },
        },
    )
    await eventually(
        lambda: _async_value(sim.is_spraying(patio.device_id)),
        bool,
        within=45,
        what="the hot-evening mist",
    )
    # moogo.mist stops it after its 20 seconds.
    await eventually(
        lambda: _async_value(sim.is_spraying(patio.device_id)),
        lambda misting: not misting,
        within=50,
        what="the hot-evening mist to end",
    )

    # Rain in the demo's forecast: the patio's schedules pause for six hours.
    await save_automation(
        real_home,
        "moogo_rain",
        {
            "alias": "Moogo rain pause",
            "use_blueprint": {
                "path": "moogo/pause_when_rain_is_forecast.yaml",
                "input": {
                    "moogo_device": patio_device,
                    "forecast": DEMO_FORECAST,
                    "hours_ahead": 6,
                },
            },
        },
    )
    await eventually(
        api.states,
        lambda s: s.get("automation.moogo_rain_pause", {}).get("state") == "on",
        what="the rain automation",
    )
    assert _schedule_switch(real_home, patio.device_id) == 1
    await api.call("input_boolean", "turn_on", {"entity_id": RAIN_SWITCH})
    await eventually(
        lambda: _async_value(_schedule_switch(real_home, patio.device_id)),
        lambda status: status == 0,
        what="the schedules paused for the rain",
    )
    states = await eventually(
        api.states,
        lambda s: s[PATIO_PAUSED_UNTIL]["state"] not in ("unknown", "unavailable"),
        what="the pause's end",
    )
    until = datetime.fromisoformat(states[PATIO_PAUSED_UNTIL]["state"])
    ahead = until - datetime.now(until.tzinfo)
    assert timedelta(hours=5, minutes=55) < ahead <= timedelta(hours=6), ahead
    await api.call("moogo", "resume", {"device_id": patio_device})
    assert _schedule_switch(real_home, patio.device_id) == 1
    assert moogo_errors(real_home.log_text()) == []


async def _async_value[T](value: T) -> T:
    return value


async def _polled[T](real_home: RealHome, value: T) -> T:
    """Return ``value``, then have Home Assistant read the cloud (for the next try)."""
    await _poll_now(real_home)
    return value


def test_readme_links_every_blueprint_for_import() -> None:
    """The README's import links point at each blueprint's raw file on GitHub.

    The repository is the one the manifest's documentation URL names.
    """
    documentation = json.loads(
        (REPO_ROOT / "custom_components" / "moogo" / "manifest.json").read_text()
    )["documentation"]
    repository = documentation.removeprefix("https://github.com/").strip("/")
    readme = (REPO_ROOT / "README.md").read_text()
    for path in BLUEPRINTS.glob("*.yaml"):
        raw = (
            f"https://raw.githubusercontent.com/{repository}/main/"
            f"blueprints/automation/moogo/{path.name}"
        )
        link = (
            "https://my.home-assistant.io/redirect/blueprint_import/"
            f"?blueprint_url={quote(raw, safe='')}"
        )
        assert link in readme, path.name


async def test_an_automation_made_from_a_blueprint_in_the_ui_runs(
    real_home: RealHome,
) -> None:
    """A newcomer's way: Settings > Blueprints, pick one, choose the device, save."""
    api, sim = real_home.api, real_home.sim
    await started(real_home)
    await frontend_ready(real_home)
    await add_moogo(real_home)
    patio = next(device for device in sim.devices if device.name == "Patio Mister")
    title = "Moogo - notify when a tank runs empty"

    async with browser_page() as page:
        await log_in(page, real_home)
        await page.goto(f"{real_home.hass.url}/config/blueprint/dashboard")
        await page.get_by_text(title).first.click()
        await expect(page.get_by_text("Moogo devices")).to_be_visible()
        await page.get_by_text("Select a device").first.click()
        await page.get_by_role("option", name="Patio Mister").first.click()
        await shot(page, "40-blueprint-automation")
        await page.get_by_role("button", name="Save").click()
        await expect(page.get_by_text("Traces")).to_be_visible()
        await shot(page, "41-blueprint-automation-saved")

    states = await eventually(
        api.states,
        lambda states: any(
            state["attributes"].get("friendly_name") == title
            for entity_id, state in states.items()
            if entity_id.startswith("automation.")
        ),
        what="the automation made in the editor",
    )
    automation = next(
        entity_id
        for entity_id, state in states.items()
        if entity_id.startswith("automation.")
        and state["attributes"].get("friendly_name") == title
    )
    assert states[automation]["state"] == "on"

    # The patio's water runs out: the automation runs and notifies.
    patio.water_level = 0
    await eventually(
        lambda: _notifications(real_home, poll_first=True),
        lambda items: any("water tank of Patio Mister" in n["message"] for n in items),
        what="the notification of the automation made in the UI",
    )
    ran = await api.states()
    assert ran[automation]["attributes"]["last_triggered"] is not None
    assert moogo_errors(real_home.log_text()) == []
