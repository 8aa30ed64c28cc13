"""Typed models of Moogo cloud answers, parsed tolerantly.

The community-documented API drifts: fields go missing, numbers arrive as
strings, timestamps switch between seconds and milliseconds. Every parser here
either returns a model (``None`` for whatever is missing or unreadable) or
raises :class:`MoogoResponseError`; nothing else escapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime, timedelta
import math
from typing import Any, ClassVar, Self

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


# Keys of a model field's metadata: where its value comes from and how it is read.
_API_KEYS = "moogo_api_keys"
_PARSER = "moogo_parser"
_REQUIRED = "moogo_required"


def api_field(
    *keys: str,
    parse: Callable[[Any], Any],
    default: Any = MISSING,
    required: bool = False,
) -> Any:
    """Declare a model field read from the API field ``keys[0]``.

    Further keys are other spellings seen for the same value, read when the
    first is absent.
    ``required``: a value that ``parse`` cannot read makes the whole object
    unusable (``MoogoResponseError``) instead of ``None``.
    """
    metadata = {_API_KEYS: keys, _PARSER: parse, _REQUIRED: required}
    return field(default=default, metadata=metadata)


def api_names(model: type[Any]) -> dict[str, str]:
    """Map each API-backed attribute of ``model`` to its API field name."""
    return {
        item.name: item.metadata[_API_KEYS][0]
        for item in fields(model)
        if _API_KEYS in item.metadata
    }


class ApiModel:
    """Base of the models parsed from one JSON object by their field declarations."""

    __slots__ = ()

    #: What the object is, for error messages ("device", "schedule", ...).
    api_object: ClassVar[str]

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Parse one API object; missing or unreadable fields become ``None`` (or empty)."""
        raw = require_mapping(data, cls.api_object)
        values: dict[str, Any] = {}
        for item in fields(cls):  # type: ignore[arg-type]
            keys: tuple[str, ...] = item.metadata[_API_KEYS]
            value = next((raw[key] for key in keys if key in raw), None)
            parsed = item.metadata[_PARSER](value)
            if parsed is None and item.metadata[_REQUIRED]:
                raise MoogoResponseError(
                    f"{cls.api_object.capitalize()} without {keys[0]}"
                )
            values[item.name] = parsed
        return cls(**values)


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
class Device(ApiModel):
    """A device as the list or the detail endpoint describes it.

    The list gives only the summary fields; the detail adds the readings.
    Tank levels keep their raw value: values other than 0/1 have been seen
    and their meaning is unknown, so they are kept rather than guessed.
    """

    api_object: ClassVar[str] = "device"

    device_id: str = api_field("deviceId", parse=as_str, required=True)
    name: str | None = api_field("deviceName", parse=as_str, default=None)
    online: bool | None = api_field("onlineStatus", parse=as_bool, default=None)
    misting: bool | None = api_field("runStatus", parse=as_bool, default=None)
    firmware: str | None = api_field("firmware", parse=as_str, default=None)
    model: str | None = api_field("deviceModel", parse=as_str, default=None)
    rssi: int | None = api_field("rssi", parse=as_int, default=None)
    temperature: float | None = api_field("temperature", parse=as_float, default=None)
    humidity: float | None = api_field("humidity", parse=as_float, default=None)
    concentrate_level: int | None = api_field(
        "liquid_level", parse=as_int, default=None
    )
    water_level: int | None = api_field("water_level", parse=as_int, default=None)
    concentration: float | None = api_field(
        "liquidConcentration", parse=as_float, default=None
    )
    mix_ratio: int | None = api_field("mixRatio", parse=as_int, default=None)
    latest_mist_duration: int | None = api_field(
        "latestSprayingDuration", parse=as_int, default=None
    )
    latest_mist_end: datetime | None = api_field(
        "latestSprayingEnd", parse=as_timestamp, default=None
    )

    @property
    def water_empty(self) -> bool | None:
        """Whether the water tank is empty; None when the level is unknown."""
        return _tank_empty(self.water_level)

    @property
    def concentrate_empty(self) -> bool | None:
        """Whether the concentrate tank is empty; None when the level is unknown."""
        return _tank_empty(self.concentrate_level)


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
class Schedule(ApiModel):
    """A misting schedule; times are in the device's time zone.

    Recommended schedules may have no id.
    """

    api_object: ClassVar[str] = "schedule"

    schedule_id: str | None = api_field("id", parse=as_str)
    hour: int | None = api_field("hour", parse=as_int, default=None)
    minute: int | None = api_field("minute", parse=as_int, default=None)
    duration: int | None = api_field("duration", parse=as_int, default=None)
    repeat_days: tuple[int, ...] = api_field(
        "repeatSet", parse=parse_repeat_days, default=()
    )
    enabled: bool | None = api_field("status", parse=as_bool, default=None)
    skip_next: bool | None = api_field("skipNext", "skip", parse=as_bool, default=None)
    title: str | None = api_field("title", parse=as_str, default=None)


@dataclass(frozen=True, slots=True)
class DeviceConfig(ApiModel):
    """A device's configuration; every field is writable with ``set_config``."""

    api_object: ClassVar[str] = "device configuration"

    stop_temperature: float | None = api_field(
        "stopTemperature", parse=as_float, default=None
    )
    pause_in_rain: bool | None = api_field("stopRainy", parse=as_bool, default=None)
    pause_in_snow: bool | None = api_field("stopSnow", parse=as_bool, default=None)
    pause_in_windstorm: bool | None = api_field(
        "stopWindstorm", parse=as_bool, default=None
    )
    concentrate_name: str | None = api_field("liquidName", parse=as_str, default=None)
    concentration: float | None = api_field(
        "liquidConcentration", parse=as_float, default=None
    )
    time_zone: str | None = api_field("timeZone", parse=as_str, default=None)
    mist_seconds: int | None = api_field("sprayingSeconds", parse=as_int, default=None)


# Python attribute name -> API field, for the writable device configuration.
CONFIG_FIELDS: Mapping[str, str] = api_names(DeviceConfig)


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
class LogEntry(ApiModel):
    """One entry of a device's event log."""

    api_object: ClassVar[str] = "log entry"

    timestamp: datetime | None = api_field("timestamp", parse=as_timestamp)
    event: str | None = api_field("event", parse=as_str)
    details: str | None = api_field("details", parse=_details_text)


@dataclass(frozen=True, slots=True)
class FirmwareInfo(ApiModel):
    """The result of a firmware check."""

    api_object: ClassVar[str] = "firmware check"

    available: bool | None = api_field("available", parse=as_bool)
    version: str | None = api_field("version", parse=as_str)
    url: str | None = api_field("url", parse=as_str)


@dataclass(frozen=True, slots=True)
class Liquid(ApiModel):
    """A concentrate product."""

    api_object: ClassVar[str] = "liquid"

    liquid_id: str | None = api_field("id", parse=as_str)
    name: str | None = api_field("name", parse=as_str)
    description: str | None = api_field("description", parse=as_str)
    icon: str | None = api_field("icon", parse=as_str)
