"""An unloaded or reloaded entry leaves nothing running and repeats no check."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import DOMAIN
from tests.common import GARDEN_ID, Cloud, tick

OTA_CHECK = "POST /v1/devices/{device_id}/otaCheck"


async def test_a_command_in_flight_at_unload_leaves_no_timer(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A mist asked for just before the unload: no confirmation, no stop later."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, GARDEN_ID), init_integration.entry_id
    )
    assert device is not None
    cloud.sim.faults.latency = 0.3
    call = hass.async_create_task(
        hass.services.async_call(
            DOMAIN, "mist", {ATTR_DEVICE_ID: device.id, "duration": 20}, blocking=True
        )
    )
    await asyncio.sleep(0.1)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await call
    cloud.sim.faults.latency = 0
    cloud.sim.reset_counts()

    await tick(hass, timedelta(seconds=25))

    assert cloud.sim.request_counts == {}


async def test_reloads_do_not_check_the_firmware_again(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """One otaCheck per device at setup; reloads within the interval reuse it."""
    cloud.sim.reset_counts()
    for _ in range(5):
        await hass.config_entries.async_reload(init_integration.entry_id)
        await hass.async_block_till_done()

    assert OTA_CHECK not in cloud.sim.request_counts
    firmware = init_integration.runtime_data.firmware
    assert set(firmware.data) == {"MGPATIO0001", GARDEN_ID}
