"""Switches of Moogo devices."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import MoogoClient
from .coordinator import MoogoConfigEntry
from .data import MoogoDeviceData
from .entity import MoogoSwitchEntityBase, add_device_entities
from .helpers import moogo_command
from .schedule_switch import async_add_schedule_switches
from .words import async_load_words

# Commands go to one cloud account; one at a time keeps it gentle.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MoogoSwitchEntityDescription(SwitchEntityDescription):
    """How one switch reads and sets a device."""

    value_fn: Callable[[MoogoDeviceData], bool | None]
    set_fn: Callable[[MoogoClient, str, bool], Coroutine[Any, Any, object]]
    # Misting is confirmed by the fast poll; the rest lives in slow data.
    changes_misting: bool = False


def _set_misting(
    client: MoogoClient, device_id: str, on: bool
) -> Coroutine[Any, Any, None]:
    return client.start_mist(device_id) if on else client.stop_mist(device_id)


SWITCHES: tuple[MoogoSwitchEntityDescription, ...] = (
    MoogoSwitchEntityDescription(
        key="spray",
        translation_key="spray",
        value_fn=lambda data: data.device.misting,
        set_fn=_set_misting,
        changes_misting=True,
    ),
    MoogoSwitchEntityDescription(
        key="schedules",
        translation_key="schedules",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda data: data.schedules_on,
        set_fn=lambda client, device_id, on: client.set_schedule_switch(device_id, on),
    ),
    MoogoSwitchEntityDescription(
        key="pause_in_rain",
        translation_key="pause_in_rain",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda data: data.config.pause_in_rain if data.config else None,
        set_fn=lambda client, device_id, on: client.set_config(
            device_id, pause_in_rain=on
        ),
    ),
    MoogoSwitchEntityDescription(
        key="pause_in_snow",
        translation_key="pause_in_snow",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda data: data.config.pause_in_snow if data.config else None,
        set_fn=lambda client, device_id, on: client.set_config(
            device_id, pause_in_snow=on
        ),
    ),
    MoogoSwitchEntityDescription(
        key="pause_in_windstorm",
        translation_key="pause_in_windstorm",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda data: data.config.pause_in_windstorm if data.config else None,
        set_fn=lambda client, device_id, on: client.set_config(
            device_id, pause_in_windstorm=on
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add switches for every device and schedule, now and as they appear."""
    add_device_entities(entry, async_add_entities, MoogoSwitchEntity, SWITCHES)
    async_add_schedule_switches(entry, async_add_entities, await async_load_words(hass))


class MoogoSwitchEntity(MoogoSwitchEntityBase):
    """A switch of a device."""

    entity_description: MoogoSwitchEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """Return the state."""
        return self.entity_description.value_fn(self.device_data)

    @override
    @moogo_command
    async def _async_set(self, on: bool) -> None:
        written = await self.entity_description.set_fn(
            self.coordinator.client, self.device_id, on
        )
        if self.entity_description.changes_misting:
            self.coordinator.commands.async_expect_misting(self.device_id, on)
        else:
            await self.coordinator.async_show_edit(self.device_id, written)
