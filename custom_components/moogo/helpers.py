"""Error translation of commands: client errors become translated HA errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate

from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr

from .api import (
    MoogoAuthError,
    MoogoConnectionError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoFrostError,
    MoogoLoginDeferredError,
    MoogoRateLimitError,
    MoogoResponseError,
)
from .const import DOMAIN
from .coordinator import MoogoCoordinator
from .entity import MoogoEntity


def translated_error(err: MoogoError, device_name: str = "") -> HomeAssistantError:
    """Turn a client error into the translated error HA shows to the user.

    ``device_name`` names the device in errors that are its own (frost).
    """
    if isinstance(err, MoogoAuthError):
        key = "auth_failed"
    elif isinstance(err, MoogoRateLimitError):
        key = "throttled" if err.throttled else "rate_limited"
    elif isinstance(err, MoogoLoginDeferredError):
        key = "sign_in_deferred"
    elif isinstance(err, MoogoDeviceOfflineError):
        key = "device_offline"
    elif isinstance(err, MoogoFrostError):
        key = "frost_locked"
    elif isinstance(err, MoogoConnectionError):
        key = "communication_error"
    else:
        key = "unknown_error"
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err), "device": device_name},
    )


def shown_device_name(coordinator: MoogoCoordinator, device_id: str) -> str:
    """Name a device as Home Assistant shows it: the user's name, else the cloud's."""
    device = dr.async_get(coordinator.hass).async_get_device_by_identifier(
        (DOMAIN, device_id), coordinator.config_entry.entry_id
    )
    return (device and (device.name_by_user or device.name)) or device_id


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
        return await command
    except MoogoError as err:
        if isinstance(err, MoogoAuthError):
            coordinator.config_entry.async_start_reauth(coordinator.hass)
        elif device_id is not None and isinstance(
            err, MoogoConnectionError | MoogoResponseError
        ):
            coordinator.commands.async_recheck_device(device_id)
        name = shown_device_name(coordinator, device_id) if device_id else ""
        raise translated_error(err, name) from err
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
