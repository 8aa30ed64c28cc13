"""Typed models of Moogo cloud answers, parsed tolerantly.

Every parser here either returns a model (``None`` for whatever is missing or
unreadable, read by the tolerant readers of ``parsing.py``) or raises
:class:`MoogoResponseError`; nothing else escapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self

from .const import MAX_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS
from .exceptions import MoogoResponseError
from .parsing import (
    as_bool,
    as_float,
    as_int,
    as_plausible_timestamp,
    as_str,
    as_timestamp,
    require_mapping,
)

TANK_EMPTY = 0
TANK_HAS_LIQUID = 1

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
        # A lifetime shorter than the sign-in budget allows (a ttl given in
        # minutes, say) would make every poll sign in: such a token is used
        # until the cloud rejects it. An absurdly long one never expires.
        ttl = as_float(raw.get("ttl"))
        expires_at = None
        if ttl is not None and MIN_TOKEN_TTL_SECONDS <= ttl <= MAX_TOKEN_TTL_SECONDS:
            expires_at = now + timedelta(seconds=ttl)
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

    Recommended schedules may have no id. The cloud's own moments (``next_run``
    and the others) come in seconds or milliseconds; a value that is no
    plausible moment (0, negative, garbled, a year 5000) reads as None.
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
    # The app's ``is_skip``; older notes called it ``skipNext`` or ``skip``.
    skip_next: bool | None = api_field(
        "is_skip", "skipNext", "skip", parse=as_bool, default=None
    )
    title: str | None = api_field("title", parse=as_str, default=None)
    skip_count: int | None = api_field("skipCount", parse=as_int, default=None)
    last_skipped_at: datetime | None = api_field(
        "lastSkippedAt", parse=as_plausible_timestamp, default=None
    )
    # When the cloud runs it next; None where it computes none.
    next_run: datetime | None = api_field(
        "nextSprayingTime", parse=as_plausible_timestamp, default=None
    )
    updated_at: datetime | None = api_field(
        "updatedAt", parse=as_plausible_timestamp, default=None
    )


@dataclass(frozen=True, slots=True)
class ScheduleList:
    """A device's schedules with its master schedule switch.

    ``master_switch`` is the app's switch over all schedules
    (``scheduleSwitchStatus``), separate from each schedule's ``enabled``: a
    schedule runs only while both are on. None when the cloud leaves it out.
    """

    schedules: tuple[Schedule, ...] = ()
    master_switch: bool | None = None


@dataclass(frozen=True, slots=True)
class DeviceConfig(ApiModel):
    """A device's configuration; ``set_config`` changes its settings, not its ids.

    The weather pauses arrive as 0/1 or as booleans; both read as bool.
    """

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
    config_id: str | None = api_field("id", parse=as_str, default=None)
    device_id: str | None = api_field("deviceId", parse=as_str, default=None)
    user_id: str | None = api_field("userId", parse=as_str, default=None)
    # Whether the device has taken the configuration over; read only.
    synced: bool | None = api_field("syncStatus", parse=as_bool, default=None)


@dataclass(frozen=True, slots=True)
class SprayRecord(ApiModel):
    """One mist of a device's spray history."""

    api_object: ClassVar[str] = "spray record"

    record_id: str | None = api_field("id", parse=as_str, default=None)
    created_at: datetime | None = api_field(
        "createdAt", parse=as_plausible_timestamp, default=None
    )
    seconds: int | None = api_field("seconds", parse=as_int, default=None)


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


@dataclass(frozen=True, slots=True)
class Message(ApiModel):
    """One message of the account's message centre.

    ``kind`` is the cloud's ``type`` code, kept as sent: the codes' meanings
    are not known. ``read`` comes as 0/1 or as a boolean. The sender and
    recipient fields belong to sharing invitations.
    """

    api_object: ClassVar[str] = "message"

    message_id: str | None = api_field("id", parse=as_str, default=None)
    kind: int | None = api_field("type", parse=as_int, default=None)
    title: str | None = api_field("title", parse=as_str, default=None)
    content: str | None = api_field("content", parse=as_str, default=None)
    device_name: str | None = api_field("deviceName", parse=as_str, default=None)
    created_at: datetime | None = api_field(
        "createdAt", parse=as_plausible_timestamp, default=None
    )
    read: bool | None = api_field("isRead", parse=as_bool, default=None)
    target_id: str | None = api_field("targetId", parse=as_str, default=None)
    from_email: str | None = api_field("fromEmail", parse=as_str, default=None)
    from_nickname: str | None = api_field("fromNickname", parse=as_str, default=None)
    to_email: str | None = api_field("toEmail", parse=as_str, default=None)
    invite_status: int | None = api_field("inviteStatus", parse=as_int, default=None)


def parse_unread_count(data: Any) -> int:
    """Read the unread count: ``{"unReadCount": n}`` (the app's model) or a bare n."""
    raw = data.get("unReadCount") if isinstance(data, Mapping) else data
    count = None if isinstance(raw, bool) else as_int(raw)
    if count is None or count < 0:
        raise MoogoResponseError("Expected a count of unread messages (unReadCount)")
    return count
