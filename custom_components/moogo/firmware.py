"""Firmware offers of an account's devices, checked on their own schedule."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .api import (
    FirmwareInfo,
    MoogoAuthError,
    MoogoClient,
    MoogoError,
    MoogoRateLimitError,
)
from .const import DOMAIN, FIRMWARE_CHECK_INTERVAL, LOGGER, MAX_CONCURRENT_REQUESTS

type FirmwareOffers = dict[str, FirmwareInfo]

#: Each entry's last check (when, and its offers), kept across reloads.
_RECENT_CHECKS: HassKey[dict[str, tuple[datetime, FirmwareOffers]]] = HassKey(
    f"{DOMAIN}_recent_firmware_checks"
)


def describe_error(err: MoogoError) -> str:
    """Name a failed check by its HTTP status where the cloud gave one."""
    if err.http_status is not None and err.http_status != 200:
        return f"HTTP {err.http_status}"
    return str(err)


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
        #: Devices whose last firmware check failed.
        self.failing: set[str] = set()

    async def _check(self, device_id: str) -> FirmwareInfo:
        async with self._semaphore:
            return await self._client.check_firmware(device_id)

    @override
    async def _async_update_data(self) -> FirmwareOffers:
        previous = self.data or {}
        device_ids = sorted(self._device_ids())
        results = await asyncio.gather(
            *(self._check(device_id) for device_id in device_ids),
            return_exceptions=True,
        )
        offers: FirmwareOffers = {}
        failures: dict[str, MoogoError] = {}
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
                failures[device_id] = result
                if device_id in previous:
                    offers[device_id] = previous[device_id]
            elif isinstance(result, BaseException):
                raise result
            else:
                offers[device_id] = result
        # The check is optional: a failure makes only those devices' update
        # entities unavailable, and is said once when it starts and ends.
        self._note_failures(failures, answered=offers.keys() - failures.keys())
        if self.config_entry is not None:
            self.hass.data.setdefault(_RECENT_CHECKS, {})[
                self.config_entry.entry_id
            ] = (dt_util.utcnow(), offers)
        return offers

    def _note_failures(
        self, failures: dict[str, MoogoError], answered: Iterable[str]
    ) -> None:
        if started := sorted(failures.keys() - self.failing):
            LOGGER.warning(
                "The firmware check (otaCheck) failed for %s; their firmware shows "
                "as unavailable until the check answers again",
                ", ".join(
                    f"{device_id} ({describe_error(failures[device_id])})"
                    for device_id in started
                ),
            )
        if recovered := sorted(self.failing & set(answered)):
            LOGGER.info(
                "The firmware check (otaCheck) answers again for %s",
                ", ".join(recovered),
            )
        self.failing = (self.failing - set(answered)) | failures.keys()

    async def async_first_check(self) -> None:
        """Check at setup, unless this entry checked within the interval.

        A reload (an option changed, a reauth) builds a new coordinator: the
        offers of the check before it are still fresh.
        """
        entry_id = self.config_entry.entry_id if self.config_entry else ""
        recent = self.hass.data.get(_RECENT_CHECKS, {}).get(entry_id)
        if (
            recent is not None
            and dt_util.utcnow() - recent[0] < FIRMWARE_CHECK_INTERVAL
        ):
            self.async_set_updated_data(recent[1])
            return
        await self.async_refresh()

    async def async_check_device(self, device_id: str) -> None:
        """Check one device now, because the user asked; errors reach the user."""
        try:
            offer = await self._check(device_id)
        except MoogoError as err:
            if not isinstance(err, MoogoAuthError | MoogoRateLimitError):
                self._note_failures({device_id: err}, answered=())
            raise
        self._note_failures({}, answered=(device_id,))
        # Not async_set_updated_data: one device's check must not postpone
        # the other devices' next check.
        self.data = {**(self.data or {}), device_id: offer}
        self.async_update_listeners()
