"""The one place that polls the Moogo cloud: the device list, then each device as due."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    Device,
    DeviceConfig,
    MoogoAuthError,
    MoogoClient,
    MoogoError,
    MoogoRateLimitError,
)
from .commands import CommandTracker
from .const import DOMAIN, LOGGER, RATE_LIMITED_UPDATE_INTERVAL, UPDATE_INTERVAL
from .data import MoogoData, MoogoDeviceData, newest
from .firmware import MoogoFirmwareCoordinator
from .lockout import (
    async_delete_rate_limit_issue,
    async_raise_rate_limit_issue,
    async_store_client_state,
)
from .pause import PauseKeeper
from .reads import DeviceReader

type MoogoConfigEntry = ConfigEntry[MoogoCoordinator]


class MoogoCoordinator(DataUpdateCoordinator[MoogoData]):
    """Polls the account: the list every time, each device's detail when due."""

    config_entry: MoogoConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: MoogoConfigEntry, client: MoogoClient
    ) -> None:
        """Set up the coordinator for one config entry."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=UPDATE_INTERVAL,
        )
        self.client = client
        self._unavailable: set[str] = set()
        #: Pending mist states and the reads that confirm them.
        self.commands = CommandTracker(hass, entry, client, self)
        self.reader = DeviceReader(client)
        #: Timed pauses of the devices' schedules, kept across restarts.
        self.pauses = PauseKeeper(hass, entry, client, self)
        #: Firmware offers, checked every few hours instead of on this poll.
        self.firmware = MoogoFirmwareCoordinator(
            hass, entry, client, lambda: self.data.devices if self.data else ()
        )

    # -- refresh ----------------------------------------------------------

    @override
    async def async_request_refresh(self) -> None:
        """Read everything of every device: someone asked (update_entity)."""
        if self.data:
            self.reader.mark_all_due(self.data.devices)
        await super().async_request_refresh()

    @override
    async def _async_update_data(self) -> MoogoData:
        try:
            return await self._async_poll()
        finally:
            self.async_store_client_state()

    async def _async_poll(self) -> MoogoData:
        try:
            data = await self._fetch_snapshot()
        except MoogoAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except MoogoRateLimitError as err:
            if (retry_at := self.client.login_blocked_until) is not None:
                # Sign-ins are held back: the user hears when they resume.
                async_raise_rate_limit_issue(self.hass, self.config_entry, retry_at)
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="rate_limited",
                    translation_placeholders={"error": str(err)},
                ) from err
            # A throttled request, the token still good: the next poll waits
            # as the cloud asked, or a while (HA applies it to that poll only).
            wait = RATE_LIMITED_UPDATE_INTERVAL.total_seconds()
            if err.retry_after is not None:
                wait = max(err.retry_after, UPDATE_INTERVAL.total_seconds())
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="throttled",
                translation_placeholders={"error": str(err)},
                retry_after=wait,
            ) from err
        except MoogoError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        # The account answers again, so any lockout is over.
        async_delete_rate_limit_issue(self.hass, self.config_entry)
        return data

    async def _fetch_snapshot(self) -> MoogoData:
        """List the devices, then refresh those due concurrently.

        Only account-wide errors (the list, authentication, rate limiting)
        escape; a device whose own requests fail is marked unavailable.
        """
        summaries = await self.client.get_devices()
        # Taken after the list's await: a read between polls that landed
        # meanwhile is part of what this poll builds on.
        previous = self.data.devices if self.data else {}
        now = dt_util.utcnow()
        # Every device request finishes before an account-wide error is raised,
        # so no request outlives the refresh that started it.
        results = await asyncio.gather(
            *(
                self.reader.refresh(summary, previous.get(summary.device_id), now)
                for summary in summaries
            ),
            return_exceptions=True,
        )
        # What changed between polls while this one read stays: the newest
        # read of a device wins.
        current = self.data.devices if self.data else {}
        devices: dict[str, MoogoDeviceData] = {}
        for result in results:
            if isinstance(result, BaseException):
                raise result
            device_id = result.device.device_id
            devices[device_id] = newest(
                previous.get(device_id),
                current.get(device_id),
                self.commands.shown(result, previous.get(device_id), now),
            )
        self._hear_mist_starts(now)
        devices = {device_id: self._shown(item) for device_id, item in devices.items()}
        self._log_availability(devices)
        self._remove_stale_devices(set(devices))
        return MoogoData(devices=devices)

    def _log_availability(self, devices: dict[str, MoogoDeviceData]) -> None:
        unavailable = {
            device_id for device_id, item in devices.items() if not item.available
        }
        for device_id in unavailable - self._unavailable:
            LOGGER.info("Moogo device %s is unavailable", device_id)
        for device_id in (self._unavailable - unavailable) & devices.keys():
            LOGGER.info("Moogo device %s is available again", device_id)
        self._unavailable = unavailable

    def _remove_stale_devices(self, current: set[str]) -> None:
        """Forget devices the account no longer has, also those gone while HA was off."""
        self.commands.async_forget(current)
        self.reader.forget(current)
        registry = dr.async_get(self.hass)
        for entry in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            moogo_ids = {
                ident for domain, ident in entry.identifiers if domain == DOMAIN
            }
            # The account's own device (its messages) is no Moogo device.
            if moogo_ids and not moogo_ids & current and entry.entry_type is None:
                LOGGER.debug(
                    "Removing Moogo device %s, gone from the account", moogo_ids
                )
                registry.async_remove_device(entry.id)

    @callback
    def async_store_client_state(self) -> None:
        """Keep the client's token and lockout in the entry (after any request)."""
        async_store_client_state(self.hass, self.config_entry, self.client)

    @callback
    def async_add_new_device_listener(
        self, listener: Callable[[set[str]], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` with the ids of devices new since the last refresh."""
        known: set[str] = set()

        @callback
        def _check() -> None:
            current = set(self.data.devices) if self.data else set()
            if new := current - known:
                known.update(new)
                listener(new)

        _check()
        return self.async_add_listener(_check)

    # -- changes between polls -------------------------------------------

    def _hear_mist_starts(self, now: datetime) -> None:
        """Let the command tracker read each mist the cloud began showing at its end."""
        for item in self.reader.take_mist_starts():
            self.commands.async_mist_seen(item, now)

    def _shown(self, item: MoogoDeviceData) -> MoogoDeviceData:
        """Add what HA knows besides the cloud: the mist's end, the pause."""
        return self.pauses.shown(self.commands.with_mist_end(item))

    @callback
    def async_device_read(self, device_id: str, detail: Device) -> bool:
        """Take a detail read made between polls; False if the device is gone."""
        now = dt_util.utcnow()

        def _read(item: MoogoDeviceData) -> MoogoDeviceData:
            read = self.reader.with_detail(item, detail, now)
            shown = self.commands.shown(read, item, now)
            self._hear_mist_starts(now)
            return self._shown(shown)

        return self.async_update_device(device_id, _read)

    @callback
    def async_mark_slow_due(self, device_id: str) -> None:
        """Have the next poll read the device's schedules and configuration."""
        self.reader.mark_slow_due(device_id)

    async def async_show_edit(self, device_id: str, written: object) -> None:
        """Show an edit: the configuration the cloud took as written, else re-read.

        A configuration write already started from a fresh read and answers
        with the whole configuration: no request is needed to show it.
        """
        if isinstance(written, DeviceConfig):
            self.async_update_device(
                device_id, lambda item: replace(item, config=written)
            )
            return
        await self.async_refresh_slow_data(device_id)

    async def async_refresh_slow_data(self, device_id: str) -> None:
        """Re-read schedules and configuration of the device an edit touched.

        Two requests for that device alone, instead of a whole refresh (the
        list and every device's details); the poll's timer is left as it is.
        """
        if not self.data or (item := self.data.devices.get(device_id)) is None:
            return
        try:
            updated = await self.reader.read_slow(item, dt_util.utcnow())
        except MoogoError as err:
            # Account-wide errors surface in the regular poll, which also
            # reads this device's slow data again.
            LOGGER.debug("Re-reading %s after an edit failed: %s", device_id, err)
            self.reader.mark_slow_due(device_id)
            return
        finally:
            self.async_store_client_state()
        # A poll may have finished meanwhile: keep its readings, add the slow data.
        self.async_update_device(
            device_id,
            lambda item: replace(
                item,
                schedules=updated.schedules,
                schedule_switch=updated.schedule_switch,
                config=updated.config,
                zone=updated.zone,
                slow_updated_at=updated.slow_updated_at,
            ),
        )

    @callback
    def async_update_device(
        self, device_id: str, change: Callable[[MoogoDeviceData], MoogoDeviceData]
    ) -> bool:
        """Change one device's current data between polls; False if it is gone.

        Not async_set_updated_data: that would postpone the next poll.
        """
        if not self.data or (item := self.data.devices.get(device_id)) is None:
            return False
        self.data = MoogoData(devices={**self.data.devices, device_id: change(item)})
        self.async_update_listeners()
        return True
