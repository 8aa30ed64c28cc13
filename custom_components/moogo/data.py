"""What the coordinator knows of each device, and when each part is due again."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import NamedTuple
import zlib

from homeassistant.util import dt as dt_util

from .api import Device, DeviceConfig, Schedule
from .schedule import Occurrence, next_occurrence


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
    config: DeviceConfig | None = None
    #: When the readings (the device's detail) were last read.
    details_updated_at: datetime | None = None
    #: When the schedules and configuration were last read.
    slow_updated_at: datetime | None = None

    @property
    def time_zone(self) -> tzinfo:
        """The zone the device runs its schedules in (else HA's)."""
        zone = dt_util.get_default_time_zone()
        if self.config and self.config.time_zone:
            zone = dt_util.get_time_zone(self.config.time_zone) or zone
        return zone

    def next_mist(self) -> Occurrence | None:
        """Return the next scheduled mist."""
        if not self.schedules:
            return None
        return next_occurrence(self.schedules, dt_util.utcnow(), self.time_zone)


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
