"""End to end in a browser: Home Assistant's own web UI, driven by Playwright.

Debian's chromium (headless) logs in on the real login page, adds the Moogo
integration through Settings > Devices & services, reads the translated form,
submits a wrong password first (the form keeps the typed API URL), then
switches the Patio Mister's spray on and off on its device page and opens the
offline Garage Mister, whose Sensors card says it is disconnected. Each
step leaves a screenshot in ``artifacts/browser/``; with
MOOGO_UPDATE_SCREENSHOT=1 the device page also goes to
``docs/images/device-page.png`` for the README.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
import json
import os
from pathlib import Path
import re
import shutil
from typing import Any

from homeassistant.util import dt as dt_util
from playwright.async_api import Page, async_playwright, expect
import pytest

from custom_components.moogo.api import DEFAULT_BASE_URL
from custom_components.moogo.entry_data import account_title
from moogo_sim import DEMO_EMAIL, DEMO_PASSWORD

from .conftest import (
    ARTIFACTS,
    HA_PASSWORD,
    HA_USER,
    RealHome,
    eventually,
    moogo_errors,
)

pytestmark = pytest.mark.timeout(600)

REPO_ROOT = Path(__file__).resolve().parents[2]
SHOTS = ARTIFACTS / "browser"
IMAGES = REPO_ROOT / "docs" / "images"
TRANSLATIONS = json.loads(
    (REPO_ROOT / "custom_components/moogo/translations/en.json").read_text()
)
USER_STEP = TRANSLATIONS["config"]["step"]["user"]
ADVANCED = USER_STEP["sections"]["advanced"]
ENTITY_NAMES = TRANSLATIONS["entity"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# The first page load compiles and caches the frontend; later steps are quick.
FIRST_LOAD = 120_000
STEP = 30_000


def chromium() -> str:
    """Debian's chromium; never a browser downloaded by ``playwright install``."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Debian's chromium is missing: scripts/setup installs it")
    return path


@contextlib.asynccontextmanager
async def browser_page(timezone_id: str | None = None) -> AsyncIterator[Page]:
    """A fresh headless chromium page; its console errors go to a log file."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    console: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(
                viewport=VIEWPORT, timezone_id=timezone_id
            )
            page = await context.new_page()
            page.set_default_timeout(STEP)
            page.on("console", lambda m: console.append(f"console.{m.type}: {m.text}"))
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            try:
                yield page
            except BaseException:
                with contextlib.suppress(Exception):
                    await page.screenshot(path=SHOTS / "failure.png")
                raise
            finally:
                await context.close()
        finally:
            await browser.close()
            (SHOTS / "console.log").write_text("\n".join(console) + "\n")


async def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the viewport as a test artefact."""
    path = SHOTS / f"{name}.png"
    # Finished transitions: an expanding section is shown open, not halfway.
    await page.screenshot(path=path, animations="disabled")
    return path


def publish(screenshot: Path, name: str) -> None:
    """Copy a screenshot to docs/images for the README, only on request.

    Only on request: the picture changes with every run (relative times).
    """
    if os.environ.get("MOOGO_UPDATE_SCREENSHOT") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, IMAGES / name)


async def log_in(page: Page, real_home: RealHome) -> None:
    """Log in as the admin on Home Assistant's login page and confirm HTTP."""
    await page.goto(real_home.hass.url, timeout=FIRST_LOAD)
    await page.get_by_role("textbox", name="Username").fill(HA_USER)
    await page.get_by_role("textbox", name="Password").fill(HA_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("link", name="Settings")).to_be_visible(
        timeout=FIRST_LOAD
    )
    await confirm_http_settings(page, real_home)


async def started(real_home: RealHome) -> None:
    """Wait until Home Assistant has finished starting.

    Its HTTP API answers well before that; meanwhile the frontend shows a
    "Home Assistant is starting" toast over the pages.
    """
    await eventually(
        lambda: real_home.api.request("GET", "/api/config"),
        lambda config: config["state"] == "RUNNING",
        within=FIRST_LOAD / 1000,
        what="Home Assistant to finish starting",
    )


async def frontend_ready(real_home: RealHome) -> None:
    """Fail clearly if the frontend cannot load at all in this environment.

    The frontend's first WebSocket commands include ``get_services``; when
    Home Assistant cannot build the service descriptions (for example a base
    integration's requirement cannot be imported), the UI never gets past
    "Loading..." and every later step would only time out.
    """
    try:
        await real_home.api.websocket_command({"type": "get_services"})
    except RuntimeError as err:
        pytest.fail(
            f"Home Assistant cannot describe its actions ({err}), so its web UI "
            f"cannot load. Cause in its log: {_last_exception(real_home.log_text())}"
        )


def _last_exception(log: str) -> str:
    """The exception line that ends the log's last traceback."""
    found = re.findall(r"^\w+(?:\.\w+)*(?:Error|Exception): .*$", log, re.MULTILINE)
    return found[-1] if found else "none found"


