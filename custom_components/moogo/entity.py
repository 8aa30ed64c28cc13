"""The base entity of Moogo devices, and how platforms add theirs per device."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, override

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .data import MoogoDeviceData


class MoogoEntity(CoordinatorEntity[MoogoCoordinator]):
    """An entity of one Moogo device."""

    _attr_has_entity_name = True
    _last_inputs: object = None
    _last_shown: tuple[object, ...] | None = None

    def __init__(
        self,
        coordinator: MoogoCoordinator,
        device_id: str,
        description: EntityDescription,
    ) -> None:
        """Bind the entity to a device and a description."""
        super().__init__(coordinator)
        self.entity_description = description
        self.device_id = device_id
        # Device ids are unique across the whole Moogo cloud, so two accounts
        # never collide.
        self._attr_unique_id = f"{device_id}_{description.key}"
        device = self.device_data.device
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, device_id)},
            manufacturer="Moogo",
            model=device.model,
            name=device.name or f"Moogo {device_id}",
            sw_version=device.firmware,
            serial_number=device_id,
        )

    @property
    def device_data(self) -> MoogoDeviceData:
        """Return the device's part of the latest snapshot."""
        return self.coordinator.data.devices[self.device_id]

    @property
    def device_listed(self) -> bool:
        """Whether the account answers and still lists this device, online or not."""
        return (
            self.coordinator.last_update_success
            and self.device_id in self.coordinator.data.devices
        )

    @property
    @override
    def available(self) -> bool:
        """Unavailable when the account, or this device, cannot be read."""
        return self.device_listed and self.device_data.available

    def _shown_besides_state(self) -> object:
        """Return what the entity shows outside its state (None unless overridden).

        Only for what a state write publishes beyond the state machine, such
        as a calendar's events to its subscribers.
        """
        return None

    def _inputs(self) -> object:
        """Return what the entity's state is made of, as cheap to compare as can be.

        The coordinator keeps a device's data object while it does not change,
        so most refreshes compare by identity alone.
        """
        return (
            self.coordinator.last_update_success,
            self.coordinator.data.devices.get(self.device_id),
        )

    def _shown(self) -> tuple[object, ...]:
        """Return what a state write would publish: state, attributes and name."""
        if not self.available:
            return (False,)
        return (
            True,
            self.state,
            self.state_attributes,
            self.extra_state_attributes,
            self.capability_attributes,
            self.name,
            self._shown_besides_state(),
        )

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what the entity shows has changed.

        Every refresh reaches every entity of every device; writing thousands
        of unchanged states held the event loop for 100+ ms at 200 devices,
        and even computing them (names, attributes) took as long. The checks
        live here once, so no platform has to remember them.
        """
        inputs = self._inputs()
        if inputs == self._last_inputs:
            return
        self._last_inputs = inputs
        shown = self._shown()
        if shown == self._last_shown:
            return
        self._last_shown = shown
        super()._handle_coordinator_update()


class MoogoSwitchEntityBase(MoogoEntity, SwitchEntity):
    """A switch whose on and off are one command, ``_async_set``."""

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the switch on."""
        await self._async_set(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the switch off."""
        await self._async_set(False)

    @abstractmethod
    async def _async_set(self, on: bool) -> None:
        """Send the command (a ``moogo_command``) that turns the switch on or off."""


def add_device_entities[DescriptionT: EntityDescription](
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity_class: Callable[[MoogoCoordinator, str, DescriptionT], MoogoEntity],
    descriptions: Sequence[DescriptionT],
) -> None:
    """Add a platform's entities for every device, now and whenever devices appear."""
    coordinator = entry.runtime_data

    def _add(device_ids: set[str]) -> None:
        async_add_entities(
            entity_class(coordinator, device_id, description)
            for device_id in sorted(device_ids)
            for description in descriptions
        )

    entry.async_on_unload(coordinator.async_add_new_device_listener(_add))
