"""Automation conditions of Moogo devices: misting, water tank."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Unpack, cast, override

from homeassistant.const import CONF_OPTIONS, CONF_TARGET
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.condition import (
    ATTR_BEHAVIOR,
    BEHAVIOR_ALL,
    BEHAVIOR_ANY,
    Condition,
    ConditionCheckParams,
    ConditionConfig,
)
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from .data import MoogoDeviceData
from .device_changes import (
    SIGNAL_DEVICE_CHANGED,
    DeviceChange,
    async_device_data,
    async_targeted_devices,
)

CONDITION_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_TARGET): cv.TARGET_FIELDS,
        vol.Required(CONF_OPTIONS, default=dict): {
            vol.Required(ATTR_BEHAVIOR, default=BEHAVIOR_ANY): vol.In(
                [BEHAVIOR_ANY, BEHAVIOR_ALL]
            ),
        },
    }
)


@dataclass(frozen=True, kw_only=True)
class MoogoConditionDescription:
    """What a condition tests on one device's data."""

    key: str
    test_fn: Callable[[MoogoDeviceData], bool]


CONDITION_DESCRIPTIONS: tuple[MoogoConditionDescription, ...] = (
    MoogoConditionDescription(
        key="is_misting",
        test_fn=lambda data: data.available and data.device.misting is True,
    ),
    MoogoConditionDescription(
        key="water_tank_is_empty",
        test_fn=lambda data: data.device.water_empty is True,
    ),
    MoogoConditionDescription(
        key="concentrate_tank_is_empty",
        test_fn=lambda data: data.device.concentrate_empty is True,
    ),
)


class MoogoCondition(Condition):
    """True when any (or all) targeted devices pass the description's test."""

    description: ClassVar[MoogoConditionDescription]

    @override
    @classmethod
    async def async_validate_config(
        cls, hass: HomeAssistant, config: ConfigType
    ) -> ConfigType:
        """Validate the target and the behavior."""
        return cast("ConfigType", CONDITION_SCHEMA(config))

    def __init__(self, hass: HomeAssistant, config: ConditionConfig) -> None:
        """Keep the target; it is resolved at each check (devices may move)."""
        super().__init__(hass, config)
        if TYPE_CHECKING:
            assert config.options is not None
        self._target = config.target or {}
        self._behavior: str = config.options[ATTR_BEHAVIOR]

    @override
    def _async_check(self, **kwargs: Unpack[ConditionCheckParams]) -> bool:
        """Test every targeted device; an unknown or unloaded one fails."""
        results = [
            data is not None and self.description.test_fn(data)
            for data in (
                async_device_data(self._hass, moogo_id)
                for moogo_id in async_targeted_devices(self._hass, self._target)
            )
        ]
        if not results:
            return False
        return all(results) if self._behavior == BEHAVIOR_ALL else any(results)

    @property
    @override
    def needs_polling(self) -> bool:
        """Device changes are announced, so nothing needs polling."""
        return False

    @override
    async def _async_track_changes(self, action: Callable[[], None]) -> CALLBACK_TYPE:
        @callback
        def _changed(_change: DeviceChange) -> None:
            action()

        return async_dispatcher_connect(self._hass, SIGNAL_DEVICE_CHANGED, _changed)


def _condition_class(description: MoogoConditionDescription) -> type[Condition]:
    return type(
        f"MoogoCondition_{description.key}",
        (MoogoCondition,),
        {"description": description},
    )


CONDITIONS: dict[str, type[Condition]] = {
    description.key: _condition_class(description)
    for description in CONDITION_DESCRIPTIONS
}


async def async_get_conditions(hass: HomeAssistant) -> dict[str, type[Condition]]:
    """Return the conditions of Moogo devices."""
    return CONDITIONS
