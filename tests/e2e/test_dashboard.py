"""In the browser: the README's dashboard, the calendar panel, the automation editor.

The dashboard is the README's own YAML, created through Home Assistant's
WebSocket API as a new dashboard; a click on its Spray tile mists and stops
the simulated Patio Mister. In the calendar panel, deleting only the next run
skips it, and the Add event dialog refuses a daily event (with the
integration's reason) and turns a weekly one into a schedule. With
MOOGO_UPDATE_SCREENSHOT=1 the screenshots also go to ``docs/images/`` for the
README.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import re
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, expect
import pytest
import yaml

from .automations import REPO_ROOT, add_moogo, device_id_of
from .conftest import RealHome, eventually, moogo_errors
from .test_browser import (
    FIRST_LOAD,
    TRANSLATIONS,
    browser_page,
    frontend_ready,
    log_in,
    publish,
    shot,
    started,
)

pytestmark = pytest.mark.timeout(600)

DASHBOARD_PATH = "moogo-patio"
HA_TIME_ZONE = "America/Los_Angeles"
SCHEDULES = "sensor.patio_mister_enabled_schedules"
FROST_RISK = "binary_sensor.patio_mister_frost_risk"
README_DASHBOARD = re.compile(r"```yaml\n(# Moogo dashboard.*?)```", re.DOTALL)
PAUSED_UNTIL = "sensor.patio_mister_paused_until"
# The device id the README's examples name; the test puts the patio's in.
README_DEVICE_ID = "4f8a0c2e9b1d4e6f8a0c2e9b1d4e6f8a"


def readme_dashboard() -> dict[str, Any]:
    """The dashboard configuration the README shows."""
    found = README_DASHBOARD.search((REPO_ROOT / "README.md").read_text())
    assert found, "the README has no '# Moogo dashboard' YAML block"
    config: dict[str, Any] = yaml.safe_load(found.group(1))
    return config


def test_readme_dashboard_shows_spray_tanks_and_calendar() -> None:
    """Tile cards for Spray and both tanks, and a calendar card, for one device."""
    cards = readme_dashboard()["views"][0]["cards"]
    tiles = [card["entity"] for card in cards if card["type"] == "tile"]
    assert tiles[0] == "switch.patio_mister_spray"
    assert {"binary_sensor.patio_mister_water_tank_empty", "binary_sensor.patio_mister_concentrate_tank_empty"} <= set(tiles)  # fmt: skip
    calendars = [card for card in cards if card["type"] == "calendar"]
    assert calendars[0]["entities"] == ["calendar.patio_mister_scheduled_mists"]
    assert PAUSED_UNTIL in tiles
    (button,) = [card for card in cards if card["type"] == "button"]
    assert button["tap_action"]["perform_action"] == "moogo.pause"
    assert button["tap_action"]["data"]["device_id"] == README_DEVICE_ID


async def test_dashboard_calendar_and_automation_editor(real_home: RealHome) -> None:
    """Mist from a dashboard tile; see the schedules and the Moogo triggers."""
    api, sim = real_home.api, real_home.sim
    patio = next(device for device in sim.devices if device.name == "Patio Mister")
    await started(real_home)
    await frontend_ready(real_home)
    await add_moogo(real_home)
    # Every entity the README's dashboard names exists in this Home Assistant.
    states = await api.states()
    cards = readme_dashboard()["views"][0]["cards"]
    named = [card["entity"] for card in cards if "entity" in card]
    named += [entity for card in cards for entity in card.get("entities", [])]
    assert set(named) <= set(states), set(named) - set(states)
    await api.websocket_command(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD_PATH,
            "title": "Patio",
            "icon": "mdi:sprinkler",
        }
    )
    patio_device = await device_id_of(real_home, "switch.patio_mister_spray")
    config = yaml.safe_load(
        yaml.safe_dump(readme_dashboard()).replace(README_DEVICE_ID, patio_device)
    )
    await api.websocket_command(
        {"type": "lovelace/config/save", "url_path": DASHBOARD_PATH, "config": config}
    )

    # The browser in Home Assistant's zone, as the demo devices are.
    async with browser_page(timezone_id=HA_TIME_ZONE) as page:
        await log_in(page, real_home)

        # 1. The dashboard: the Spray tile mists and stops the patio.
        await page.goto(f"{real_home.hass.url}/{DASHBOARD_PATH}/0")
        spray = page.locator("hui-tile-card").filter(has_text="Spray")
        await expect(spray).to_contain_text("Off")
        # The calendar card lists the runs, each titled by its mist.
        await expect(page.locator("hui-calendar-card")).to_contain_text(
            re.compile(r"Mist · \d+ s")
        )
        await shot(page, "20-dashboard")
        await spray.click()
        await eventually(
            lambda: _value(sim.is_spraying(patio.device_id)),
            bool,
            within=10,
            what="the patio misting from the tile",
        )
        await expect(spray).to_contain_text("On")
        publish(await shot(page, "21-dashboard-misting"), "dashboard.png")
        await spray.click()
        await eventually(
            lambda: _value(sim.is_spraying(patio.device_id)),
            lambda misting: not misting,
            within=10,
            what="the patio stopped from the tile",
        )
        await expect(spray).to_contain_text("Off")
        await shot(page, "22-dashboard-stopped")

        # The pause button: the schedules are off for 12 hours, the tile shows
        # when they come back, and so does the device page.
        await page.locator("hui-button-card").filter(has_text="Pause 12 hours").click()
        await eventually(
            lambda: _value(patio.schedule_switch_status),
            lambda status: status == 0,
            within=10,
            what="the patio's schedules paused",
        )
        paused = page.locator("hui-tile-card").filter(has_text="Paused until")
        await expect(paused).to_contain_text(
            re.compile(r"in 1[12] hours", re.IGNORECASE), timeout=10_000
        )
        publish(await shot(page, "22c-dashboard-paused"), "dashboard-paused.png")
        await page.goto(f"{real_home.hass.url}/config/devices/device/{patio_device}")
        await expect(page.get_by_text("Paused until").first).to_be_visible()
        publish(await shot(page, "22d-device-paused"), "device-paused.png")
        await api.call("moogo", "resume", {"device_id": patio_device})
        assert patio.schedule_switch_status == 1
        await page.goto(f"{real_home.hass.url}/{DASHBOARD_PATH}/0")

        # Frost: at 5 °C the cloud refuses a start (10202); the tile says why
        # in a notice naming the device, and stays off.
        sim.set_temperature(patio.device_id, 5)
        await api.call("homeassistant", "update_entity", {"entity_id": FROST_RISK})
        await eventually(
            api.states,
            lambda states: states[FROST_RISK]["state"] == "on",
            what="the patio's frost risk",
        )
        await spray.click()
        await expect(page.get_by_text("locked against frost").first).to_be_visible(
            timeout=10_000
        )
        await shot(page, "22b-frost-refused")
        assert not sim.is_spraying(patio.device_id)
        await expect(spray).to_contain_text("Off")
        sim.set_temperature(patio.device_id, 26.5)

        # 2. The calendar panel: the scheduled mists of the demo devices. The
        # demo starts with the patio's next run skipped; that skip is undone in
        # the cloud (as if its run had passed), so the first run shown can be.
        for schedule in patio.schedules:
            schedule.last_skipped_at = None
        await api.call(
            "homeassistant",
            "update_entity",
            {"entity_id": "sensor.patio_mister_enabled_schedules"},
        )
        await eventually(
            api.states,
            lambda states: (
                not any(
                    item["skip_next"]
                    for item in states["sensor.patio_mister_enabled_schedules"][
                        "attributes"
                    ]["schedules"]
                )
            ),
            what="the patio's skip undone in Home Assistant",
        )
        await page.goto(f"{real_home.hass.url}/calendar")
        await expect(
            page.get_by_text("Patio Mister Scheduled mists").first
        ).to_be_visible()
        # HA 2026.11's own month grid: each run is a button named by its
        # time and title ("Mist · 45 s").
        runs = page.get_by_role("table").get_by_role(
            "button", name=re.compile(r"Mist · \d+ s")
        )
        await expect(runs.first).to_be_visible()
        publish(await shot(page, "23-calendar-panel"), "calendar.png")

        # Deleting only the first run shown (a schedule's next run) skips it;
        # with the garden's calendar hidden, that run is the patio's.
        skips = _skips(real_home, patio.device_id)
        await page.get_by_role(
            "menuitemcheckbox", name="Garden Mister Scheduled mists"
        ).click()
        await expect(
            page.get_by_role("menuitemcheckbox", name="Garden Mister Scheduled mists")
        ).not_to_be_checked()
        await runs.first.click()
        await page.get_by_role("button", name="Delete Event").click()
        await shot(page, "23b-delete-run")
        await page.get_by_role("radio", name="Only this event").check()
        await page.get_by_role("button", name="Delete", exact=True).click()
        await eventually(
            lambda: _value(_skips(real_home, patio.device_id)),
            lambda count: count == skips + 1,
            within=10,
            what="the next run skipped",
        )

        # A new event in the Add event dialog: the hour the dialog proposes is
        # refused with the integration's translated reason (the app mists 20
        # to 120 s); a one-minute daily event becomes an every-day schedule.
        schedules_before = len(patio.schedules)
        await page.get_by_role("button", name="Add event").click()
        dialog = page.locator("dialog-calendar-event-editor")
        await expect(dialog.get_by_text("Patio Mister")).to_be_visible()
        await dialog.get_by_role("textbox", name="Summary").fill("Morning mist")
        repeat = dialog.locator("ha-select").filter(has_text="Repeat")
        await repeat.click()
        await dialog.get_by_text("Daily", exact=True).click()
        await dialog.get_by_role("button", name="Add event").click()
        await expect(dialog).to_contain_text("lasts 20 to 120 seconds", timeout=10_000)
        await shot(page, "25-hour-refused")
        assert len(patio.schedules) == schedules_before
        await _end_minutes_after_start(dialog, 1)
        await shot(page, "25b-one-minute")
        await dialog.get_by_role("button", name="Add event").click()
        await expect(dialog).to_be_hidden()
        await eventually(
            lambda: _value(len(patio.schedules)),
            lambda count: count == schedules_before + 1,
            within=10,
            what="the new schedule",
        )
        created = patio.schedules[-1]
        assert (created.duration, created.repeat_set) == (60, "0,1,2,3,4,5,6")
        await shot(page, "26-daily-created")

        # A run under way (begun this minute, one minute long): lengthened to
        # two, then deleted, with "This and all future events" as the whole
        # schedule. Early in a minute, so that it is still under way then.
        now = datetime.now(ZoneInfo(HA_TIME_ZONE))  # the demo devices' zone too
        if now.second > 20:
            await asyncio.sleep(61 - now.second)
            now = datetime.now(ZoneInfo(HA_TIME_ZONE))
        known = _schedule_count(await api.states())
        under_way = sim.add_schedule(
            patio.device_id, hour=now.hour, minute=now.minute, duration=60
        )
        await api.call("homeassistant", "update_entity", {"entity_id": SCHEDULES})
        await eventually(
            api.states,
            lambda states: _schedule_count(states) == known + 1,
            what="the run under way in Home Assistant",
        )
        await page.reload()
        label = f"{now:%-I:%M %p}"
        run = page.get_by_role("button", name=re.compile(re.escape(label))).first
        await expect(run).to_be_visible(timeout=30_000)
        await run.click()
        await shot(page, "27-run-under-way")
        await page.get_by_role("button", name="Edit event").click()
        editor = page.locator("dialog-calendar-event-editor")
        await _end_minutes_after_start(editor, 2)
        await shot(page, "27b-edit-run")
        await editor.get_by_role("button", name="Save event").click()
        await page.get_by_role("radio", name="This and all future events").check()
        await shot(page, "27c-edit-which-runs")
        await page.get_by_role("button", name="Update", exact=True).click()
        await expect(editor).to_be_hidden()
        await eventually(
            lambda: _value(under_way.duration),
            lambda seconds: seconds == 120,
            within=10,
            what="the schedule under way edited",
        )
        # Deleting that run alone is refused, naming what works; deleting
        # it with all future events deletes the schedule.
        await run.click()
        await page.get_by_role("button", name="Delete event").click()
        await page.get_by_role("radio", name="Only this event").check()
        await page.get_by_role("button", name="Delete", exact=True).click()
        await expect(page.get_by_text("delete that run alone")).to_be_visible(
            timeout=10_000
        )
        await shot(page, "27d-delete-run-alone-refused")
        await page.get_by_role("button", name="Delete event").click()
        await page.get_by_role("radio", name="This and all future events").check()
        await page.get_by_role("button", name="Delete", exact=True).click()
        await eventually(
            lambda: _value(under_way in patio.schedules),
            lambda kept: not kept,
            within=10,
            what="the schedule under way deleted",
        )
        await expect(page.get_by_text("delete that run alone")).to_be_hidden()
        await shot(page, "27e-run-under-way-deleted")

        # 3. The automation editor lists the Moogo triggers.
        await page.goto(f"{real_home.hass.url}/config/automation/edit/new")
        # The editor is a large chunk of the frontend, loaded on first use: on
        # a busy machine it takes longer than a step.
        add_trigger = page.get_by_role("button", name="Add trigger").first
        await expect(add_trigger).to_be_visible(timeout=FIRST_LOAD)
        await add_trigger.click()
        search = page.get_by_role("textbox").first
        await search.fill("Moogo")
        for key in ("started_misting", "water_tank_empty", "went_offline"):
            await expect(
                page.get_by_text(TRANSLATIONS["triggers"][key]["name"]).first
            ).to_be_visible()
        publish(await shot(page, "24-automation-triggers"), "automation-triggers.png")

    assert moogo_errors(real_home.log_text()) == []


async def _end_minutes_after_start(dialog: Locator, minutes: int) -> None:
    """Make the dialog's event last ``minutes``, ending the day it starts.

    HA proposes a whole hour, which at 11 PM ends on the next day: the end's
    date and time are set as its pickers set them (their value-changed
    event), after a start too late for that day has moved to 10 PM.
    """
    start = dialog.locator("ha-time-input").nth(0)
    hours = start.locator("input[name=hours]")

    async def begins() -> datetime:
        return datetime.strptime(
            f"{await hours.input_value()}:"
            f"{await start.locator('input[name=minutes]').input_value()} "
            f"{await _half(start)}",
            "%I:%M %p",
        ).replace(tzinfo=ZoneInfo(HA_TIME_ZONE))  # a clock time on 1900-01-01

    if (await begins() + timedelta(minutes=minutes)).day != (await begins()).day:
        await hours.fill("10")
        await hours.press("Tab")
    ends = await begins() + timedelta(minutes=minutes)
    day = await dialog.locator("ha-date-input").nth(0).evaluate("field => field.value")
    await _pick(dialog.locator("ha-date-input").nth(1), day)
    await _pick(dialog.locator("ha-time-input").nth(1), f"{ends:%H:%M}:00")


async def _pick(field: Locator, value: str) -> None:
    """Set a date or time field of HA's dialog as its picker does."""
    await field.evaluate(
        "(field, value) => field.dispatchEvent(new CustomEvent('value-changed',"
        " {detail: {value}, bubbles: true, composed: true}))",
        value,
    )


def _schedule_count(states: dict[str, Any]) -> int:
    """How many schedules Home Assistant knows of the patio."""
    return len(states[SCHEDULES]["attributes"]["schedules"])


async def _half(time_input: Locator) -> str:
    """AM or PM, as a 12 h time field shows it."""
    return str(await time_input.locator("ha-select").evaluate("select => select.value"))


async def _value[T](value: T) -> T:
    return value


def _skips(real_home: RealHome, device_id: str) -> int:
    """How often skip was pressed on the device's schedules."""
    return sum(
        schedule.skip_count for schedule in real_home.sim.device(device_id).schedules
    )
