"""The Moogo texts in the user's language: a device page and the add-account form.

Home Assistant names entities in the language of the system (Settings >
System > General) and shows its pages in the language of the user's profile;
with both set, every Moogo name, entity and form text comes from
``translations/<language>.json``, and no English one is left.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect
import pytest

from .automations import add_moogo, device_id_of
from .conftest import RealHome, eventually, moogo_errors
from .test_browser import browser_page, frontend_ready, log_in, shot, started

pytestmark = pytest.mark.timeout(600)

TRANSLATIONS = (
    Path(__file__).resolve().parents[2] / "custom_components/moogo/translations"
)
# Names shown on the Patio Mister's device page (the per-schedule switches
# carry times and days; the others name the device's entities).
SHOWN = [
    ("binary_sensor", "water_empty"),
    ("binary_sensor", "concentrate_empty"),
    ("button", "skip_next_mist"),
    ("number", "mist_duration"),
    ("sensor", "next_mist"),
    ("switch", "spray"),
]


def _texts(language: str) -> dict[str, Any]:
    texts: dict[str, Any] = json.loads(
        (TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")
    )
    return texts


async def _choose_language(page: Page, language: str) -> None:
    """Pick the profile language, as the profile page stores it, and reload."""
    await page.evaluate(
        "language => localStorage.setItem('selectedLanguage', JSON.stringify(language))",
        language,
    )
    await page.reload()


@pytest.mark.parametrize("language", ["de", "es"])
async def test_device_page_and_account_form_in_the_users_language(
    real_home: RealHome, language: str
) -> None:
    texts, english = _texts(language), _texts("en")
    await started(real_home)
    await frontend_ready(real_home)
    entry_id = await add_moogo(real_home)
    patio = await device_id_of(real_home, "switch.patio_mister_spray")
    # Home Assistant names entities in its own language (Settings > System >
    # General), the frontend's texts follow the profile: both are set. The
    # names change when the entry loads again; the entity ids stay English.
    await real_home.api.websocket_command(
        {"type": "config/core/update", "language": language}
    )
    await real_home.api.request(
        "POST", f"/api/config/config_entries/entry/{entry_id}/reload"
    )
    spray = texts["entity"]["switch"]["spray"]["name"]
    await eventually(
        real_home.api.states,
        lambda states: (
            states["switch.patio_mister_spray"]["attributes"]["friendly_name"]
            == f"Patio Mister {spray}"
        ),
        what=f"the Moogo names in {language}",
    )

    async with browser_page() as page:
        await log_in(page, real_home)
        await _choose_language(page, language)

        await page.goto(f"{real_home.hass.url}/config/devices/device/{patio}")
        for platform, key in SHOWN:
            name = texts["entity"][platform][key]["name"]
            await expect(page.get_by_text(name, exact=True).first).to_be_visible()
        await shot(page, f"50-device-page-{language}")
        for platform, key in SHOWN:
            name = english["entity"][platform][key]["name"]
            assert name == texts["entity"][platform][key]["name"] or (
                await page.get_by_text(name, exact=True).count() == 0
            ), f"{name!r} is shown in English"

        # The add-account form of Settings > Devices & services.
        await page.goto(
            f"{real_home.hass.url}/config/integrations/dashboard/add?domain=moogo"
        )
        # HA asks first whether to set Moogo up (its own OK button).
        await page.get_by_role("button", name="OK", exact=True).click()
        step = texts["config"]["step"]["user"]
        await expect(page.get_by_text(step["title"]).first).to_be_visible()
        await expect(page.get_by_text(step["description"][:30]).first).to_be_visible()
        await shot(page, f"51-account-form-{language}")
        user = english["config"]["step"]["user"]
        assert await page.get_by_text(user["title"], exact=True).count() == 0

    assert moogo_errors(real_home.log_text()) == []
