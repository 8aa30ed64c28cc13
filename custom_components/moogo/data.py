"""What the coordinator knows of each device, and when each part is due again."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
import re
from typing import NamedTuple
import zlib

from homeassistant.util import dt as dt_util

from .api import Device, DeviceConfig, Schedule
from .schedule import Run, next_run


@dataclass(frozen=True, slots=True)
class MoogoDeviceData:
    """Everything known about one device after a refresh.

    ``available`` is False while the device is offline or its own requests
    fail (the account as a whole answering); its readings then show as
    unavailable.
    """

    device: Device
    available: bool = True
    schedules: tuple[Schedule, ...] | None = None
    #: The device's master schedule switch (``scheduleSwitchStatus``); None
    #: where the cloud leaves it out.
    schedule_switch: bool | None = None
    config: DeviceConfig | None = None
    #: When the readings (the device's detail) were last read.
    details_updated_at: datetime | None = None
    #: When the schedules and configuration were last read.
    slow_updated_at: datetime | None = None
    #: The configuration's time zone, loaded off the event loop when read;
    #: None while unknown or not a zone.
    zone: tzinfo | None = None
    #: When the mist under way ends: known for a mist HA or a schedule
    #: started; None while not misting or not known.
    mist_ends_at: datetime | None = None
    #: When Home Assistant switches the schedules on again (a timed pause);
    #: None while not paused.
    paused_until: datetime | None = None

    @property
    def time_zone(self) -> tzinfo:
        """The zone the device runs its schedules in (else HA's)."""
        return self.zone or dt_util.get_default_time_zone()

    @property
    def schedules_on(self) -> bool | None:
        """Whether the device runs its schedules, as the app's master switch shows.

        Where the cloud leaves the switch out: whether any schedule is enabled.
        """
        if self.schedule_switch is not None:
            return self.schedule_switch
        if self.schedules is None:
            return None
        return any(schedule.enabled for schedule in self.schedules)

    @property
    def active_schedules(self) -> tuple[Schedule, ...]:
        """The schedules that can run: none while the master switch is off."""
        if self.schedule_switch is False:
            return ()
        return self.schedules or ()

    @property
    def planned_schedules(self) -> tuple[Schedule, ...]:
        """The schedules with runs ahead: while paused, those that run after it."""
        if self.paused_until is not None:
            return self.schedules or ()
        return self.active_schedules

    def next_mist(self) -> Run | None:
        """Return the next scheduled mist: after the pause, while one holds them."""
        return next_run(
            self.planned_schedules,
            dt_util.utcnow(),
            self.time_zone,
            held_until=self.paused_until,
        )


@dataclass(frozen=True, slots=True)
class MoogoData:
    """One snapshot of the account."""

    devices: dict[str, MoogoDeviceData] = field(default_factory=dict)


class Listed(NamedTuple):
    """What the device list says of a device (a detail says it too).

    A change here (a mist started or ended, the device came online, new
    firmware) is what makes a device's detail worth reading before its turn.
    """

    name: str | None
    online: bool | None
    misting: bool | None
    firmware: str | None
    model: str | None

    @classmethod
    def of(cls, device: Device) -> Listed:
        """Return the list's fields of ``device``."""
        return cls(
            device.name, device.online, device.misting, device.firmware, device.model
        )


# An IANA key: words joined by "/", nothing a path could use to wander.
_ZONE_KEY = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+){0,2}")


async def async_load_zone(name: str | None) -> tzinfo | None:
    """Return the zone ``name`` names, read off the event loop; None if none.

    The cloud's ``timeZone`` is checked first: a path such as ``../UTC`` or
    ``/etc/localtime`` would make the zone database raise or read a file.
    """
    if not name or len(name) > 64 or not _ZONE_KEY.fullmatch(name):
        return None
    try:
        return await dt_util.async_get_time_zone(name)
    except ValueError, OSError:
        return None


def newest(
    before: MoogoDeviceData | None,
    current: MoogoDeviceData | None,
    read: MoogoDeviceData,
) -> MoogoDeviceData:
    """Return a poll's ``read`` of a device, less what changed while it read.

    ``before`` is what the poll started from, ``current`` what the device's
    data is when the poll ends: an edit or a confirmation that landed in
    between read the cloud later than the poll did, so its part wins.
    """
    if before is None or current is None or current is before:
        return read
    if current.config is not before.config:
        read = replace(read, config=current.config, zone=current.zone)
    if (current.schedules, current.schedule_switch) != (
        before.schedules,
        before.schedule_switch,
    ):
        read = replace(
            read,
            schedules=current.schedules,
            schedule_switch=current.schedule_switch,
            slow_updated_at=current.slow_updated_at,
        )
    if current.details_updated_at != before.details_updated_at:
        read = replace(
            read,
            device=current.device,
            available=current.available,
            details_updated_at=current.details_updated_at,
        )
    return read


def merge_summary(known: Device, summary: Device) -> Device:
    """Update the list's fields of a known device and keep its last readings."""
    return replace(
        known,
        name=summary.name or known.name,
        online=summary.online,
        misting=summary.misting,
        firmware=summary.firmware or known.firmware,
        model=summary.model or known.model,
    )


def turn_passed(
    device_id: str,
    period: timedelta,
    last: datetime | None,
    now: datetime,
    origin: datetime,
) -> bool:
    """Tell whether a device's turn in ``period`` came since ``last``.

    Turns fall at a fixed offset from ``origin`` (when polling began), taken
    from a stable hash of the device's id: an account's reads spread evenly
    over the period instead of bursting on one poll.
    """
    if last is None:
        return True
    seconds = period.total_seconds()
    offset = origin.timestamp() + zlib.crc32(device_id.encode()) % int(seconds)
    return (now.timestamp() - offset) // seconds > (
        last.timestamp() - offset
    ) // seconds
