"""Numbers (device settings) of Moogo devices."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import DeviceConfig, MoogoClient
from .coordinator import MoogoConfigEntry
from .entity import MoogoEntity, add_device_entities
from .helpers import moogo_command

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MoogoNumberEntityDescription(NumberEntityDescription):
    """How one number reads and writes the device configuration."""

    value_fn: Callable[[DeviceConfig], float | int | None]
    set_fn: Callable[[MoogoClient, str, float], Coroutine[Any, Any, None]]


NUMBERS: tuple[MoogoNumberEntityDescription, ...] = (
    MoogoNumberEntityDescription(
        key="mist_duration",
        translation_key="mist_duration",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        native_min_value=1,
        native_max_value=3600,
        native_step=1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda config: config.mist_seconds,
        set_fn=lambda client, device_id, value: client.set_config(
            device_id, mist_seconds=round(value)
        ),
    ),
    MoogoNumberEntityDescription(
        key="stop_temperature",
        translation_key="stop_temperature",
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        native_min_value=-10,
        native_max_value=40,
        native_step=0.5,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda config: config.stop_temperature,
        set_fn=lambda client, device_id, value: client.set_config(
            device_id, stop_temperature=value
        ),
    ),
    MoogoNumberEntityDescription(
        key="concentration",
        translation_key="concentration",
        native_unit_of_measurement=PERCENTAGE,
        native_min_value=0,
        native_max_value=100,
        native_step=0.5,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda config: config.concentration,
        set_fn=lambda client, device_id, value: client.set_config(
            device_id, concentration=value
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add numbers for every device, now and as devices appear."""
    add_device_entities(entry, async_add_entities, MoogoNumberEntity, NUMBERS)


class MoogoNumberEntity(MoogoEntity, NumberEntity):
    """A configuration number of a device."""

    entity_description: MoogoNumberEntityDescription

    @property
    @override
    def native_value(self) -> float | int | None:
        """Return the configured value."""
        config = self.device_data.config
        return self.entity_description.value_fn(config) if config else None

    @moogo_command
    @override
    async def async_set_native_value(self, value: float) -> None:
        """Write the value to the device configuration."""
        await self.entity_description.set_fn(
            self.coordinator.client, self.device_id, value
        )
        await self.coordinator.async_refresh_slow_data(self.device_id)
