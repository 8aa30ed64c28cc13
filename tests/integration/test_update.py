"""Firmware updates: offers from otaCheck on their own cadence, installs followed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.homeassistant import (
    DOMAIN as HOMEASSISTANT_DOMAIN,
    SERVICE_UPDATE_ENTITY,
)
from homeassistant.components.update import (
    ATTR_IN_PROGRESS,
    ATTR_INSTALLED_VERSION,
    ATTR_LATEST_VERSION,
    DOMAIN as UPDATE_DOMAIN,
    SERVICE_INSTALL,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.moogo.const import (
    DOMAIN,
    FIRMWARE_CHECK_INTERVAL,
    FIRMWARE_INSTALL_TIMEOUT,
    UPDATE_INTERVAL,
)
from tests.common import GARDEN_ID, PATIO_ID, Cloud, advance, entity_id_of

OTA_CHECK = "POST /v1/devices/{device_id}/otaCheck"
OTA_UPDATE = "POST /v1/devices/{device_id}/otaUpdate"
NEW_FIRMWARE = "1.3.0"


@pytest.fixture
async def firmware(hass: HomeAssistant, init_integration: MockConfigEntry) -> str:
    """The Patio's update entity, with the service to check it on demand."""
    assert await async_setup_component(hass, HOMEASSISTANT_DOMAIN, {})
    return entity_id_of(hass, UPDATE_DOMAIN, PATIO_ID, "firmware")


async def _check_now(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        HOMEASSISTANT_DOMAIN,
        SERVICE_UPDATE_ENTITY,
        {ATTR_ENTITY_ID: entity_id},
        blocking=True,
    )


def _install(hass: HomeAssistant, entity_id: str) -> asyncio.Future[None]:
    return asyncio.ensure_future(
        hass.services.async_call(
            UPDATE_DOMAIN, SERVICE_INSTALL, {ATTR_ENTITY_ID: entity_id}, blocking=True
        )
    )


async def _tick(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    delta: timedelta,
    until: Callable[[], bool],
) -> None:
    """Move the clock while an install runs; wait until ``until`` holds.

    Not ``advance``: async_block_till_done would wait for the install itself,
    and sleeping does not work on the frozen clock, so the loop is turned
    (real HTTP to the simulator) until the expected outcome shows.
    """
    freezer.tick(delta + timedelta(seconds=1))
    async_fire_time_changed(hass)
    for _ in range(20_000):
        if until():
            break
        await asyncio.sleep(0)
    else:
        raise AssertionError("the expected outcome did not show")
    # Let the requests of the refresh that showed it finish before the clock
    # moves again (a jump would run out their timeouts).
    for _ in range(2_000):
        await asyncio.sleep(0)


async def test_update_appears_when_the_user_checks(
    hass: HomeAssistant, cloud: Cloud, firmware: str
) -> None:
    """A version offered later shows after homeassistant.update_entity, one request."""
    state = hass.states.get(firmware)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_INSTALLED_VERSION] == "1.2.3"
    assert state.attributes[ATTR_LATEST_VERSION] == "1.2.3"

    cloud.sim.offer_firmware(PATIO_ID, NEW_FIRMWARE)
    cloud.sim.reset_counts()
    await _check_now(hass, firmware)

    state = hass.states.get(firmware)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_LATEST_VERSION] == NEW_FIRMWARE
    assert cloud.sim.request_counts == {OTA_CHECK: 1}


async def test_firmware_is_checked_every_six_hours_never_on_a_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    firmware: str,
) -> None:
    """Ordinary polls ask no otaCheck; the firmware check asks once per device."""
    cloud.sim.offer_firmware(PATIO_ID, NEW_FIRMWARE)
    cloud.sim.reset_counts()
    polls = 12
    for _ in range(polls):
        await advance(hass, freezer, UPDATE_INTERVAL)

    counts = cloud.sim.request_counts
    assert counts.get("GET /v1/devices") == polls
    assert OTA_CHECK not in counts
    assert hass.states.get(firmware).state == STATE_OFF

    await advance(hass, freezer, FIRMWARE_CHECK_INTERVAL)

    assert cloud.sim.request_counts[OTA_CHECK] == 2  # Patio and Garden
    assert hass.states.get(firmware).state == STATE_ON


