"""The newest read of a device wins: an edit is never undone by a poll in flight."""

from __future__ import annotations

import asyncio

from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import DOMAIN
from tests.common import PATIO_ID, Cloud, entity_id_of

DETAIL = "/v1/devices/{device_id}"


async def _poll_held_on(
    hass: HomeAssistant, cloud: Cloud, entry: MockConfigEntry, route: str
) -> asyncio.Task[None]:
    """Start a poll that reads the Patio; return once it waits on ``route``.

    The Patio's GET of that route answers a second late: meanwhile the poll
    holds what it read before, or started from, while an edit goes out.
    """
    slow_path = route.replace("{device_id}", PATIO_ID)
    cloud.sim.faults.update(
        {"path_latency": 1.0, "paths": [f"{slow_path}$"], "methods": ["GET"]}
    )
    cloud.sim.reset_counts()
    poll = hass.async_create_task(entry.runtime_data.async_refresh())
    # The simulator logs a request as it arrives, before the latency.
    while not any(  # noqa: ASYNC110 - the simulator has no event to wait on
        request.key == f"GET {route}" for request in cloud.sim.request_log
    ):
        await asyncio.sleep(0.01)
    cloud.sim.reset_faults()
    return poll


async def test_a_setting_changed_during_a_poll_stays(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    number = entity_id_of(hass, "number", PATIO_ID, "stop_temperature")
    assert float(hass.states.get(number).state) == 10.0
    # The poll has read the configuration; the schedules keep it waiting.
    init_integration.runtime_data.reader.mark_all_due([PATIO_ID])
    poll = await _poll_held_on(hass, cloud, init_integration, f"{DETAIL}/schedules")

    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 20}, blocking=True
    )
    assert not poll.done()
    await poll
    await hass.async_block_till_done()

    assert cloud.sim.device(PATIO_ID).stop_temperature == 20
    assert float(hass.states.get(number).state) == 20.0


async def test_a_schedule_added_during_a_poll_keeps_its_switch(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), init_integration.entry_id
    )
    assert device is not None
    # Renamed in the app: the poll reads the detail (slow data is not due),
    # holding the schedules it started from.
    cloud.sim.device(PATIO_ID).name = "Patio renamed"
    poll = await _poll_held_on(hass, cloud, init_integration, DETAIL)

    result = await hass.services.async_call(
        DOMAIN,
        "add_schedule",
        {ATTR_DEVICE_ID: device.id, "time": "05:05", "duration": 30},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    await poll
    await hass.async_block_till_done()

    key = f"{PATIO_ID}_schedule_{result['schedule_id']}"
    assert er.async_get(hass).async_get_entity_id("switch", DOMAIN, key) is not None
