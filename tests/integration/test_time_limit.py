"""Every request has its own time limit, set by the integration on the client.

HA's shared session waits five minutes; the client gives each request
REQUEST_TIMEOUT instead. A command is one or more requests: each gets the
whole limit, so a slow but working cloud still takes a setting.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from unittest.mock import patch

from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.common import PATIO_ID, Cloud, entity_id_of

# Short stand-ins for the real 15 s, so that the tests wait under a second.
LIMIT = 1.0
SLOW = 0.6  # within the limit for one request, past it for two in a row
SILENT = 3.0  # past the limit


@pytest.fixture
async def slow_entry(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """The integration set up with a client whose requests have LIMIT seconds."""
    with patch("custom_components.moogo.REQUEST_TIMEOUT", LIMIT):
        config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        yield config_entry


async def test_setting_on_a_slow_cloud_is_taken_and_shown(
    hass: HomeAssistant, cloud: Cloud, slow_entry: MockConfigEntry
) -> None:
    """A read and a write, each slow but in time: the setting succeeds."""
    number = entity_id_of(hass, "number", PATIO_ID, "stop_temperature")
    cloud.sim.faults.latency = SLOW
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: number, ATTR_VALUE: 20},
        blocking=True,
    )
    assert cloud.sim.device(PATIO_ID).stop_temperature == 20
    assert float(hass.states.get(number).state) == 20


async def test_schedule_edit_with_a_slow_re_read_is_not_a_failure(
    hass: HomeAssistant, cloud: Cloud, slow_entry: MockConfigEntry
) -> None:
    """The edit is taken; the re-read that runs out of time waits for the poll."""
    switch = entity_id_of(hass, "switch", PATIO_ID, "schedules")
    assert hass.states.get(switch).state == STATE_ON
    cloud.sim.faults.update(
        {"path_latency": SILENT, "paths": ["/schedules$"], "methods": ["GET"]}
    )
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: switch}, blocking=True
    )
    assert cloud.sim.device(PATIO_ID).schedule_switch_status == 0


async def test_command_the_cloud_never_answers_fails_translated(
    hass: HomeAssistant, cloud: Cloud, slow_entry: MockConfigEntry
) -> None:
    switch = entity_id_of(hass, "switch", PATIO_ID, "spray")
    cloud.sim.faults.latency = SILENT
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: switch}, blocking=True
        )
    assert err.value.translation_key == "communication_error"
    assert "Timed out" in str(err.value)
    assert hass.states.get(switch).state == STATE_OFF


async def test_refresh_fails_in_time_and_recovers(
    hass: HomeAssistant, cloud: Cloud, slow_entry: MockConfigEntry
) -> None:
    coordinator = slow_entry.runtime_data
    cloud.sim.faults.latency = SILENT
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert "Timed out on GET /v1/devices" in str(coordinator.last_exception)

    cloud.sim.reset_faults()
    await coordinator.async_refresh()
    assert coordinator.last_update_success
