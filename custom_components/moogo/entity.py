"""Base entity and command error handling of the Moogo integration."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Concatenate

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import (
    MoogoAuthError,
    MoogoConnectionError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoRateLimitError,
    MoogoResponseError,
)
from .const import COMMAND_TIMEOUT, DOMAIN
from .coordinator import MoogoConfigEntry, MoogoCoordinator, MoogoDeviceData
from .helpers import bounded


def translated_error(err: MoogoError) -> HomeAssistantError:
    """Turn a client error into the translated error HA shows to the user."""
    if isinstance(err, MoogoAuthError):
        key = "auth_failed"
    elif isinstance(err, MoogoRateLimitError):
        key = "rate_limited"
    elif isinstance(err, MoogoDeviceOfflineError):
        key = "device_offline"
    elif isinstance(err, MoogoConnectionError):
        key = "communication_error"
    else:
        key = "unknown_error"
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err)},
    )


async def run_command[T](
    coordinator: MoogoCoordinator,
    command: Coroutine[Any, Any, T],
    device_id: str | None = None,
) -> T:
    """Await a client command, raising translated errors; auth errors start reauth.

    When the answer is lost or garbled the command may still have happened,
    so ``device_id`` is read again shortly to show what the device really does.
    A device the last refresh found offline would only answer "offline": the
    command is not sent at all.
    """
    known = coordinator.data.devices.get(device_id) if device_id else None
    if known is not None and known.device.online is False:
        command.close()  # never started: no request, no "never awaited" warning
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="device_offline"
        )
    try:
        return await bounded(command, COMMAND_TIMEOUT)
    except MoogoError as err:
        if isinstance(err, MoogoAuthError):
            coordinator.config_entry.async_start_reauth(coordinator.hass)
        elif device_id is not None and isinstance(
            err, MoogoConnectionError | MoogoResponseError
        ):
            coordinator.async_recheck_device(device_id)
        raise translated_error(err) from err
    finally:
        # A command may have signed in again (or been refused a sign-in).
        coordinator.async_store_client_state()


def moogo_command[EntityT: MoogoEntity, **P](
    func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Decorate an entity command so client errors surface as translated HA errors."""

    async def wrapper(entity: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> None:
        await run_command(
            entity.coordinator, func(entity, *args, **kwargs), entity.device_id
        )

    return wrapper


class MoogoEntity(CoordinatorEntity[MoogoCoordinator]):
    """An entity of one Moogo device."""

    _attr_has_entity_name = True
    _last_shown: tuple[bool, object] | None = None

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
    def available(self) -> bool:
        """Unavailable when the account, or this device, cannot be read."""
        return (
            super().available
            and self.device_id in self.coordinator.data.devices
            and self.device_data.available
        )

    def _shown(self) -> object:
        """Return what the entity shows besides availability (platforms override)."""
        return None

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what the entity shows has changed.

        Every refresh reaches every entity of every device; writing thousands
        of unchanged states held the event loop for 100+ ms at 200 devices.
        """
        available = self.available
        shown = (available, self._shown() if available else None)
        if shown == self._last_shown:
            return
        self._last_shown = shown
        super()._handle_coordinator_update()


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
