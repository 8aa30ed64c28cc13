"""Timed pauses: Home Assistant holds a device's schedules off, then resumes them.

The Moogo cloud has no pause of its own, only the master schedule switch. A
pause turns that switch off and keeps its end in Home Assistant's storage, so
the promise to resume survives restarts; a pause whose end passed while Home
Assistant was off is resumed at start. Switching the schedules on (here or in
the app) ends the pause: nothing is resumed later behind the user's back.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import MoogoClient, MoogoError
from .const import DOMAIN, LOGGER
from .data import MoogoData, MoogoDeviceData

STORAGE_VERSION = 1
# A resume the cloud refused (offline, a network fault) is tried again this
# often until it succeeds; one request each time.
RESUME_RETRY_INTERVAL = timedelta(minutes=5)


def storage_key(entry_id: str) -> str:
    """Return the storage key of one entry's pauses."""
    return f"{DOMAIN}.pauses.{entry_id}"


class PauseHost(Protocol):
    """The coordinator, as far as pauses need it."""

    @property
    def data(self) -> MoogoData | None:
        """The latest snapshot of the account."""

    def async_update_device(
        self, device_id: str, change: Callable[[MoogoDeviceData], MoogoDeviceData]
    ) -> bool:
        """Change one device's data between polls; False if it is gone."""

    def async_refresh_slow_data(self, device_id: str) -> Coroutine[Any, Any, None]:
        """Re-read the device's schedules (and the master switch)."""

    def async_add_listener(self, update_callback: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update_callback`` after each refresh."""


def _stored_end(value: Any) -> datetime | None:
    """Return a stored pause's end; None where the storage holds something else."""
    until = value.get("until") if isinstance(value, Mapping) else None
    moment = dt_util.parse_datetime(until) if isinstance(until, str) else None
    if moment is None or moment.tzinfo is None:
        return None
    return dt_util.as_utc(moment)


class PauseKeeper:
    """Keeps the timed pauses of one entry's devices: stored, timed, ended."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: MoogoClient,
        host: PauseHost,
    ) -> None:
        """Keep the pauses of the devices of ``entry``."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._host = host
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id)
        )
        #: When each paused device's schedules are switched on again.
        self._pauses: dict[str, datetime] = {}
        #: Paused devices whose master switch a read has shown off: once such
        #: a read shows it on, someone switched it on (a read under way when
        #: the pause began may still show it on).
        self._seen_off: set[str] = set()
        self._timers: dict[str, CALLBACK_TYPE] = {}
        #: Unloaded: a resume still in flight starts no timer any more.
        self._closed = False

    def until(self, device_id: str) -> datetime | None:
        """Return when the device's pause ends; None when it is not paused."""
        return self._pauses.get(device_id)

    def shown(self, item: MoogoDeviceData) -> MoogoDeviceData:
        """Return ``item`` showing the device's pause."""
        until = self.until(item.device.device_id)
        return item if item.paused_until == until else replace(item, paused_until=until)

    async def async_load(self) -> None:
        """Read the stored pauses; what cannot be read is dropped."""
        stored = await self._store.async_load()
        pauses = stored.get("pauses") if isinstance(stored, Mapping) else None
        if not isinstance(pauses, Mapping):
            return
        for device_id, value in pauses.items():
            if isinstance(device_id, str) and (until := _stored_end(value)):
                self._pauses[device_id] = until
                # Kept only once the switch was written off.
                self._seen_off.add(device_id)

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Time every loaded pause (an ended one resumes now) and watch the devices."""
        for device_id in list(self._pauses):
            self._arm(device_id)
        remove_listener = self._host.async_add_listener(self._async_check)

        @callback
        def _stop() -> None:
            remove_listener()
            self._closed = True
            for cancel in self._timers.values():
                cancel()
            self._timers.clear()

        return _stop

    async def async_pause(self, device_id: str, until: datetime) -> None:
        """Turn the schedules off until ``until``; a paused device gets the new end.

        Errors of the write reach the caller; nothing is kept then.
        """
        if device_id not in self._pauses:
            await self._client.set_schedule_switch(device_id, False)
        self._keep(device_id, until)
        self._arm(device_id)
        await self._host.async_refresh_slow_data(device_id)

    async def async_resume(self, device_id: str) -> None:
        """Turn the schedules on now and end the pause (errors reach the caller)."""
        await self._client.set_schedule_switch(device_id, True)
        self._end(device_id)
        await self._host.async_refresh_slow_data(device_id)

    def _keep(self, device_id: str, until: datetime | None) -> None:
        if until is None:
            self._pauses.pop(device_id, None)
            self._seen_off.discard(device_id)
        else:
            self._pauses[device_id] = until
        self._save()
        self._host.async_update_device(device_id, self.shown)

    def _save(self) -> None:
        # Awaited by the entry's unload, so a reload reads what was kept.
        self._entry.async_create_task(
            self._hass,
            self._store.async_save(
                {
                    "pauses": {
                        device_id: {"until": until.isoformat()}
                        for device_id, until in self._pauses.items()
                    }
                }
            ),
            "moogo save pauses",
        )

    @callback
    def _end(self, device_id: str) -> None:
        """Forget the device's pause and its timer; nothing is written to the cloud."""
        if cancel := self._timers.pop(device_id, None):
            cancel()
        if device_id in self._pauses:
            self._keep(device_id, None)

    def _arm(self, device_id: str, when: datetime | None = None) -> None:
        """Resume the device at its pause's end (or ``when``, to try again)."""
        if cancel := self._timers.pop(device_id, None):
            cancel()
        if self._closed:
            return

        @callback
        def _due(_now: datetime) -> None:
            self._timers.pop(device_id, None)
            self._entry.async_create_background_task(
                self._hass, self._async_expire(device_id), f"moogo resume {device_id}"
            )

        self._timers[device_id] = async_track_point_in_utc_time(
            self._hass, _due, when or self._pauses[device_id]
        )

    async def _async_expire(self, device_id: str) -> None:
        """Switch the schedules on at the pause's end, or try again later."""
        if device_id not in self._pauses:
            return
        try:
            await self._client.set_schedule_switch(device_id, True)
        except MoogoError as err:
            LOGGER.warning(
                "Could not resume the schedules of %s after its pause: %s; "
                "trying again in %s",
                device_id,
                err,
                RESUME_RETRY_INTERVAL,
            )
            if device_id in self._pauses:
                self._arm(device_id, dt_util.utcnow() + RESUME_RETRY_INTERVAL)
            return
        self._end(device_id)
        await self._host.async_refresh_slow_data(device_id)

    @callback
    def _async_check(self) -> None:
        """End pauses the schedules were switched on during, and those of gone devices."""
        data = self._host.data
        if data is None:
            return
        for device_id in list(self._pauses):
            item = data.devices.get(device_id)
            if item is not None and item.schedule_switch is False:
                self._seen_off.add(device_id)
            elif item is None or (
                item.schedule_switch is True and device_id in self._seen_off
            ):
                self._end(device_id)


async def async_remove_pauses(hass: HomeAssistant, entry_id: str) -> None:
    """Forget an entry's pauses: the entry is removed, nothing resumes later."""
    await Store[dict[str, Any]](
        hass, STORAGE_VERSION, storage_key(entry_id)
    ).async_remove()