async def test_install_shows_progress_until_the_device_is_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    cloud: Cloud,
    firmware: str,
) -> None:
    """otaUpdate, in progress while the device is offline, done with the new version."""
    cloud.sim.configure(firmware_install_seconds=100)
    cloud.sim.offer_firmware(PATIO_ID, NEW_FIRMWARE)
    await _check_now(hass, firmware)
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")

    install = _install(hass, firmware)
    # The refresh after otaUpdate finds the device offline.
    await _tick(
        hass,
        freezer,
        timedelta(seconds=1),
        lambda: hass.states.get(spray).state == STATE_UNAVAILABLE,
    )

    assert cloud.sim.request_counts[OTA_UPDATE] == 1
    state = hass.states.get(firmware)
    assert state.attributes[ATTR_IN_PROGRESS] is True
    assert state.attributes[ATTR_INSTALLED_VERSION] == "1.2.3"

    polls = cloud.sim.request_counts["GET /v1/devices"]
    await _tick(
        hass,
        freezer,
        UPDATE_INTERVAL,
        lambda: cloud.sim.request_counts["GET /v1/devices"] > polls,
    )
    # The device is offline on purpose: the update stays visible, in progress.
    assert hass.states.get(firmware).attributes[ATTR_IN_PROGRESS] is True
    assert not install.done()

    await _tick(hass, freezer, timedelta(seconds=100), install.done)
    await install

    state = hass.states.get(firmware)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_IN_PROGRESS] is False
    assert state.attributes[ATTR_INSTALLED_VERSION] == NEW_FIRMWARE
    assert hass.states.get(spray).state == STATE_OFF
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), init_integration.entry_id
    )
    assert device is not None
    assert device.sw_version == NEW_FIRMWARE


async def test_install_that_never_finishes_ends_with_a_translated_error(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    firmware: str,
) -> None:
    """A device still not back after the timeout ends the install, translated."""
    cloud.sim.configure(firmware_install_seconds=3600)
    cloud.sim.offer_firmware(PATIO_ID, NEW_FIRMWARE)
    await _check_now(hass, firmware)

    install = _install(hass, firmware)
    await _tick(
        hass,
        freezer,
        timedelta(seconds=1),
        lambda: not cloud.sim.device(PATIO_ID).online,
    )

    await _tick(hass, freezer, FIRMWARE_INSTALL_TIMEOUT, install.done)
    with pytest.raises(HomeAssistantError) as err:
        await install

    assert err.value.translation_key == "firmware_install_timeout"
    assert err.value.translation_placeholders == {
        "version": NEW_FIRMWARE,
        "minutes": "15",
    }
    # The device is offline (still installing): the update says so.
    assert hass.states.get(firmware).state == STATE_UNAVAILABLE


@pytest.mark.parametrize(
    ("fault", "translation_key"),
    [
        ({"truncated_json": True}, "unknown_error"),
        ({"drop_connection": True}, "communication_error"),
    ],
)
async def test_install_failure_is_translated(
    hass: HomeAssistant,
    cloud: Cloud,
    firmware: str,
    fault: dict[str, object],
    translation_key: str,
) -> None:
    """A refused or lost otaUpdate raises a translated error; nothing is in progress."""
    cloud.sim.offer_firmware(PATIO_ID, NEW_FIRMWARE)
    await _check_now(hass, firmware)
    cloud.sim.faults.update({**fault, "paths": ["/otaUpdate"]})

    with pytest.raises(HomeAssistantError) as err:
        await _install(hass, firmware)

    assert err.value.translation_key == translation_key
    state = hass.states.get(firmware)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_IN_PROGRESS] is False


async def test_no_install_on_an_offline_device(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    firmware: str,
) -> None:
    """The last poll saw the device offline: the update is unavailable, no otaUpdate."""
    cloud.sim.offer_firmware(PATIO_ID, NEW_FIRMWARE)
    await _check_now(hass, firmware)
    cloud.sim.set_online(PATIO_ID, False)
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert hass.states.get(firmware).state == STATE_UNAVAILABLE
    cloud.sim.reset_counts()

    # Home Assistant does not call an unavailable entity's install at all.
    await _install(hass, firmware)

    assert OTA_UPDATE not in cloud.sim.request_counts


