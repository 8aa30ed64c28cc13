"""A switch per schedule: named by time and days, following schedules as they change."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_FRIENDLY_NAME,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import DOMAIN, SLOW_UPDATE_INTERVAL
from tests.common import GARDEN_ID, PATIO_ID, Cloud, advance, entity_id_of


def _schedule_switches(
    entity_registry: er.EntityRegistry, entry: MockConfigEntry, device_id: str
) -> dict[str, str]:
    prefix = f"{device_id}_schedule_"
    return {
        registry_entry.unique_id.removeprefix(prefix): registry_entry.entity_id
        for registry_entry in er.async_entries_for_config_entry(
            entity_registry, entry.entry_id
        )
        if registry_entry.unique_id.startswith(prefix)
    }


async def _switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_one_switch_per_schedule_named_by_time_and_days(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    """Weekdays as a range, every day in words; the state is the schedule's."""
    patio = _schedule_switches(entity_registry, init_integration, PATIO_ID)
    garden = _schedule_switches(entity_registry, init_integration, GARDEN_ID)

    assert set(patio) == {"S1", "S2"}
    assert set(garden) == {"S3"}
    weekdays, daily, saturday = (
        hass.states.get(patio["S1"]),
        hass.states.get(patio["S2"]),
        hass.states.get(garden["S3"]),
    )
    assert weekdays.attributes[ATTR_FRIENDLY_NAME] == "Patio Mist at 07:30 on Mon-Fri"
    assert daily.attributes[ATTR_FRIENDLY_NAME] == "Patio Mist at 19:00 every day"
    assert saturday.attributes[ATTR_FRIENDLY_NAME] == "Garden Mist at 20:15 on Sat"
    assert (weekdays.state, daily.state, saturday.state) == (
        STATE_ON,
        STATE_ON,
        STATE_OFF,
    )
    # Beside the switch for all schedules, which stays.
    assert entity_id_of(hass, SWITCH_DOMAIN, PATIO_ID, "schedules")


async def test_switch_turns_one_schedule_on_and_off(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Turning it off disables that schedule only; on enables it again."""
    entity_id = entity_id_of(hass, SWITCH_DOMAIN, PATIO_ID, "schedule_S1")

    await _switch(hass, SERVICE_TURN_OFF, entity_id)

    patio = cloud.sim.device(PATIO_ID)
    assert [schedule.status for schedule in patio.schedules] == [0, 1]
    assert hass.states.get(entity_id).state == STATE_OFF

    await _switch(hass, SERVICE_TURN_ON, entity_id)

    assert [schedule.status for schedule in patio.schedules] == [1, 1]
    assert hass.states.get(entity_id).state == STATE_ON


async def test_switches_follow_schedules_added_edited_and_deleted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Changes made in the app show at the slow poll; deleted ones leave the registry."""
    gone = entity_id_of(hass, SWITCH_DOMAIN, PATIO_ID, "schedule_S1")
    edited = entity_id_of(hass, SWITCH_DOMAIN, PATIO_ID, "schedule_S2")
    patio = cloud.sim.device(PATIO_ID)
    patio.schedules.pop(0)
    patio.schedules[0].hour, patio.schedules[0].repeat_set = 6, "0,6"
    added = cloud.sim.add_schedule(
        PATIO_ID, hour=12, minute=5, duration=30, repeat_set=""
    )

    await advance(hass, freezer, SLOW_UPDATE_INTERVAL)

    switches = _schedule_switches(entity_registry, init_integration, PATIO_ID)
    assert set(switches) == {"S2", added.schedule_id}
    assert entity_registry.async_get(gone) is None
    assert hass.states.get(gone) is None
    assert (
        hass.states.get(edited).attributes[ATTR_FRIENDLY_NAME]
        == "Patio Mist at 06:00 on Sat, Sun"
    )
    new = hass.states.get(switches[added.schedule_id])
    assert new.attributes[ATTR_FRIENDLY_NAME] == "Patio Mist at 12:05 once"
    assert new.state == STATE_ON


async def test_schedules_deleted_while_home_assistant_was_off_lose_their_switches(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    cloud: Cloud,
    config_entry: MockConfigEntry,
) -> None:
    """A registry entry of a schedule the cloud no longer has is removed at setup."""
    config_entry.add_to_hass(hass)
    stale = entity_registry.async_get_or_create(
        SWITCH_DOMAIN, DOMAIN, f"{PATIO_ID}_schedule_S99", config_entry=config_entry
    )

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert entity_registry.async_get(stale.entity_id) is None
    assert set(_schedule_switches(entity_registry, config_entry, PATIO_ID)) == {
        "S1",
        "S2",
    }


async def test_schedule_switch_errors_are_translated(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A schedule deleted elsewhere answers 404: the user gets a translated error."""
    entity_id = entity_id_of(hass, SWITCH_DOMAIN, PATIO_ID, "schedule_S1")
    cloud.sim.device(PATIO_ID).schedules.pop(0)

    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, SERVICE_TURN_OFF, entity_id)

    assert err.value.translation_key == "unknown_error"
