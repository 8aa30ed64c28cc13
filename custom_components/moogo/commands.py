"""What HA commanded a device to do, until the cloud shows it: pending states and timed reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import Device, MoogoClient, MoogoError
from .const import (
    COMMAND_CONFIRM_ATTEMPTS,
    COMMAND_CONFIRM_DELAY,
    COMMAND_CONFIRM_INTERVAL,
    COMMAND_PENDING_TIMEOUT,
    LOGGER,
    MIST_END_READ_DELAY,
)
from .data import MoogoData, MoogoDeviceData
from .schedule import running_run


class DeviceStore(Protocol):
    """The coordinator, as far as command tracking needs it."""

    @property
    def data(self) -> MoogoData | None:
        """The latest snapshot of the account."""

    def async_device_read(self, device_id: str, detail: Device) -> bool:
        """Take a detail read between polls; False if the device is gone."""

    def async_update_device(
        self, device_id: str, change: Callable[[MoogoDeviceData], MoogoDeviceData]
    ) -> bool:
        """Change one device's data between polls; False if it is gone."""

    def async_mark_slow_due(self, device_id: str) -> None:
        """Have the next poll read the device's schedules and configuration."""


@dataclass(slots=True)
class _PendingMist:
    """A mist command not yet reflected by the cloud's runStatus."""

    misting: bool
    deadline: datetime


