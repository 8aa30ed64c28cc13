"""Sensors of Moogo devices."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import MoogoConfigEntry
from .data import MoogoDeviceData
from .entity import MoogoEntity, add_device_entities
from .schedule import weekday_names

# Read-only platform: the coordinator does all the I/O.
PARALLEL_UPDATES = 0


def _next_mist(data: MoogoDeviceData) -> datetime | None:
    run = data.next_mist()
    return run.start if run else None


def _enabled_schedules(data: MoogoDeviceData) -> int | None:
    if data.schedules is None:
        return None
    return sum(1 for schedule in data.schedules if schedule.enabled)


def _schedule_attributes(data: MoogoDeviceData) -> Mapping[str, Any] | None:
    # Time and weekday names as moogo.add_schedule / remove_schedule take them.
    if data.schedules is None:
        return None
    return {
        "schedules": [
            {
                "id": schedule.schedule_id,
                "time": f"{schedule.hour or 0:02d}:{schedule.minute or 0:02d}",
                "duration": schedule.duration,
                "weekdays": weekday_names(schedule.repeat_days),
                "enabled": schedule.enabled,
                "skip_next": bool(schedule.skip_next),
            }
            for schedule in data.schedules
        ]
    }


@dataclass(frozen=True, kw_only=True)
class MoogoSensorEntityDescription(SensorEntityDescription):
    """How one sensor reads the device data."""

    value_fn: Callable[[MoogoDeviceData], float | int | str | datetime | None]
    attributes_fn: Callable[[MoogoDeviceData], Mapping[str, Any] | None] | None = None
    #: The value depends on the time too, not only on the device data.
    follows_clock: bool = False


SENSORS: tuple[MoogoSensorEntityDescription, ...] = (
    MoogoSensorEntityDescription(
        key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.device.temperature,
    ),
    MoogoSensorEntityDescription(
        key="humidity",
        device_class=SensorDeviceClass.HUMIDITY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        # The device reports whole percent; decimals would be noise.
        suggested_display_precision=0,
        value_fn=lambda data: data.device.humidity,
    ),
    MoogoSensorEntityDescription(
        key="signal_strength",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.device.rssi,
    ),
    MoogoSensorEntityDescription(
        key="last_mist_end",
        translation_key="last_mist_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: data.device.latest_mist_end,
    ),
    MoogoSensorEntityDescription(
        key="last_mist_duration",
        translation_key="last_mist_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        value_fn=lambda data: data.device.latest_mist_duration,
    ),
    MoogoSensorEntityDescription(
        key="mist_end",
        translation_key="mist_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        # Only while misting: the end HA asked for, the default duration of a
        # mist it started, or the run of the schedule that started it.
        value_fn=lambda data: data.mist_ends_at if data.device.misting else None,
    ),
    MoogoSensorEntityDescription(
        key="next_mist",
        translation_key="next_mist",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_next_mist,
        follows_clock=True,
    ),
    MoogoSensorEntityDescription(
        key="paused_until",
        translation_key="paused_until",
        device_class=SensorDeviceClass.TIMESTAMP,
        # A timed pause (moogo.pause): when HA switches the schedules on again.
        value_fn=lambda data: data.paused_until,
    ),
    MoogoSensorEntityDescription(
        key="enabled_schedules",
        translation_key="enabled_schedules",
        # A count of configured items, not a measurement: no state class, so
        # no long-term statistics.
        value_fn=_enabled_schedules,
        attributes_fn=_schedule_attributes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add sensors for every device, now and as devices appear."""
    add_device_entities(entry, async_add_entities, MoogoSensorEntity, SENSORS)


class MoogoSensorEntity(MoogoEntity, SensorEntity):
    """A sensor reading one value of a device."""

    entity_description: MoogoSensorEntityDescription

    @override
    def _inputs(self) -> object:
        if self.entity_description.follows_clock:
            return (super()._inputs(), dt_util.utcnow())
        return super()._inputs()

    @property
    @override
    def native_value(self) -> float | int | str | datetime | None:
        """Return the sensor value."""
        return self.entity_description.value_fn(self.device_data)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return extra attributes where the description defines them."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.device_data)
