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
from homeassistant.const import EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import DeviceConfig, MoogoClient
from .const import (
    MIST_SECONDS_MAX,
    MIST_SECONDS_MIN,
    MIST_SECONDS_STEP,
    MIX_RATIO_MAX,
    MIX_RATIO_MIN,
)
from .coordinator import MoogoConfigEntry
from .entity import MoogoEntity, add_device_entities
from .helpers import moogo_command
from .schedule import offered_duration

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MoogoNumberEntityDescription(NumberEntityDescription):
    """How one number reads and writes the device configuration."""

    value_fn: Callable[[DeviceConfig], float | int | None]
    set_fn: Callable[[MoogoClient, str, float], Coroutine[Any, Any, object]]


NUMBERS: tuple[MoogoNumberEntityDescription, ...] = (
    MoogoNumberEntityDescription(
        key="mist_duration",
        translation_key="mist_duration",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        native_min_value=MIST_SECONDS_MIN,
        native_max_value=MIST_SECONDS_MAX,
        native_step=MIST_SECONDS_STEP,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        # A value the cloud gave outside the app's durations is still shown.
        value_fn=lambda config: config.mist_seconds,
        # The steps reach a few seconds the app does not offer: refused.
        set_fn=lambda client, device_id, value: client.set_config(
            device_id,
            mist_seconds=offered_duration(
                value, translation_key="duration_not_offered"
            ),
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
        # The key keeps the entity's unique id from when this was misread as a
        # percentage; the cloud's liquidConcentration is the mix ratio N : 1.
        key="concentration",
        translation_key="mix_ratio",
        native_min_value=MIX_RATIO_MIN,
        native_max_value=MIX_RATIO_MAX,
        native_step=1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda config: config.concentration,
        set_fn=lambda client, device_id, value: client.set_config(
            device_id, concentration=int(value)
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
        written = await self.entity_description.set_fn(
            self.coordinator.client, self.device_id, value
        )
        await self.coordinator.async_show_edit(self.device_id, written)
