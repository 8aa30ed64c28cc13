"""Automation triggers of Moogo devices: misting, tanks, reachability."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, cast, override

from homeassistant.const import CONF_OPTIONS, CONF_TARGET
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.trigger import (
    Trigger,
    TriggerActionRunner,
    TriggerConfig,
    TriggerNotTriggeredReporter,
)
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from .data import MoogoDeviceData
from .device_changes import (
    SIGNAL_DEVICE_CHANGED,
    DeviceChange,
    async_registry_device_id,
    async_targeted_devices,
)

TRIGGER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_TARGET): cv.TARGET_FIELDS,
        vol.Optional(CONF_OPTIONS, default=dict): {},
    }
)


@dataclass(frozen=True, kw_only=True)
class MoogoTriggerDescription:
    """When a trigger fires, from a device's data before and after a change."""

    key: str
    fired_fn: Callable[[MoogoDeviceData, MoogoDeviceData], bool]


TRIGGER_DESCRIPTIONS: tuple[MoogoTriggerDescription, ...] = (
    MoogoTriggerDescription(
        key="started_misting",
        fired_fn=lambda before, after: (
            before.device.misting is not True and after.device.misting is True
        ),
    ),
    MoogoTriggerDescription(
        key="stopped_misting",
        fired_fn=lambda before, after: (
            before.device.misting is True and after.device.misting is False
        ),
    ),
    MoogoTriggerDescription(
        key="water_tank_empty",
        fired_fn=lambda before, after: (
            before.device.water_empty is not True and after.device.water_empty is True
        ),
    ),
    MoogoTriggerDescription(
        key="water_tank_refilled",
        fired_fn=lambda before, after: (
            before.device.water_empty is True and after.device.water_empty is False
        ),
    ),
    MoogoTriggerDescription(
        key="concentrate_tank_empty",
        fired_fn=lambda before, after: (
            before.device.concentrate_empty is not True
            and after.device.concentrate_empty is True
        ),
    ),
    MoogoTriggerDescription(
        key="went_offline",
        fired_fn=lambda before, after: before.available and not after.available,
    ),
)


class MoogoTrigger(Trigger):
    """Fires when a targeted device's data changes as the description says."""

    description: ClassVar[MoogoTriggerDescription]

    @override
    @classmethod
    async def async_validate_config(
        cls, hass: HomeAssistant, config: ConfigType
    ) -> ConfigType:
        """Validate the target; these triggers take no options."""
        return cast("ConfigType", TRIGGER_SCHEMA(config))

    def __init__(self, hass: HomeAssistant, config: TriggerConfig) -> None:
        """Keep the target; it is resolved at each change (devices may move)."""
        super().__init__(hass, config)
        self._target = config.target or {}

    @override
    async def async_attach_runner(
        self,
        run_action: TriggerActionRunner,
        did_not_trigger: TriggerNotTriggeredReporter | None = None,
    ) -> CALLBACK_TYPE:
        """Listen to device changes and run the action on a match."""
        description = self.description

        @callback
        def _changed(change: DeviceChange) -> None:
            if not description.fired_fn(change.before, change.after):
                return
            if change.device_id not in async_targeted_devices(self._hass, self._target):
                return
            name = change.after.device.name or change.device_id
            payload: dict[str, Any] = {
                "device_id": async_registry_device_id(self._hass, change),
                "moogo_device_id": change.device_id,
            }
            run_action(payload, f"Moogo {name}: {description.key}")

        return async_dispatcher_connect(self._hass, SIGNAL_DEVICE_CHANGED, _changed)


def _trigger_class(description: MoogoTriggerDescription) -> type[Trigger]:
    return type(
        f"MoogoTrigger_{description.key}", (MoogoTrigger,), {"description": description}
    )


TRIGGERS: dict[str, type[Trigger]] = {
    description.key: _trigger_class(description) for description in TRIGGER_DESCRIPTIONS
}


async def async_get_triggers(hass: HomeAssistant) -> dict[str, type[Trigger]]:
    """Return the triggers of Moogo devices."""
    return TRIGGERS
