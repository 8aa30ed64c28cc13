"""In the browser: the demo's firmware update, listed in Settings > Updates and installed.

The demo cloud offers the Patio Mister a new firmware from the start. The
user opens Settings > Updates, clicks the Patio Mister's update and presses
Install; the device restarts (offline for a few seconds in the simulator)
and comes back with the new firmware. Each step leaves a screenshot in
``artifacts/browser/``; with MOOGO_UPDATE_SCREENSHOT=1 the list also goes to
``docs/images/settings-updates.png`` for the README.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect
import pytest

from moogo_sim.demo import DEMO_PATIO_FIRMWARE, DEMO_PATIO_NEW_FIRMWARE

from .automations import add_moogo
from .conftest import RealHome, eventually, moogo_errors
from .test_browser import browser_page, frontend_ready, log_in, publish, shot, started

pytestmark = pytest.mark.timeout(600)

FIRMWARE = "update.patio_mister_firmware"


def _firmware(states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    attributes: dict[str, Any] = states[FIRMWARE]["attributes"]
    return {"state": states[FIRMWARE]["state"], **attributes}


async def test_install_the_patio_firmware_from_settings_updates(
    real_home: RealHome,
) -> None:
    """Offered from the start, listed, installed with one click, then up to date."""
    api = real_home.api
    await started(real_home)
    await frontend_ready(real_home)
    await add_moogo(real_home)
    offered = _firmware(await api.states())
    assert (offered["state"], offered["installed_version"]) == (
        "on",
        DEMO_PATIO_FIRMWARE,
    )
    assert offered["latest_version"] == DEMO_PATIO_NEW_FIRMWARE

    async with browser_page() as page:
        await log_in(page, real_home)
        await page.goto(f"{real_home.hass.url}/config/updates")
        listed = page.locator("ha-config-updates")
        await expect(listed).to_contain_text("Patio Mister", timeout=30_000)
        await expect(listed).to_contain_text(DEMO_PATIO_NEW_FIRMWARE)
        publish(await shot(page, "30-settings-updates"), "settings-updates.png")

        await listed.get_by_text("Patio Mister").first.click()
        dialog = page.locator("ha-more-info-dialog")
        await expect(dialog).to_contain_text(DEMO_PATIO_NEW_FIRMWARE)
        await shot(page, "31-firmware-dialog")

        await dialog.get_by_role(
            "button", name=re.compile(r"^(Install|Update)$")
        ).click()
        await eventually(
            api.states,
            lambda states: _firmware(states).get("in_progress") is True,
            what="the install in progress",
        )
        await expect(dialog).to_contain_text("Installing")
        await shot(page, "32-firmware-installing")

        # Home Assistant sees the device back at a later poll (every 30 s).
        installed = await eventually(
            api.states,
            lambda states: (
                _firmware(states)["installed_version"] == DEMO_PATIO_NEW_FIRMWARE
            ),
            within=90,
            what="the new firmware installed",
        )
        assert _firmware(installed)["state"] == "off"
        assert _firmware(installed).get("in_progress") is False
        await expect(dialog).to_contain_text("Up-to-date")
        await shot(page, "33-firmware-installed")

        await page.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
        await page.goto(f"{real_home.hass.url}/config/updates")
        await expect(page.get_by_text("No updates available")).to_be_visible()
        await shot(page, "34-settings-updates-done")

    assert moogo_errors(real_home.log_text()) == []
