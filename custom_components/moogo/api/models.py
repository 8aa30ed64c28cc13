"""Typed models of Moogo cloud answers, parsed tolerantly.

The community-documented API drifts: fields go missing, numbers arrive as
strings, timestamps switch between seconds and milliseconds. Every parser here
either returns a model (``None`` for whatever is missing or unreadable) or
raises :class:`MoogoResponseError`; nothing else escapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import math
from typing import Any, Self

from .exceptions import MoogoResponseError

# Larger epoch values can only be milliseconds: 1e11 seconds is the year 5138.
_MILLISECONDS_THRESHOLD = 100_000_000_000

TANK_EMPTY = 0
TANK_HAS_LIQUID = 1


def as_int(value: Any) -> int | None:
    """Return an int for ints, integral floats and numeric strings, else None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    number = as_float(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def as_float(value: Any) -> float | None:
    """Return a finite float for numbers and numeric strings, else None."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def as_bool(value: Any) -> bool | None:
    """Return a bool for bools, 0/1 numbers and common strings, else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "yes", "on"}:
            return True
        if lowered in {"false", "no", "off"}:
            return False
    number = as_int(value)
    if number in (0, 1):
        return bool(number)
    return None


def as_str(value: Any) -> str | None:
    """Return a non-empty string for strings and numbers, else None."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_timestamp(value: Any) -> datetime | None:
    """Return an aware UTC datetime from epoch seconds, milliseconds or ISO text."""
    if isinstance(value, str) and as_float(value) is None:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    number = as_float(value)
    if number is None or number <= 0:
        return None
    if number >= _MILLISECONDS_THRESHOLD:
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except OverflowError, OSError, ValueError:
        return None


def require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    """Return ``value`` as a JSON object or raise a typed error naming ``what``."""
    if not isinstance(value, Mapping):
        raise MoogoResponseError(
            f"Expected an object for {what}, got {type(value).__name__}"
        )
    return value


def items_of(data: Any, what: str) -> list[Mapping[str, Any]]:
    """Return the objects of a list answer, given as ``{"items": [...]}`` or a bare list.

    Entries that are not objects are dropped: one garbled entry must not hide
    the others.
    """
    if isinstance(data, Mapping):
        data = data.get("items", [])
        if data is None:
            return []
    if not isinstance(data, list):
        raise MoogoResponseError(
            f"Expected a list for {what}, got {type(data).__name__}"
        )
    return [item for item in data if isinstance(item, Mapping)]


def _required_id(raw: Mapping[str, Any], key: str, what: str) -> str:
    identifier = as_str(raw.get(key))
    if identifier is None:
        raise MoogoResponseError(f"{what} without {key}")
    return identifier


@dataclass(frozen=True, slots=True)
class MoogoToken:
    """A login token with what an application needs to persist and reuse it."""

    token: str = field(repr=False)
    user_id: str
    expires_at: datetime | None = None

    def is_expired(self, now: datetime, margin: timedelta = timedelta()) -> bool:
        """Tell whether the token is past (or within ``margin`` of) its expiry."""
        return self.expires_at is not None and now + margin >= self.expires_at

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage (for example in a config entry)."""
        return {
            "token": self.token,
            "user_id": self.user_id,
            "expires_at": self.expires_at.timestamp() if self.expires_at else None,
        }

    @classmethod
    def from_dict(cls, raw: Any) -> Self | None:
        """Restore what :meth:`as_dict` wrote; ``None`` if it is unusable."""
        if not isinstance(raw, Mapping):
            return None
        token = as_str(raw.get("token"))
        user_id = as_str(raw.get("user_id"))
        if token is None or user_id is None:
            return None
        return cls(
            token=token, user_id=user_id, expires_at=as_timestamp(raw.get("expires_at"))
        )

    @classmethod
    def from_login(cls, data: Any, now: datetime) -> Self:
        """Build from the ``data`` of a login answer."""
        raw = require_mapping(data, "login")
        token = as_str(raw.get("token"))
        user_id = as_str(raw.get("userId"))
        if token is None or user_id is None:
            raise MoogoResponseError("Login answer without token or userId")
        ttl = as_float(raw.get("ttl"))
        expires_at = None
        if ttl and ttl > 0:
            try:
                expires_at = now + timedelta(seconds=ttl)
            except OverflowError:
                # Beyond the year 9999 (or timedelta's range): never expires.
                expires_at = None
        return cls(token=token, user_id=user_id, expires_at=expires_at)


def _tank_empty(level: int | None) -> bool | None:
    if level == TANK_EMPTY:
        return True
    if level == TANK_HAS_LIQUID:
        return False
    return None


