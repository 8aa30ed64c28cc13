"""Entity states of every platform, as syrupy snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.moogo import PLATFORMS, REMOVED_ENTITY_KEYS
from custom_components.moogo.const import DOMAIN
from tests.common import FROZEN_NOW, GARDEN_ID, PATIO_ID, Cloud, make_entry


def _volatile(prop: object, path: object) -> bool:
    return prop in {
        "id",
        "config_entries",
        "config_entries_subentries",
        "primary_config_entry",
        "created_at",
        "modified_at",
    }


@pytest.fixture
def platforms() -> list[Platform]:
    """All platforms, unless a test narrows them."""
    return PLATFORMS


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Enable entities that are disabled by default (as HA core's tests do)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
async def frozen_entry(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    platforms: list[Platform],
) -> MockConfigEntry:
    """Set up the integration at a fixed moment."""
    freezer.move_to(FROZEN_NOW)
    cloud.sim.device(PATIO_ID).latest_spraying_end = 1782922500.0
    cloud.sim.device(PATIO_ID).latest_spraying_duration = 45
    # One update on offer, one device up to date.
    cloud.sim.offer_firmware(PATIO_ID, "1.3.0")
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    with patch("custom_components.moogo.PLATFORMS", platforms):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return entry


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platforms",
    [[platform] for platform in PLATFORMS],
    ids=lambda platforms: platforms[0].value,
)
async def test_platform_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    frozen_entry: MockConfigEntry,
) -> None:
    """Every entity's registry entry and state match the snapshot."""
    await snapshot_platform(hass, entity_registry, snapshot, frozen_entry.entry_id)


async def test_device_info(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
    frozen_entry: MockConfigEntry,
) -> None:
    """Each device is registered with Moogo's name, model, firmware and serial."""
    for device_id in (PATIO_ID, GARDEN_ID):
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, device_id), frozen_entry.entry_id
        )
        assert device is not None
        assert device.manufacturer == "Moogo"
        assert device.serial_number == device_id
        assert device == snapshot(name=device_id, exclude=_volatile)


async def test_disabled_by_default(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    frozen_entry: MockConfigEntry,
) -> None:
    """Signal strength is a diagnostic sensor, disabled until the user wants it."""
    entity_id = entity_registry.async_get_entity_id(
        "sensor", DOMAIN, f"{PATIO_ID}_signal_strength"
    )
    assert entity_id is not None
    entry = entity_registry.async_get(entity_id)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(entity_id) is None


async def test_one_entity_per_fact(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    frozen_entry: MockConfigEntry,
) -> None:
    """27 entities per device and a switch per schedule, none repeating another.

    19 in 1.2 (22 before it); firmware, concentrate and concentration came
    after, then frost risk, the self-test, when a mist ends, the pause's end
    and the app's messages.
    """
    for device_id, schedules in ((PATIO_ID, 2), (GARDEN_ID, 1)):
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, device_id), frozen_entry.entry_id
        )
        assert device is not None
        keys = {
            entry.unique_id.removeprefix(f"{device_id}_")
            for entry in er.async_entries_for_device(
                entity_registry, device.id, include_disabled_entities=True
            )
        }
        schedule_keys = {key for key in keys if key.startswith("schedule_")}
        assert len(schedule_keys) == schedules
        assert len(keys - schedule_keys) == 27
        assert not keys & REMOVED_ENTITY_KEYS


async def test_offline_device_says_so_among_its_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    frozen_entry: MockConfigEntry,
) -> None:
    """Connectivity is a primary sensor (not diagnostic): the card shows it."""
    entity_id = entity_registry.async_get_entity_id(
        "binary_sensor", DOMAIN, f"{PATIO_ID}_online"
    )
    assert entity_id is not None
    entry = entity_registry.async_get(entity_id)
    assert entry is not None
    assert entry.entity_category is None
    assert entry.disabled_by is None


async def test_upgrade_removes_the_entities_that_repeated_another(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, cloud: Cloud
) -> None:
    """An entry of 1.1 loses its duplicate entities; the others keep their ids."""
    entry = make_entry(cloud, minor_version=1)
    entry.add_to_hass(hass)
    assert (entry.version, entry.minor_version) == (1, 1)
    removed = {
        ("binary_sensor", "spraying"),
        ("button", "mist_now"),
        ("sensor", "water_level"),
        ("sensor", "concentrate_level"),
    }
    # Kept entities the user had renamed: their entity ids must survive.
    kept = {("switch", "spray"), ("binary_sensor", "water_empty")}
    old_ids = {
        (platform, key): entity_registry.async_get_or_create(
            platform,
            DOMAIN,
            f"{PATIO_ID}_{key}",
            config_entry=entry,
            suggested_object_id=f"my_patio_{key}",
        ).entity_id
        for platform, key in removed | kept
    }

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.minor_version == 3
    for platform, key in removed:
        assert entity_registry.async_get(old_ids[platform, key]) is None
        assert (
            entity_registry.async_get_entity_id(platform, DOMAIN, f"{PATIO_ID}_{key}")
            is None
        )
        assert hass.states.get(old_ids[platform, key]) is None
    for platform, key in kept:
        assert old_ids[platform, key] == f"{platform}.my_patio_{key}"
        assert (
            entity_registry.async_get_entity_id(platform, DOMAIN, f"{PATIO_ID}_{key}")
            == old_ids[platform, key]
        )
        assert hass.states.get(old_ids[platform, key]) is not None
