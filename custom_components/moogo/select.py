"""Selects (device settings with a fixed list of choices) of Moogo devices."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import PlatformNotReady
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import DeviceConfig, MoogoClient, MoogoError
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .entity import MoogoEntity
from .helpers import moogo_command

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MoogoSelectEntityDescription(SelectEntityDescription):
    """How one select reads and writes the device configuration."""

    value_fn: Callable[[DeviceConfig], str | None]
    set_fn: Callable[[MoogoClient, str, str], Coroutine[Any, Any, object]]


def concentrate_description(products: list[str]) -> MoogoSelectEntityDescription:
    """Describe the concentrate product, chosen from the cloud's product list."""
    return MoogoSelectEntityDescription(
        key="concentrate",
        translation_key="concentrate",
        entity_category=EntityCategory.CONFIG,
        options=products,
        value_fn=lambda config: config.concentrate_name,
        set_fn=lambda client, device_id, option: client.set_config(
            device_id, concentrate_name=option
        ),
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Read the product list once (it is the same for everyone), then add selects."""
    coordinator = entry.runtime_data
    try:
        liquids = await coordinator.client.get_liquids()
    except MoogoError as err:
        # Home Assistant sets the platform up again later.
        raise PlatformNotReady(str(err)) from err
    products = list(dict.fromkeys(item.name for item in liquids if item.name))
    description = concentrate_description(products)

    def _add(device_ids: set[str]) -> None:
        async_add_entities(
            MoogoSelectEntity(coordinator, device_id, description)
            for device_id in sorted(device_ids)
        )

    entry.async_on_unload(coordinator.async_add_new_device_listener(_add))


class MoogoSelectEntity(MoogoEntity, SelectEntity):
    """A configuration choice of a device."""

    entity_description: MoogoSelectEntityDescription

    def __init__(
        self,
        coordinator: MoogoCoordinator,
        device_id: str,
        description: MoogoSelectEntityDescription,
    ) -> None:
        """Offer the description's options."""
        super().__init__(coordinator, device_id, description)
        self._attr_options = list(description.options or [])

    @property
    @override
    def options(self) -> list[str]:
        """The products, and the configured one should the list not name it."""
        current = self._configured()
        if current is not None and current not in self._attr_options:
            return [*self._attr_options, current]
        return self._attr_options

    def _configured(self) -> str | None:
        config = self.device_data.config
        return self.entity_description.value_fn(config) if config else None

    @property
    @override
    def current_option(self) -> str | None:
        """Return the configured product."""
        return self._configured()

    @moogo_command
    @override
    async def async_select_option(self, option: str) -> None:
        """Write the product to the device configuration."""
        written = await self.entity_description.set_fn(
            self.coordinator.client, self.device_id, option
        )
        await self.coordinator.async_show_edit(self.device_id, written)