async def test_failed_check_on_request_is_logged_once_and_keeps_the_offer(
    hass: HomeAssistant,
    cloud: Cloud,
    firmware: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A check the user asked for and the cloud did not answer: one warning, no traceback.

    The entity is unavailable meanwhile; the offer it knew shows again once
    the check answers.
    """
    cloud.sim.offer_firmware(PATIO_ID, NEW_FIRMWARE)
    await _check_now(hass, firmware)
    cloud.sim.faults.update({"http_status": 503, "paths": ["/otaCheck"]})
    caplog.clear()

    await _check_now(hass, firmware)
    await _check_now(hass, firmware)

    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "firmware check (otaCheck)" in warnings[0]
    assert "HTTP 503" in warnings[0]
    assert "Traceback" not in caplog.text
    assert hass.states.get(firmware).state == STATE_UNAVAILABLE

    cloud.sim.reset_faults()
    await _check_now(hass, firmware)
    assert hass.states.get(firmware).attributes[ATTR_LATEST_VERSION] == NEW_FIRMWARE


async def test_scheduled_check_failing_for_one_device_touches_only_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    firmware: str,
) -> None:
    """One device's unanswered check: its firmware unavailable, its offer kept."""
    cloud.sim.offer_firmware(PATIO_ID, NEW_FIRMWARE)
    await _check_now(hass, firmware)
    cloud.sim.offer_firmware(GARDEN_ID, "2.0.0")
    cloud.sim.faults.update({"http_status": 503, "paths": [f"{PATIO_ID}/otaCheck"]})

    await advance(hass, freezer, FIRMWARE_CHECK_INTERVAL)

    garden = entity_id_of(hass, UPDATE_DOMAIN, GARDEN_ID, "firmware")
    assert hass.states.get(garden).attributes[ATTR_LATEST_VERSION] == "2.0.0"
    assert hass.states.get(firmware).state == STATE_UNAVAILABLE
    temperature = entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    assert hass.states.get(temperature).state != STATE_UNAVAILABLE

    cloud.sim.reset_faults()
    await advance(hass, freezer, FIRMWARE_CHECK_INTERVAL)
    assert hass.states.get(firmware).attributes[ATTR_LATEST_VERSION] == NEW_FIRMWARE


async def test_no_answer_to_any_check_leaves_the_devices_alone(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """otaCheck failing for every device: only the Firmware entities are unavailable.

    Nothing says the devices could not be updated: they were.
    """
    cloud.sim.faults.update({"http_status": 404, "paths": ["/otaCheck"]})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    state = hass.states.get(entity_id_of(hass, UPDATE_DOMAIN, PATIO_ID, "firmware"))
    assert state.state == STATE_UNAVAILABLE
    temperature = entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    assert hass.states.get(temperature).state != STATE_UNAVAILABLE
    assert "HTTP 404" in caplog.text
    assert "Could not update" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_rate_limited_check_keeps_the_offers(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    firmware: str,
) -> None:
    """A throttled firmware check fails as a whole; the known offer stays."""
    cloud.sim.offer_firmware(PATIO_ID, NEW_FIRMWARE)
    await _check_now(hass, firmware)
    cloud.sim.faults.update({"http_status": 429, "paths": ["/otaCheck"]})
    checks = init_integration.runtime_data.firmware

    await checks.async_refresh()

    assert not checks.last_update_success
    assert hass.states.get(firmware).attributes[ATTR_LATEST_VERSION] == NEW_FIRMWARE


async def test_rejected_account_in_a_check_asks_to_reauthenticate(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A firmware check the cloud refuses for the account opens reauthentication."""
    cloud.sim.change_password(cloud.account.email, "changed-elsewhere")
    checks = init_integration.runtime_data.firmware

    await checks.async_refresh()
    await hass.async_block_till_done()

    assert not checks.last_update_success
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
