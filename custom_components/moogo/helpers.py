"""Error translation of commands: client errors become translated HA errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate

from homeassistant.exceptions import HomeAssistantError

from .api import (
    MoogoAuthError,
    MoogoConnectionError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoLoginDeferredError,
    MoogoRateLimitError,
    MoogoResponseError,
)
from .const import DOMAIN
from .coordinator import MoogoCoordinator
from .entity import MoogoEntity


def translated_error(err: MoogoError) -> HomeAssistantError:
    """Turn a client error into the translated error HA shows to the user."""
    if isinstance(err, MoogoAuthError):
        key = "auth_failed"
    elif isinstance(err, MoogoRateLimitError):
        key = "throttled" if err.throttled else "rate_limited"
    elif isinstance(err, MoogoLoginDeferredError):
        key = "sign_in_deferred"
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
        return await command
    except MoogoError as err:
        if isinstance(err, MoogoAuthError):
            coordinator.config_entry.async_start_reauth(coordinator.hass)
        elif device_id is not None and isinstance(
            err, MoogoConnectionError | MoogoResponseError
        ):
            coordinator.commands.async_recheck_device(device_id)
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