@dataclass(frozen=True, slots=True)
class Device:
    """A device as the list or the detail endpoint describes it.

    The list gives only the summary fields; the detail adds the readings.
    Tank levels keep their raw value: values other than 0/1 have been seen
    and their meaning is unknown, so they are kept rather than guessed.
    """

    device_id: str
    name: str | None = None
    online: bool | None = None
    spraying: bool | None = None
    firmware: str | None = None
    model: str | None = None
    rssi: int | None = None
    temperature: float | None = None
    humidity: float | None = None
    liquid_level: int | None = None
    water_level: int | None = None
    liquid_concentration: float | None = None
    mix_ratio: int | None = None
    latest_spraying_duration: int | None = None
    latest_spraying_end: datetime | None = None

    @property
    def water_empty(self) -> bool | None:
        """Whether the water tank is empty; None when the level is unknown."""
        return _tank_empty(self.water_level)

    @property
    def liquid_empty(self) -> bool | None:
        """Whether the concentrate tank is empty; None when the level is unknown."""
        return _tank_empty(self.liquid_level)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Parse a device list item or a device detail."""
        raw = require_mapping(data, "device")
        return cls(
            device_id=_required_id(raw, "deviceId", "Device"),
            name=as_str(raw.get("deviceName")),
            online=as_bool(raw.get("onlineStatus")),
            spraying=as_bool(raw.get("runStatus")),
            firmware=as_str(raw.get("firmware")),
            model=as_str(raw.get("deviceModel")),
            rssi=as_int(raw.get("rssi")),
            temperature=as_float(raw.get("temperature")),
            humidity=as_float(raw.get("humidity")),
            liquid_level=as_int(raw.get("liquid_level")),
            water_level=as_int(raw.get("water_level")),
            liquid_concentration=as_float(raw.get("liquidConcentration")),
            mix_ratio=as_int(raw.get("mixRatio")),
            latest_spraying_duration=as_int(raw.get("latestSprayingDuration")),
            latest_spraying_end=as_timestamp(raw.get("latestSprayingEnd")),
        )


def parse_repeat_days(value: Any) -> tuple[int, ...]:
    """Parse ``repeatSet`` ("1,2,3" or a list) into sorted weekdays, 0 = Sunday."""
    parts: Sequence[Any]
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list | tuple):
        parts = value
    else:
        return ()
    days = {as_int(part.strip() if isinstance(part, str) else part) for part in parts}
    return tuple(sorted(day for day in days if day is not None and 0 <= day <= 6))


def format_repeat_days(days: Sequence[int]) -> str:
    """Format weekdays (0 = Sunday) as the API's ``repeatSet`` string."""
    for day in days:
        if not 0 <= day <= 6:
            raise ValueError(f"Weekday {day} is outside 0 (Sunday) to 6 (Saturday)")
    return ",".join(str(day) for day in sorted(set(days)))


@dataclass(frozen=True, slots=True)
class Schedule:
    """A misting schedule; times are in the device's time zone."""

    schedule_id: str | None
    hour: int | None = None
    minute: int | None = None
    duration: int | None = None
    repeat_days: tuple[int, ...] = ()
    enabled: bool | None = None
    skip_next: bool | None = None
    title: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Parse one schedule (recommended schedules may have no id)."""
        raw = require_mapping(data, "schedule")
        return cls(
            schedule_id=as_str(raw.get("id")),
            hour=as_int(raw.get("hour")),
            minute=as_int(raw.get("minute")),
            duration=as_int(raw.get("duration")),
            repeat_days=parse_repeat_days(raw.get("repeatSet")),
            enabled=as_bool(raw.get("status")),
            skip_next=as_bool(raw.get("skipNext", raw.get("skip"))),
            title=as_str(raw.get("title")),
        )


# Python attribute name -> API field, for the writable device configuration.
CONFIG_FIELDS: Mapping[str, str] = {
    "stop_temperature": "stopTemperature",
    "stop_rainy": "stopRainy",
    "stop_snow": "stopSnow",
    "stop_windstorm": "stopWindstorm",
    "liquid_name": "liquidName",
    "liquid_concentration": "liquidConcentration",
    "time_zone": "timeZone",
    "spraying_seconds": "sprayingSeconds",
}


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    """A device's configuration."""

    stop_temperature: float | None = None
    stop_rainy: bool | None = None
    stop_snow: bool | None = None
    stop_windstorm: bool | None = None
    liquid_name: str | None = None
    liquid_concentration: float | None = None
    time_zone: str | None = None
    spraying_seconds: int | None = None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Parse a configs answer."""
        raw = require_mapping(data, "device configuration")
        return cls(
            stop_temperature=as_float(raw.get("stopTemperature")),
            stop_rainy=as_bool(raw.get("stopRainy")),
            stop_snow=as_bool(raw.get("stopSnow")),
            stop_windstorm=as_bool(raw.get("stopWindstorm")),
            liquid_name=as_str(raw.get("liquidName")),
            liquid_concentration=as_float(raw.get("liquidConcentration")),
            time_zone=as_str(raw.get("timeZone")),
            spraying_seconds=as_int(raw.get("sprayingSeconds")),
        )


def _details_text(details: Any) -> str | None:
    """Render a log entry's details; structured details as their text form."""
    if not isinstance(details, Mapping | list):
        return as_str(details)
    try:
        return str(details)
    except RecursionError:
        # Nested deeper than repr() can follow: nothing readable to show.
        return None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One entry of a device's event log."""

    timestamp: datetime | None
    event: str | None
    details: str | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Parse one log entry."""
        raw = require_mapping(data, "log entry")
        return cls(
            timestamp=as_timestamp(raw.get("timestamp")),
            event=as_str(raw.get("event")),
            details=_details_text(raw.get("details")),
        )


@dataclass(frozen=True, slots=True)
class FirmwareInfo:
    """The result of a firmware check."""

    available: bool | None
    version: str | None
    url: str | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Parse an otaCheck answer."""
        raw = require_mapping(data, "firmware check")
        return cls(
            available=as_bool(raw.get("available")),
            version=as_str(raw.get("version")),
            url=as_str(raw.get("url")),
        )


@dataclass(frozen=True, slots=True)
class Liquid:
    """A concentrate product."""

    liquid_id: str | None
    name: str | None
    description: str | None
    icon: str | None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Parse one liquid type."""
        raw = require_mapping(data, "liquid")
        return cls(
            liquid_id=as_str(raw.get("id")),
            name=as_str(raw.get("name")),
            description=as_str(raw.get("description")),
            icon=as_str(raw.get("icon")),
        )
