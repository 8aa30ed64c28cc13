"""Firmware offers of an account's devices, checked on their own schedule."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    FirmwareInfo,
    MoogoAuthError,
    MoogoClient,
    MoogoError,
    MoogoRateLimitError,
)
from .const import (
    COMMAND_TIMEOUT,
    DOMAIN,
    FIRMWARE_CHECK_INTERVAL,
    LOGGER,
    MAX_CONCURRENT_REQUESTS,
)
from .limits import bounded

type FirmwareOffers = dict[str, FirmwareInfo]


class MoogoFirmwareCoordinator(DataUpdateCoordinator[FirmwareOffers]):
    """Asks otaCheck for every device every few hours; the device poll never does.

    A device whose check fails keeps its last offer: one unanswered check
    must not make a known update disappear.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: MoogoClient,
        device_ids: Callable[[], Iterable[str]],
    ) -> None:
        """Check the firmware of the devices ``device_ids`` names at each check."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} firmware",
            update_interval=FIRMWARE_CHECK_INTERVAL,
        )
        self._client = client
        self._device_ids = device_ids
        self._semaphore = asyncio.Semaphore(MAX_CONCURRENT_REQUESTS)

    async def _check(self, device_id: str) -> FirmwareInfo:
        async with self._semaphore:
            return await bounded(
                self._client.check_firmware(device_id), COMMAND_TIMEOUT
            )

    @override
    async def _async_update_data(self) -> FirmwareOffers:
        previous = self.data or {}
        device_ids = sorted(self._device_ids())
        results = await asyncio.gather(
            *(self._check(device_id) for device_id in device_ids),
            return_exceptions=True,
        )
        offers: FirmwareOffers = {}
        failure: MoogoError | None = None
        for device_id, result in zip(device_ids, results, strict=True):
            if isinstance(result, MoogoAuthError):
                raise ConfigEntryAuthFailed(
                    translation_domain=DOMAIN, translation_key="auth_failed"
                ) from result
            if isinstance(result, MoogoRateLimitError):
                raise UpdateFailed(
                    translation_domain=DOMAIN, translation_key="rate_limited"
                ) from result
            if isinstance(result, MoogoError):
                LOGGER.debug("Firmware check of %s failed: %s", device_id, result)
                failure = result
                if device_id in previous:
                    offers[device_id] = previous[device_id]
            elif isinstance(result, BaseException):
                raise result
            else:
                offers[device_id] = result
        if failure is not None and not offers:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(failure)},
            ) from failure
        return offers

    async def async_check_device(self, device_id: str) -> None:
        """Check one device now, because the user asked; errors reach the user."""
        offer = await self._check(device_id)
        # Not async_set_updated_data: one device's check must not postpone
        # the other devices' next check.
        self.data = {**(self.data or {}), device_id: offer}
        self.async_update_listeners()