class CommandTracker:
    """Shows commanded mist states at once and reads one device when it reacts.

    Each read is of the one device concerned (one request), never a whole
    refresh: to confirm a start or stop, to see what a command with a lost
    answer did, and to show a mist's end when it happens instead of at the
    next poll.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: MoogoClient,
        store: DeviceStore,
    ) -> None:
        """Track commands to the devices of one entry."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._store = store
        self._pending: dict[str, _PendingMist] = {}
        self._confirm_timers: dict[str, CALLBACK_TYPE] = {}
        self._stop_timers: dict[str, CALLBACK_TYPE] = {}
        self._end_timers: dict[str, CALLBACK_TYPE] = {}
        #: Unloaded: a command still in flight starts no timer any more.
        self._closed = False
        #: Devices HA told to start whose mist has not been seen yet, each with
        #: its mist's seconds when not the configured default (a self-test).
        self._started: dict[str, float | None] = {}
        #: When each device's current mist ends, where that is known.
        self._ends: dict[str, datetime] = {}

    def apply_pending(self, device: Device, now: datetime) -> Device:
        """Show a commanded mist state until the cloud reports it or time runs out."""
        pending = self._pending.get(device.device_id)
        if pending is None:
            return device
        if device.misting == pending.misting or now >= pending.deadline:
            del self._pending[device.device_id]
            return device
        return replace(device, misting=pending.misting)

    @callback
    def async_expect_misting(
        self, device_id: str, misting: bool, *, seconds: float | None = None
    ) -> None:
        """Show a commanded state at once and confirm it after the device reacts.

        ``seconds``: how long a start mists when not for the configured
        default duration, so that its end is read when it comes.
        """
        self._pending[device_id] = _PendingMist(
            misting, dt_util.utcnow() + COMMAND_PENDING_TIMEOUT
        )
        # A timed stop belongs to the mist it was set for: a later start or
        # stop ends it (moogo.mist sets its own again right after).
        _cancel(self._stop_timers, device_id)
        # A new command: the end of an earlier mist no longer holds.
        self._ends.pop(device_id, None)
        if misting:
            self._started[device_id] = seconds
        else:
            self._started.pop(device_id, None)
            _cancel(self._end_timers, device_id)
        self._store.async_update_device(
            device_id,
            lambda item: replace(
                item, device=replace(item.device, misting=misting), mist_ends_at=None
            ),
        )
        self._schedule_read(device_id, COMMAND_CONFIRM_DELAY, self._confirm_timers)

    def shown(
        self,
        read: MoogoDeviceData,
        previous: MoogoDeviceData | None,
        now: datetime,
    ) -> MoogoDeviceData:
        """Show a command's state over what the cloud said, until it reports it.

        The same ``previous`` object while nothing changed: entities compare
        by identity.
        """
        shown = replace(read, device=self.apply_pending(read.device, now))
        return previous if shown == previous else shown

    def with_mist_end(self, item: MoogoDeviceData) -> MoogoDeviceData:
        """Add when the mist under way ends, if HA started it or a schedule did."""
        ends = self._ends.get(item.device.device_id) if item.device.misting else None
        return item if ends == item.mist_ends_at else replace(item, mist_ends_at=ends)

    @callback
    def async_recheck_device(self, device_id: str) -> None:
        """Read a device again after a command whose outcome is unknown.

        A lost or garbled answer does not mean the cloud refused: the pump may
        be running. One read, once it can have reacted, shows what happened;
        its schedules and configuration are read again at the next poll.
        """
        self._store.async_mark_slow_due(device_id)
        if device_id not in self._confirm_timers:
            self._schedule_read(
                device_id,
                COMMAND_CONFIRM_DELAY,
                self._confirm_timers,
                attempt=COMMAND_CONFIRM_ATTEMPTS,
                always=True,
            )

    @callback
    def async_mist_seen(self, item: MoogoDeviceData, now: datetime) -> None:
        """Read the device once its mist ends: when a schedule says, else by default.

        Called when a poll or a confirmation first sees a device misting. A mist
        HA started ends after the default duration, or the length it was given
        (a timed stop comes sooner and is read anyway); one a schedule
        started, at the end of that run.
        Any other start time is unknown: the list poll shows its end.
        """
        device_id = item.device.device_id
        ends_at: datetime | None = None
        if device_id in self._started:
            seconds = self._started.pop(device_id) or (
                item.config.mist_seconds if item.config else None
            )
            ends_at = now + timedelta(seconds=seconds) if seconds else None
        elif run := running_run(item.active_schedules, now, item.time_zone):
            ends_at = run.end
        if ends_at is None or ends_at <= now:
            # Started in the app at an unknown moment: its end is unknown too.
            self._ends.pop(device_id, None)
            return
        # A timed stop HA set comes sooner than the default duration.
        self._ends[device_id] = min(ends_at, self._ends.get(device_id, ends_at))
        self._schedule_read(
            device_id, ends_at - now + MIST_END_READ_DELAY, self._end_timers
        )

    @callback
    def async_stop_mist_later(self, device_id: str, seconds: float) -> None:
        """Stop a mist after ``seconds``; replaces an earlier timer of the device."""
        _cancel(self._stop_timers, device_id)
        if self._closed:
            return
        self._ends[device_id] = dt_util.utcnow() + timedelta(seconds=seconds)
        self._store.async_update_device(
            device_id, lambda item: replace(item, mist_ends_at=self._ends[device_id])
        )

        async def _stop(_now: datetime) -> None:
            self._stop_timers.pop(device_id, None)
            try:
                await self._client.stop_mist(device_id)
            except MoogoError as err:
                # Nobody awaits this timer; the device's own default duration
                # still ends the mist.
                LOGGER.warning(
                    "Could not stop the timed mist of %s: %s", device_id, err
                )
                return
            self.async_expect_misting(device_id, False)

        self._stop_timers[device_id] = async_call_later(self._hass, seconds, _stop)

    def _schedule_read(
        self,
        device_id: str,
        delay: timedelta,
        timers: dict[str, CALLBACK_TYPE],
        attempt: int = 1,
        *,
        always: bool = False,
    ) -> None:
        """Read the device alone after ``delay``; replaces its earlier timer.

        A confirmation is skipped when a poll has confirmed the command first,
        unless ``always``.
        """
        _cancel(timers, device_id)
        if self._closed:
            return

        @callback
        def _read(_now: datetime) -> None:
            timers.pop(device_id, None)
            self._entry.async_create_background_task(
                self._hass,
                self._async_read(
                    device_id,
                    attempt,
                    confirming=timers is self._confirm_timers and not always,
                ),
                f"moogo read {device_id}",
            )

        timers[device_id] = async_call_later(self._hass, delay.total_seconds(), _read)

    async def _async_read(
        self, device_id: str, attempt: int, *, confirming: bool
    ) -> None:
        """Read one device's detail (one request); again soon if a command is not seen yet."""
        if confirming and device_id not in self._pending:
            return
        try:
            detail = await self._client.get_device(device_id)
        except MoogoError as err:
            # Account-wide errors surface in the regular poll.
            LOGGER.debug("Reading %s between polls failed: %s", device_id, err)
        else:
            if not self._store.async_device_read(device_id, detail):
                return
        if (
            confirming
            and device_id in self._pending
            and attempt < COMMAND_CONFIRM_ATTEMPTS
        ):
            self._schedule_read(
                device_id,
                COMMAND_CONFIRM_INTERVAL,
                self._confirm_timers,
                attempt=attempt + 1,
            )

    @callback
    def async_forget(self, current: set[str]) -> None:
        """Drop what is kept for devices the account no longer has."""
        for device_id in self._pending.keys() - current:
            del self._pending[device_id]
        for device_id in self._ends.keys() - current:
            del self._ends[device_id]
        self._started = {
            device_id: seconds
            for device_id, seconds in self._started.items()
            if device_id in current
        }
        for timers in (self._stop_timers, self._confirm_timers, self._end_timers):
            for device_id in timers.keys() - current:
                timers.pop(device_id)()

    @callback
    def async_cancel(self) -> None:
        """Cancel every timer, and start none after (on unload)."""
        self._closed = True
        for timers in (self._confirm_timers, self._stop_timers, self._end_timers):
            for cancel in timers.values():
                cancel()
            timers.clear()


def _cancel(timers: dict[str, CALLBACK_TYPE], device_id: str) -> None:
    if cancel := timers.pop(device_id, None):
        cancel()
