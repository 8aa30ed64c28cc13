"""The one place that polls the Moogo cloud: devices, schedules and settings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    Device,
    DeviceConfig,
    MoogoAuthError,
    MoogoClient,
    MoogoError,
    MoogoRateLimitError,
    Schedule,
)
from .const import (
    COMMAND_CONFIRM_ATTEMPTS,
    COMMAND_CONFIRM_DELAY,
    COMMAND_CONFIRM_INTERVAL,
    COMMAND_PENDING_TIMEOUT,
    CONF_TOKEN,
    DOMAIN,
    ISSUE_RATE_LIMITED,
    LOGGER,
    MAX_CONCURRENT_REQUESTS,
    RATE_LIMITED_UPDATE_INTERVAL,
    REFRESH_TIMEOUT,
    SLOW_UPDATE_INTERVAL,
    UPDATE_INTERVAL,
)
from .entry_data import stored_login_block, with_login_block, with_token
from .firmware import MoogoFirmwareCoordinator
from .limits import bounded
from .schedule import Occurrence, next_occurrence

type MoogoConfigEntry = ConfigEntry[MoogoCoordinator]


@dataclass(frozen=True, slots=True)
class MoogoDeviceData:
    """Everything known about one device after a refresh.

    ``reachable`` is False when this device's own detail request failed while
    the account as a whole answered; its readings then stay unavailable.
    """

    device: Device
    reachable: bool = True
    schedules: tuple[Schedule, ...] | None = None
    config: DeviceConfig | None = None
    slow_updated_at: datetime | None = None

    @property
    def available(self) -> bool:
        """Whether readings and commands make sense right now."""
        return self.reachable and self.device.online is not False

    def next_mist(self) -> Occurrence | None:
        """Return the next scheduled mist, in the device's time zone (else HA's)."""
        if not self.schedules:
            return None
        zone = dt_util.get_default_time_zone()
        if self.config and self.config.time_zone:
            zone = dt_util.get_time_zone(self.config.time_zone) or zone
        return next_occurrence(self.schedules, dt_util.utcnow(), zone)


@dataclass(frozen=True, slots=True)
class MoogoData:
    """One snapshot of the account."""

    devices: dict[str, MoogoDeviceData] = field(default_factory=dict)


@dataclass(slots=True)
class _PendingSpray:
    """A spray command not yet reflected by the cloud's runStatus."""

    spraying: bool
    deadline: datetime


