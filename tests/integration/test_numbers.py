"""The "Default mist duration" number: the app's durations, and no others."""

from __future__ import annotations

from homeassistant.components.number import (
    ATTR_MAX,
    ATTR_MIN,
    ATTR_STEP,
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import DOMAIN, MIST_DURATIONS
from tests.common import PATIO_ID, Cloud, entity_id_of

CONFIG_WRITE = "PUT /v1/devices/{device_id}/configs"


async def _set(hass: HomeAssistant, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {
            ATTR_ENTITY_ID: entity_id_of(hass, "number", PATIO_ID, "mist_duration"),
            ATTR_VALUE: value,
        },
        blocking=True,
    )


async def test_the_number_spans_the_apps_durations(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """20 s to 2 minutes in steps of 5 s, which reach every offered duration."""
    state = hass.states.get(entity_id_of(hass, "number", PATIO_ID, "mist_duration"))
    assert state is not None
    attributes = state.attributes
    assert (attributes[ATTR_MIN], attributes[ATTR_MAX], attributes[ATTR_STEP]) == (
        20,
        120,
        5,
    )
    assert all(
        (seconds - attributes[ATTR_MIN]) % attributes[ATTR_STEP] == 0
        for seconds in MIST_DURATIONS
    )


async def test_an_offered_duration_is_written(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """45 s, one of the app's steps, becomes the device's sprayingSeconds."""
    await _set(hass, 45)
    assert cloud.sim.device(PATIO_ID).spraying_seconds == 45


@pytest.mark.parametrize("seconds", [25, 35, 40, 47.5])
async def test_a_duration_between_the_apps_steps_is_refused(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    seconds: float,
) -> None:
    """The number's steps reach a few values the app lacks: refused, unsent."""
    cloud.sim.reset_counts()
    with pytest.raises(ServiceValidationError) as err:
        await _set(hass, seconds)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "duration_not_offered"
    assert (err.value.translation_placeholders or {})["duration"] == f"{seconds:g}"
    assert CONFIG_WRITE not in cloud.sim.request_counts
    assert cloud.sim.device(PATIO_ID).spraying_seconds == 60


@pytest.mark.parametrize("seconds", [10, 125, 3600])
async def test_a_duration_outside_the_range_is_refused(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    seconds: int,
) -> None:
    """Home Assistant's own range check, from the entity's min and max."""
    cloud.sim.reset_counts()
    with pytest.raises(ServiceValidationError):
        await _set(hass, seconds)
    assert list(cloud.sim.request_log) == []
    assert cloud.sim.device(PATIO_ID).spraying_seconds == 60


async def test_a_default_set_elsewhere_is_still_shown(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """A value outside the app's durations, set elsewhere, is shown as it is."""
    cloud.sim.device(PATIO_ID).spraying_seconds = 300
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id_of(hass, "number", PATIO_ID, "mist_duration"))
    assert state is not None
    assert float(state.state) == 300
