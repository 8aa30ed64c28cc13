"""Binary sensors of Moogo devices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import MoogoConfigEntry
from .data import MoogoDeviceData
from .entity import MoogoEntity, add_device_entities

PARALLEL_UPDATES = 0

# Below this temperature (°C) the app warns before a manual start; below 8 °C
# the cloud refuses every start (code 10202) until the device warms up.
FROST_WARNING_CELSIUS = 10


def _frost_risk(data: MoogoDeviceData) -> bool | None:
    temperature = data.device.temperature
    return None if temperature is None else temperature < FROST_WARNING_CELSIUS


@dataclass(frozen=True, kw_only=True)
class MoogoBinarySensorEntityDescription(BinarySensorEntityDescription):
    """How one binary sensor reads the device data."""

    value_fn: Callable[[MoogoDeviceData], bool | None]
    # The connectivity sensor must stay available to tell that a device is offline.
    always_available: bool = False


BINARY_SENSORS: tuple[MoogoBinarySensorEntityDescription, ...] = (
    MoogoBinarySensorEntityDescription(
        key="online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        # Not diagnostic: when the device is offline and its other entities
        # are unavailable, this is the row among the sensors (and on
        # auto-generated dashboards) that tells the user why.
        value_fn=lambda data: data.device.online,
        always_available=True,
    ),
    MoogoBinarySensorEntityDescription(
        key="water_empty",
        translation_key="water_empty",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda data: data.device.water_empty,
    ),
    MoogoBinarySensorEntityDescription(
        key="concentrate_empty",
        translation_key="concentrate_empty",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda data: data.device.concentrate_empty,
    ),
    MoogoBinarySensorEntityDescription(
        key="frost_risk",
        translation_key="frost_risk",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=_frost_risk,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add binary sensors for every device, now and as devices appear."""
    add_device_entities(
        entry, async_add_entities, MoogoBinarySensorEntity, BINARY_SENSORS
    )


class MoogoBinarySensorEntity(MoogoEntity, BinarySensorEntity):
    """A binary sensor of a device."""

    entity_description: MoogoBinarySensorEntityDescription

    @property
    @override
    def available(self) -> bool:
        """Connectivity stays available while the account answers."""
        if self.entity_description.always_available:
            return self.device_listed
        return super().available

    @property
    @override
    def is_on(self) -> bool | None:
        """Return the state."""
        return self.entity_description.value_fn(self.device_data)
