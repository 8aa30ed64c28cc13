"""The concentrate product (a select of the cloud's products) and its concentration."""

from __future__ import annotations

from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.components.select import (
    ATTR_OPTION,
    ATTR_OPTIONS,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.common import PATIO_ID, Cloud, entity_id_of

PRODUCTS = [
    "Moogo Mosquito Concentrate",
    "Moogo Fly Concentrate",
    "Water Only",
]


async def test_concentrate_select_offers_the_cloud_products(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The options are the public product list; the state is the configured one."""
    state = hass.states.get(entity_id_of(hass, SELECT_DOMAIN, PATIO_ID, "concentrate"))

    assert state.attributes[ATTR_OPTIONS] == PRODUCTS
    assert state.state == "Moogo Mosquito Concentrate"


async def test_selecting_a_product_writes_the_configuration(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The chosen product reaches the cloud and shows at once."""
    entity_id = entity_id_of(hass, SELECT_DOMAIN, PATIO_ID, "concentrate")

    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: "Moogo Fly Concentrate"},
        blocking=True,
    )

    assert cloud.sim.device(PATIO_ID).liquid_name == "Moogo Fly Concentrate"
    assert hass.states.get(entity_id).state == "Moogo Fly Concentrate"


async def test_a_product_the_list_lacks_stays_selectable(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """A product set in the app but not (or no longer) listed is still shown."""
    cloud.sim.device(PATIO_ID).liquid_name = "Old Citronella Mix"
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    state = hass.states.get(entity_id_of(hass, SELECT_DOMAIN, PATIO_ID, "concentrate"))

    assert state.state == "Old Citronella Mix"
    assert state.attributes[ATTR_OPTIONS] == [*PRODUCTS, "Old Citronella Mix"]


async def test_mix_ratio_number_writes_the_configuration(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The mix ratio (N : 1, a whole number) reaches the cloud and shows at once."""
    entity_id = entity_id_of(hass, NUMBER_DOMAIN, PATIO_ID, "concentration")
    assert float(hass.states.get(entity_id).state) == 100
    assert "unit_of_measurement" not in hass.states.get(entity_id).attributes

    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: 150},
        blocking=True,
    )

    assert cloud.sim.device(PATIO_ID).liquid_concentration == 150
    assert float(hass.states.get(entity_id).state) == 150


async def test_write_failure_is_translated(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A lost configuration write raises a translated error; nothing changes."""
    entity_id = entity_id_of(hass, SELECT_DOMAIN, PATIO_ID, "concentrate")
    cloud.sim.faults.update(
        {"drop_connection": True, "paths": ["/configs"], "methods": ["PUT"]}
    )

    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: "Water Only"},
            blocking=True,
        )

    assert err.value.translation_key == "communication_error"
    assert cloud.sim.device(PATIO_ID).liquid_name == "Moogo Mosquito Concentrate"


async def test_product_list_unreachable_retries_the_select_platform(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """Without the product list the selects wait; the rest of the entry works."""
    cloud.sim.faults.update({"http_status": 503, "paths": ["/v1/liquid"]})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.state is ConfigEntryState.LOADED
    assert entity_id_of(hass, NUMBER_DOMAIN, PATIO_ID, "concentration")
    assert hass.states.async_all(SELECT_DOMAIN) == []
