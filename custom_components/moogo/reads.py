"""Reads one device at a time: its detail and its slow data, each when due."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from dataclasses import replace
from datetime import datetime

from homeassistant.util import dt as dt_util

from .api import (
    Device,
    DeviceConfig,
    MoogoAuthError,
    MoogoClient,
    MoogoError,
    MoogoRateLimitError,
    ScheduleList,
)
from .const import (
    DETAILS_UPDATE_INTERVAL,
    LOGGER,
    MAX_CONCURRENT_REQUESTS,
    SLOW_UPDATE_INTERVAL,
)
from .data import Listed, MoogoDeviceData, async_load_zone, merge_summary, turn_passed


class DeviceReader:
    """Decides what of a device a poll reads, and reads it.

    The list (read by the coordinator) says whether a device is online and
    misting; its detail is read when that changed and otherwise on the
    device's turn, its schedules and configuration on a slower turn.
    """

    def __init__(self, client: MoogoClient) -> None:
        """Read through ``client``; no I/O yet."""
        self._client = client
        self._semaphore = asyncio.Semaphore(MAX_CONCURRENT_REQUESTS)
        #: Each device's turns fall at fixed offsets from here.
        self._origin = dt_util.utcnow()
        #: What the cloud last said of each device in the list's fields.
        self._listed: dict[str, Listed] = {}
        self._details_due: set[str] = set()
        self._slow_due: set[str] = set()
        #: Devices the cloud first said were misting, as they were just before.
        self._mist_starts: list[MoogoDeviceData] = []

    def mark_slow_due(self, device_id: str) -> None:
        """Have the next poll read the device's schedules and configuration."""
        self._slow_due.add(device_id)

    def mark_all_due(self, device_ids: Iterable[str]) -> None:
        """Have the next poll read everything of these devices."""
        due = set(device_ids)
        self._details_due |= due
        self._slow_due |= due

    def forget(self, current: set[str]) -> None:
        """Drop what is kept of devices the account no longer has."""
        for device_id in self._listed.keys() - current:
            del self._listed[device_id]
        self._details_due &= current
        self._slow_due &= current

    async def _limited[T](self, call: Awaitable[T]) -> T:
        async with self._semaphore:
            return await call

    def _details_wanted(
        self, summary: Device, previous: MoogoDeviceData | None, now: datetime
    ) -> bool:
        """Tell whether a device's detail is worth a request on this poll."""
        device_id = summary.device_id
        return (
            previous is None
            or not previous.available
            or device_id in self._details_due
            or self._listed.get(device_id) != Listed.of(summary)
            or turn_passed(
                device_id,
                DETAILS_UPDATE_INTERVAL,
                previous.details_updated_at,
                now,
                self._origin,
            )
        )

    async def refresh(
        self, summary: Device, previous: MoogoDeviceData | None, now: datetime
    ) -> MoogoDeviceData:
        """Fetch one device's detail and slow data when due; never raises."""
        device_id = summary.device_id
        base = previous or MoogoDeviceData(device=summary)
        listed = merge_summary(base.device, summary)
        if summary.online is False:
            # An offline device's detail is stale at best: keep what we knew.
            self._seen_listed(base, summary)
            return replace(base, device=listed, available=False)
        if not self._details_wanted(summary, previous, now):
            self._seen_listed(base, summary)
            data = replace(base, device=listed)
        else:
            try:
                detail = await self._limited(self._client.get_device(device_id))
            except MoogoAuthError, MoogoRateLimitError:
                raise
            except MoogoError as err:
                LOGGER.debug("Detail of device %s failed: %s", device_id, err)
                return replace(base, device=listed, available=False)
            data = self.with_detail(base, detail, now)
        if device_id in self._slow_due or turn_passed(
            device_id, SLOW_UPDATE_INTERVAL, data.slow_updated_at, now, self._origin
        ):
            data = await self.read_slow(data, now)
        # The same object while nothing changed: entities compare by identity.
        return previous if data == previous else data

    def with_detail(
        self, base: MoogoDeviceData, detail: Device, now: datetime
    ) -> MoogoDeviceData:
        """Return a device's data after a fresh read of its detail."""
        self._details_due.discard(detail.device_id)
        self._seen_listed(base, detail)
        return replace(
            base,
            device=detail,
            available=detail.online is not False,
            details_updated_at=now,
        )

    def _seen_listed(self, base: MoogoDeviceData, seen: Device) -> None:
        """Remember what the cloud said in the list's fields; note a mist start."""
        before = self._listed.get(seen.device_id)
        self._listed[seen.device_id] = Listed.of(seen)
        if seen.misting and before is not None and not before.misting:
            self._mist_starts.append(base)

    def take_mist_starts(self) -> list[MoogoDeviceData]:
        """Return the mist starts read since the last call, and forget them."""
        starts, self._mist_starts = self._mist_starts, []
        return starts

    async def read_slow(self, data: MoogoDeviceData, now: datetime) -> MoogoDeviceData:
        """Fetch schedules and configuration; keep the old values on failure."""
        device_id = data.device.device_id
        schedules_result, config_result = await asyncio.gather(
            self._limited(self._client.get_schedule_list(device_id)),
            self._limited(self._client.get_config(device_id)),
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
            self._slow_due.discard(device_id)
        if isinstance(schedules_result, ScheduleList):
            data = replace(
                data,
                schedules=schedules_result.schedules,
                schedule_switch=schedules_result.master_switch,
            )
        if isinstance(config_result, DeviceConfig):
            data = replace(
                data,
                config=config_result,
                zone=await async_load_zone(config_result.time_zone),
            )
        return replace(
            data,
            slow_updated_at=data.slow_updated_at if failed else now,
        )