async def confirm_http_settings(page: Page, real_home: RealHome) -> None:
    """Confirm the HTTP settings in the dialog Home Assistant shows admins.

    Home Assistant moves ``http:`` from configuration.yaml into its storage
    as a pending trial and restarts with the old settings five minutes later
    unless an admin confirms them in this dialog.
    """
    config: dict[str, Any] = await real_home.api.websocket_command(
        {"type": "http/config"}
    )
    if config["pending"] is None:
        return
    title = page.get_by_text("Confirm new HTTP server configuration")
    await expect(title).to_be_visible(timeout=STEP)
    await page.get_by_role("button", name="Confirm", exact=True).click()
    await expect(title).to_be_hidden()
    config = await real_home.api.websocket_command({"type": "http/config"})
    assert config["pending"] is None
    assert config["stable"]["server_port"] == real_home.hass.port


async def test_add_moogo_in_the_web_ui_and_spray_from_the_device_page(
    real_home: RealHome,
) -> None:
    """A user adds Moogo in the browser and mists from the device page."""
    sim = real_home.sim
    patio = next(device for device in sim.devices if device.name == "Patio Mister")
    await started(real_home)
    await frontend_ready(real_home)

    async with browser_page() as page:
        # 1. Log in on Home Assistant's own login page.
        await page.goto(real_home.hass.url, timeout=FIRST_LOAD)
        await expect(page.get_by_text("Welcome home!")).to_be_visible()
        await page.get_by_role("textbox", name="Username").fill(HA_USER)
        await page.get_by_role("textbox", name="Password").fill(HA_PASSWORD)
        await shot(page, "01-login")
        await page.get_by_role("button", name="Log in").click()
        settings = page.get_by_role("link", name="Settings")
        await expect(settings).to_be_visible(timeout=FIRST_LOAD)
        await confirm_http_settings(page, real_home)

        # 2. Settings > Devices & services > Add integration > Moogo.
        await settings.click()
        await page.get_by_role("link", name=re.compile(r"^Devices & services")).click()
        await page.wait_for_url("**/config/integrations/dashboard")
        add_integration = page.get_by_role("button", name="Add integration")
        await expect(add_integration).to_be_visible()
        await shot(page, "02-integrations")
        await add_integration.click()
        await page.get_by_placeholder("Search for a brand name").fill("Moogo")
        await page.get_by_role("button", name="Moogo", exact=True).click()

        # The form speaks the integration's translations; Advanced is collapsed.
        await expect(page.get_by_text(USER_STEP["title"])).to_be_visible()
        await expect(page.get_by_text(USER_STEP["description"])).to_be_visible()
        email = page.get_by_role("textbox", name=USER_STEP["data"]["email"])
        password = page.get_by_role("textbox", name=USER_STEP["data"]["password"])
        await expect(email).to_be_visible()
        await expect(password).to_be_visible()
        for key in ("email", "password"):
            text = USER_STEP["data_description"][key]
            await expect(page.get_by_text(text)).to_be_visible()
        advanced = page.get_by_role("button", name=ADVANCED["name"])
        await expect(advanced).to_have_attribute("aria-expanded", "false")
        api_url = page.get_by_role("textbox", name=ADVANCED["data"]["api_url"])
        await expect(api_url).to_be_hidden()
        await shot(page, "03-moogo-form")

        # A wrong password first, with the simulator's URL typed in the
        # collapsed section.
        await email.fill(DEMO_EMAIL)
        await password.fill("not-the-demo-password")
        await advanced.click()
        await expect(advanced).to_have_attribute("aria-expanded", "true")
        await expect(page.get_by_text(ADVANCED["description"])).to_be_visible()
        await expect(api_url).to_be_in_viewport(ratio=1)
        # The README says to leave the URL at the real cloud's address.
        await expect(api_url).to_have_value(DEFAULT_BASE_URL)
        await api_url.fill(sim.url)
        await shot(page, "04-moogo-form-filled")
        submit = page.get_by_role("button", name="Submit")
        await submit.click()

        # The form comes back with the error and with what was typed: the
        # URL too, not the cloud's address, so the next Submit goes there.
        error = TRANSLATIONS["config"]["error"]["invalid_auth"]
        await expect(page.get_by_text(error)).to_be_visible()
        await expect(email).to_have_value(DEMO_EMAIL)
        if await advanced.get_attribute("aria-expanded") != "true":
            await advanced.click()
        await expect(api_url).to_have_value(sim.url)
        await shot(page, "04b-wrong-password-keeps-the-url")
        await password.fill(DEMO_PASSWORD)
        logins = sim.request_counts.get("POST /v1/user/login", 0)
        await submit.click()

        # Created: Home Assistant offers to name and place the three devices.
        finish = page.get_by_role("button", name=re.compile("finish", re.IGNORECASE))
        await expect(finish).to_be_visible()
        for device in sim.devices:
            name = page.get_by_placeholder(device.name, exact=True)
            await expect(name).to_have_value(device.name)
        await shot(page, "05-devices-created")
        assert sim.request_counts.get("POST /v1/user/login", 0) == logins + 1
        entries = await real_home.api.entries("moogo")
        # The title hides the email: Home Assistant logs entry titles.
        assert [entry["title"] for entry in entries] == [account_title(DEMO_EMAIL)]
        assert entries[0]["state"] == "loaded"
        await finish.click()

        # 3. The integration page lists the devices; open the Patio Mister.
        await page.wait_for_url("**/config/integrations/integration/moogo*")
        # The entry, and the account's own service (its messages), by its title.
        titled = page.get_by_text(account_title(DEMO_EMAIL), exact=True)
        await expect(titled).to_have_count(2)
        await expect(page.get_by_role("link", name="3 devices")).to_be_visible()
        await expect(page.get_by_role("link", name="1 service")).to_be_visible()
        await shot(page, "06-integration-page")
        await page.get_by_role("button", name=re.compile(r"^Patio Mister")).click()
        await page.wait_for_url("**/config/devices/device/*")
        await expect(page.get_by_text(f"{patio.model} by Moogo")).to_be_visible()
        await expect(page.get_by_text(f"Firmware: {patio.firmware}")).to_be_visible()

        spray_row = page.locator("hui-toggle-entity-row").filter(
            has=page.get_by_text(ENTITY_NAMES["switch"]["spray"]["name"], exact=True)
        )
        spray = spray_row.get_by_role("switch")
        # The visible track and thumb cover the switch's input: click them.
        spray_toggle = spray_row.locator("ha-switch")
        await expect(spray).not_to_be_checked()
        # Connectivity sits among the sensors, where an offline device's
        # unavailable entities are explained, not in the diagnostic card.
        sensors_card = page.locator("ha-card").filter(
            has=page.get_by_text("Sensors", exact=True)
        )
        await expect(
            sensors_card.get_by_text("Connectivity", exact=True)
        ).to_be_visible()
        await shot(page, "07-device-page")

        # Spray on: the simulated device mists and the page follows the cloud.
        await spray_toggle.click()
        await expect(spray).to_be_checked()
        await eventually(
            lambda: _misting(real_home, patio.device_id),
            bool,
            within=10,
            what="the patio mister spraying",
        )
        await expect(spray).to_be_checked()
        publish(await shot(page, "08-spraying"), "device-page.png")

        # Spray off again.
        await spray_toggle.click()
        await expect(spray).not_to_be_checked()
        await eventually(
            lambda: _misting(real_home, patio.device_id),
            lambda value: not value,
            within=10,
            what="the patio mister stopped",
        )
        await shot(page, "09-stopped")

        # 4. The offline Garage Mister: its controls are unavailable, and the
        # Sensors card (not a diagnostic row) says why.
        await page.go_back()
        await page.wait_for_url("**/config/integrations/integration/moogo*")
        await page.get_by_role("button", name=re.compile(r"^Garage Mister")).click()
        await page.wait_for_url("**/config/devices/device/*")
        sensors_card = page.locator("ha-card").filter(
            has=page.get_by_text("Sensors", exact=True)
        )
        connectivity = sensors_card.locator("hui-simple-entity-row").filter(
            has=page.get_by_text("Connectivity", exact=True)
        )
        await expect(connectivity).to_contain_text("Disconnected")
        await shot(page, "10-offline-device")

        # 5. The Garden Mister as the app left it: its Schedules switch, the
        # app's master switch, is off; its schedule keeps its own switch.
        await page.go_back()
        await page.wait_for_url("**/config/integrations/integration/moogo*")
        await page.get_by_role("button", name=re.compile(r"^Garden Mister")).click()
        await page.wait_for_url("**/config/devices/device/*")
        schedules_row = page.locator("hui-toggle-entity-row").filter(
            has=page.get_by_text(
                ENTITY_NAMES["switch"]["schedules"]["name"], exact=True
            )
        )
        await expect(schedules_row.get_by_role("switch")).not_to_be_checked()
        await schedules_row.scroll_into_view_if_needed()
        await shot(page, "11-schedules-switch-off")

    garden = next(device for device in sim.devices if device.name == "Garden Mister")
    assert garden.schedule_switch_status == 0
    assert [schedule.status for schedule in garden.schedules] == [0]
    # The demo's device list comes two a page: step 3's "3 devices" were read
    # across pages.
    assert sim.page_size_limit == 2
    # The Patio Mister's next run is skipped in the cloud: HA names the next
    # run the cloud names, the one after the skipped run.
    runs = patio.schedules_to_api(sim.now())
    assert [run["is_skip"] for run in runs].count(True) == 1
    cloud_next = min(run["nextSprayingTime"] for run in runs if run["nextSprayingTime"])
    states = await real_home.api.states()
    shown = dt_util.parse_datetime(
        states["sensor.patio_mister_next_scheduled_mist"]["state"]
    )
    assert shown is not None
    assert shown.timestamp() == cloud_next
    assert moogo_errors(real_home.log_text()) == []


async def _misting(real_home: RealHome, device_id: str) -> bool:
    return real_home.sim.is_spraying(device_id)