class MoogoCoordinator(DataUpdateCoordinator[MoogoData]):
    """Polls the account's devices: list, then all details concurrently."""

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
        self._semaphore = asyncio.Semaphore(MAX_CONCURRENT_REQUESTS)
        self._pending: dict[str, _PendingSpray] = {}
        self._slow_refresh_due: set[str] = set()
        self._unreachable: set[str] = set()
        self._confirm_timers: dict[str, CALLBACK_TYPE] = {}
        self._stop_timers: dict[str, CALLBACK_TYPE] = {}
        #: Firmware offers, checked every few hours instead of on this poll.
        self.firmware = MoogoFirmwareCoordinator(
            hass, entry, client, lambda: self.data.devices if self.data else ()
        )

    # -- refresh ----------------------------------------------------------

    @override
    async def _async_update_data(self) -> MoogoData:
        try:
            return await self._async_poll()
        finally:
            self.async_store_client_state()

    async def _async_poll(self) -> MoogoData:
        try:
            data = await bounded(self._fetch_snapshot(), REFRESH_TIMEOUT)
        except MoogoAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except MoogoRateLimitError as err:
            retry_after: float | None = None
            if (retry_at := self.client.login_blocked_until) is None:
                # A throttled request, not a refused login: the next poll
                # waits longer (HA applies retry_after to that one poll only).
                retry_after = RATE_LIMITED_UPDATE_INTERVAL.total_seconds()
                retry_at = dt_util.utcnow() + RATE_LIMITED_UPDATE_INTERVAL
            self._raise_rate_limit_issue(retry_at)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                retry_after=retry_after,
            ) from err
        except MoogoError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        # The account answers again, so any lockout is over.
        ir.async_delete_issue(self.hass, DOMAIN, self._rate_limit_issue_id)
        return data

    async def _fetch_snapshot(self) -> MoogoData:
        """List the devices, then refresh each one concurrently.

        Only account-wide errors (the list, authentication, rate limiting)
        escape; a device whose own requests fail is marked unreachable.
        """
        previous = self.data.devices if self.data else {}
        summaries = await self.client.get_devices()
        now = dt_util.utcnow()
        # Every device request finishes before an account-wide error is raised,
        # so no request outlives the refresh that started it.
        results = await asyncio.gather(
            *(
                self._refresh_device(summary, previous.get(summary.device_id), now)
                for summary in summaries
            ),
            return_exceptions=True,
        )
        devices: dict[str, MoogoDeviceData] = {}
        for result in results:
            if isinstance(result, BaseException):
                raise result
            devices[result.device.device_id] = result
        self._log_reachability(devices)
        self._remove_stale_devices(set(devices))
        return MoogoData(devices=devices)

    async def _bounded[T](self, call: Awaitable[T]) -> T:
        async with self._semaphore:
            return await call

    async def _refresh_device(
        self, summary: Device, previous: MoogoDeviceData | None, now: datetime
    ) -> MoogoDeviceData:
        """Fetch one device's detail (and slow data when due); never raises."""
        device_id = summary.device_id
        base = previous or MoogoDeviceData(device=summary)
        if summary.online is False:
            # An offline device's detail is stale at best: keep what we knew.
            device = _merge_summary(base.device, summary)
            return replace(
                base, device=self._apply_pending(device, now), reachable=True
            )
        try:
            detail = await self._bounded(self.client.get_device(device_id))
        except MoogoAuthError, MoogoRateLimitError:
            raise
        except MoogoError as err:
            LOGGER.debug("Detail of device %s failed: %s", device_id, err)
            return replace(
                base, device=_merge_summary(base.device, summary), reachable=False
            )
        data = replace(base, device=self._apply_pending(detail, now), reachable=True)
        if (
            device_id in self._slow_refresh_due
            or data.slow_updated_at is None
            or now - data.slow_updated_at >= SLOW_UPDATE_INTERVAL
        ):
            data = await self._refresh_slow(data, now)
        return data

    async def _refresh_slow(
        self, data: MoogoDeviceData, now: datetime
    ) -> MoogoDeviceData:
        """Fetch schedules and configuration; keep the old values on failure."""
        device_id = data.device.device_id
        schedules_result, config_result = await asyncio.gather(
            self._bounded(self.client.get_schedules(device_id)),
            self._bounded(self.client.get_config(device_id)),
            return_exceptions=True,
        )
        for result in (schedules_result, config_result):
            # Account-wide and unexpected errors end the refresh; a device's
            # own failure only keeps its last slow data.
            if isinstance(result, BaseException) and (
                isinstance(result, MoogoAuthError | MoogoRateLimitError)
                or not isinstance(result, MoogoError)
            ):
                raise result
        failed = isinstance(schedules_result, MoogoError) or isinstance(
            config_result, MoogoError
        )
        if failed:
            LOGGER.debug(
                "Schedules or configuration of %s failed; retrying next refresh",
                device_id,
            )
        else:
            self._slow_refresh_due.discard(device_id)
        return replace(
            data,
            schedules=tuple(schedules_result)
            if isinstance(schedules_result, list)
            else data.schedules,
            config=config_result
            if isinstance(config_result, DeviceConfig)
            else data.config,
            slow_updated_at=data.slow_updated_at if failed else now,
        )

    def _apply_pending(self, device: Device, now: datetime) -> Device:
        """Show a commanded spray state until the cloud reports it or time runs out."""
        pending = self._pending.get(device.device_id)
        if pending is None:
            return device
        if device.spraying == pending.spraying or now >= pending.deadline:
            del self._pending[device.device_id]
            return device
        return replace(device, spraying=pending.spraying)

    def _log_reachability(self, devices: dict[str, MoogoDeviceData]) -> None:
        unreachable = {
            device_id for device_id, item in devices.items() if not item.reachable
        }
        for device_id in unreachable - self._unreachable:
            LOGGER.info("Moogo device %s is unavailable", device_id)
        for device_id in (self._unreachable - unreachable) & devices.keys():
            LOGGER.info("Moogo device %s is available again", device_id)
        self._unreachable = unreachable

    def _remove_stale_devices(self, current: set[str]) -> None:
        """Forget devices the account no longer has, also those gone while HA was off."""
        for device_id in self._pending.keys() - current:
            del self._pending[device_id]
        for timers in (self._stop_timers, self._confirm_timers):
            for device_id in timers.keys() - current:
                timers.pop(device_id)()
        registry = dr.async_get(self.hass)
        for entry in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            moogo_ids = {
                ident for domain, ident in entry.identifiers if domain == DOMAIN
            }
            if moogo_ids and not moogo_ids & current:
                LOGGER.debug(
                    "Removing Moogo device %s, gone from the account", moogo_ids
                )
                registry.async_remove_device(entry.id)

    # -- rate limiting and tokens -----------------------------------------

    @property
    def _rate_limit_issue_id(self) -> str:
        return f"{ISSUE_RATE_LIMITED}_{self.config_entry.entry_id}"

    def _raise_rate_limit_issue(self, retry_at: datetime) -> None:
        """Tell the user about the lockout; its fix flow lets them try at once."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._rate_limit_issue_id,
            is_fixable=True,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_RATE_LIMITED,
            translation_placeholders={"title": self.config_entry.title},
            # The fix flow's text says when Home Assistant tries by itself
            # (shown in HA's time zone, named).
            data={
                "entry_id": self.config_entry.entry_id,
                "retry_at": dt_util.as_utc(retry_at).isoformat(),
            },
        )

    @callback
    def async_store_client_state(self) -> None:
        """Keep the client's token and lockout in the entry when they changed.

        Read after every update and command instead of callbacks from the
        client, so the state flows one way: client, then coordinator, then entry.
        """
        entry = self.config_entry
        token = self.client.token
        if token is not None and token.as_dict() != entry.data.get(CONF_TOKEN):
            # A working login also ends any lockout.
            ir.async_delete_issue(self.hass, DOMAIN, self._rate_limit_issue_id)
            self.hass.config_entries.async_update_entry(
                entry, data=with_token(entry.data, token)
            )
        blocked_until = self.client.login_blocked_until
        if blocked_until is not None and blocked_until != stored_login_block(
            entry.data
        ):
            self.hass.config_entries.async_update_entry(
                entry, data=with_login_block(entry.data, blocked_until)
            )
            self._raise_rate_limit_issue(blocked_until)

    # -- commands -----------------------------------------------------------

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

    @callback
    def async_expect_spraying(self, device_id: str, spraying: bool) -> None:
        """Show a commanded state at once and confirm it after the device reacts."""
        self._pending[device_id] = _PendingSpray(
            spraying, dt_util.utcnow() + COMMAND_PENDING_TIMEOUT
        )
        if self.data and (item := self.data.devices.get(device_id)):
            devices = {
                **self.data.devices,
                device_id: replace(
                    item, device=replace(item.device, spraying=spraying)
                ),
            }
            self.async_set_updated_data(MoogoData(devices=devices))
        self._schedule_confirmation(device_id)

    @callback
    def async_recheck_device(self, device_id: str) -> None:
        """Read a device again after a command whose outcome is unknown.

        A lost or garbled answer does not mean the cloud refused: the pump may
        be running. One read, once it can have reacted, shows what happened;
        its schedules and configuration are read again at the next poll.
        """
        self._slow_refresh_due.add(device_id)
        if device_id not in self._confirm_timers:
            self._schedule_confirmation(
                device_id, COMMAND_CONFIRM_ATTEMPTS, recheck=True
            )

    def _schedule_confirmation(
        self,
        device_id: str,
        attempt: int = 1,
        delay: timedelta = COMMAND_CONFIRM_DELAY,
        *,
        recheck: bool = False,
    ) -> None:
        """Read the commanded device alone once it can have reacted."""
        if cancel := self._confirm_timers.pop(device_id, None):
            cancel()

        @callback
        def _confirm(_now: datetime) -> None:
            self._confirm_timers.pop(device_id, None)
            self.config_entry.async_create_background_task(
                self.hass,
                self._async_confirm(device_id, attempt, recheck=recheck),
                f"moogo confirm {device_id}",
            )

        self._confirm_timers[device_id] = async_call_later(
            self.hass, delay.total_seconds(), _confirm
        )

    async def _async_confirm(
        self, device_id: str, attempt: int, *, recheck: bool = False
    ) -> None:
        """Read one device's detail (one request); again shortly if not there yet.

        One request per attempt instead of a whole refresh (one per device
        plus one), and the state is confirmed within a round trip of the
        device's reaction.
        """
        if not self.data or (device_id not in self._pending and not recheck):
            return
        try:
            detail = await self.client.get_device(device_id)
        except MoogoError as err:
            # Account-wide errors surface in the regular poll.
            LOGGER.debug("Confirming the command to %s failed: %s", device_id, err)
        else:
            device = self._apply_pending(detail, dt_util.utcnow())
            if not self._update_device(
                device_id, lambda item: replace(item, device=device, reachable=True)
            ):
                return
        if device_id in self._pending and attempt < COMMAND_CONFIRM_ATTEMPTS:
            self._schedule_confirmation(
                device_id, attempt + 1, COMMAND_CONFIRM_INTERVAL
            )

    async def async_refresh_slow_data(self, device_id: str) -> None:
        """Re-read schedules and configuration of the device an edit touched.

        Two requests for that device alone, instead of a whole refresh (the
        list and every device's details); the poll's timer is left as it is.
        """
        if not self.data or (item := self.data.devices.get(device_id)) is None:
            return
        try:
            updated = await self._refresh_slow(item, dt_util.utcnow())
        except MoogoError as err:
            # Account-wide errors surface in the regular poll, which also
            # reads this device's slow data again.
            LOGGER.debug("Re-reading %s after an edit failed: %s", device_id, err)
            self._slow_refresh_due.add(device_id)
            return
        finally:
            self.async_store_client_state()
        # A poll may have finished meanwhile: keep its readings, add the slow data.
        self._update_device(
            device_id,
            lambda item: replace(
                item,
                schedules=updated.schedules,
                config=updated.config,
                slow_updated_at=updated.slow_updated_at,
            ),
        )

    @callback
    def _update_device(
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

    @callback
    def async_stop_spray_later(self, device_id: str, seconds: float) -> None:
        """Stop a spray after ``seconds``; replaces an earlier timer of the device."""
        if cancel := self._stop_timers.pop(device_id, None):
            cancel()

        async def _stop(_now: datetime) -> None:
            self._stop_timers.pop(device_id, None)
            try:
                await self.client.stop_spray(device_id)
            except MoogoError as err:
                # Nobody awaits this timer; the device's own default duration
                # still ends the spray.
                LOGGER.warning(
                    "Could not stop the timed mist of %s: %s", device_id, err
                )
                return
            self.async_expect_spraying(device_id, False)

        self._stop_timers[device_id] = async_call_later(self.hass, seconds, _stop)

    @callback
    def async_cancel_timers(self) -> None:
        """Cancel confirmation and timed-stop timers (on unload)."""
        for timers in (self._confirm_timers, self._stop_timers):
            for cancel in timers.values():
                cancel()
            timers.clear()


def _merge_summary(known: Device, summary: Device) -> Device:
    """Update the list's fields of a known device and keep its last readings."""
    return replace(
        known,
        name=summary.name or known.name,
        online=summary.online,
        spraying=summary.spraying,
        firmware=summary.firmware or known.firmware,
        model=summary.model or known.model,
    )
