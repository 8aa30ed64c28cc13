"""In the browser: a Moogo firmware update listed in Settings > Updates.

The simulator's knob offers the Patio Mister a new firmware; asking Home
Assistant to check (homeassistant.update_entity, what the page's "Check for
updates" does) lists it. With MOOGO_UPDATE_SCREENSHOT=1 the screenshot also
goes to ``docs/images/settings-updates.png`` for the README.
"""

from __future__ import annotations

from playwright.async_api import expect
import pytest

from .automations import add_moogo
from .conftest import RealHome, eventually, moogo_errors
from .test_browser import browser_page, frontend_ready, log_in, publish, shot, started

pytestmark = pytest.mark.timeout(600)

FIRMWARE = "update.patio_mister_firmware"
NEW_VERSION = "1.4.0"


async def test_settings_updates_lists_the_moogo_firmware(real_home: RealHome) -> None:
    """Offered by the cloud, checked on request, shown with its new version."""
    api, sim = real_home.api, real_home.sim
    patio = next(device for device in sim.devices if device.name == "Patio Mister")
    await started(real_home)
    await frontend_ready(real_home)
    await add_moogo(real_home)
    states = await api.states()
    assert states[FIRMWARE]["state"] == "off"

    sim.offer_firmware(patio.device_id, NEW_VERSION)
    await api.call("homeassistant", "update_entity", {"entity_id": FIRMWARE})
    firmware = await eventually(
        api.states,
        lambda states: states[FIRMWARE]["state"] == "on",
        what="the offered firmware",
    )
    assert firmware[FIRMWARE]["attributes"]["latest_version"] == NEW_VERSION

    async with browser_page() as page:
        await log_in(page, real_home)
        await page.goto(f"{real_home.hass.url}/config/updates")
        listed = page.locator("ha-config-updates")
        await expect(listed).to_contain_text("Patio Mister", timeout=30_000)
        await expect(listed).to_contain_text(NEW_VERSION)
        publish(await shot(page, "30-settings-updates"), "settings-updates.png")

    assert moogo_errors(real_home.log_text()) == []
