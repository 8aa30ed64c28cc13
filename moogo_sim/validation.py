"""Checks of request bodies and query strings.

The simulator is deliberately strict (unknown or read-only fields, wrong
types and out-of-range values are answered 400) so that a client bug shows
up in tests instead of being silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import json
import re
from typing import Any

from aiohttp import web

from .protocol import ApiError

MAX_PAGE_SIZE = 100
MAX_SECONDS = 3600

_REPEAT_SET = re.compile(r"^([0-6](,[0-6])*)?$")

SCHEDULE_FIELDS = frozenset({"hour", "minute", "duration", "repeatSet", "status"})
DEVICE_FIELDS = frozenset({"deviceName", "mixRatio"})
CONFIG_READ_ONLY = frozenset({"id", "deviceId", "userId"})
CONFIG_FIELDS = frozenset(
    {
        "stopTemperature",
        "stopRainy",
        "stopSnow",
        "stopWindstorm",
        "liquidName",
        "liquidConcentration",
        "timeZone",
        "sprayingSeconds",
    }
)


async def read_json_object(
    request: web.Request,
    reject: Callable[[str], Exception] = ApiError.bad_request,
) -> dict[str, Any]:
    """Return the body as a JSON object; an empty body counts as ``{}``.

    ``reject`` builds the error for a body that is not one: the cloud's 400
    envelope by default, the admin API's own error there.
    """
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise reject("body is not valid JSON") from None
    if not isinstance(body, dict):
        raise reject("body must be a JSON object")
    return body


def reject_unknown(body: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """Answer 400 when the body carries fields the endpoint does not take."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError.bad_request(f"unknown field(s): {', '.join(unknown)}")


def _is_int(value: Any) -> bool:
    # bool is an int subclass; true/false is never a valid number here.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, float)


def int_in_range(body: Mapping[str, Any], key: str, low: int, high: int) -> int:
    """Return ``body[key]`` if it is an integer in ``[low, high]``, else 400."""
    value = body[key]
    if not _is_int(value) or not low <= value <= high:
        raise ApiError.bad_request(f"{key} must be an integer from {low} to {high}")
    return int(value)


def number_in_range(
    body: Mapping[str, Any], key: str, low: float, high: float
) -> float:
    """Return ``body[key]`` if it is a number in ``[low, high]``, else 400."""
    value = body[key]
    if not _is_number(value) or not low <= value <= high:
        raise ApiError.bad_request(f"{key} must be a number from {low} to {high}")
    return float(value) if isinstance(value, float) else int(value)


def boolean(body: Mapping[str, Any], key: str) -> bool:
    """Return ``body[key]`` if it is a JSON boolean, else 400."""
    value = body[key]
    if not isinstance(value, bool):
        raise ApiError.bad_request(f"{key} must be true or false")
    return value


def text(body: Mapping[str, Any], key: str, max_length: int = 64) -> str:
    """Return ``body[key]`` if it is a non-blank string of sane length, else 400."""
    value = body[key]
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise ApiError.bad_request(
            f"{key} must be a non-empty string of at most {max_length} characters"
        )
    return value


def schedule_changes(body: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate a schedule body and return its fields in snake_case."""
    reject_unknown(body, SCHEDULE_FIELDS)
    if creating:
        missing = sorted({"hour", "minute", "duration"} - set(body))
        if missing:
            raise ApiError.bad_request(f"missing field(s): {', '.join(missing)}")
    changes: dict[str, Any] = {}
    if "hour" in body:
        changes["hour"] = int_in_range(body, "hour", 0, 23)
    if "minute" in body:
        changes["minute"] = int_in_range(body, "minute", 0, 59)
    if "duration" in body:
        changes["duration"] = int_in_range(body, "duration", 1, MAX_SECONDS)
    if "status" in body:
        changes["status"] = int_in_range(body, "status", 0, 1)
    if "repeatSet" in body:
        repeat_set = body["repeatSet"]
        if not isinstance(repeat_set, str) or not _REPEAT_SET.match(repeat_set):
            raise ApiError.bad_request(
                'repeatSet must list weekdays 0-6 separated by commas, e.g. "1,2,3"'
            )
        changes["repeat_set"] = repeat_set
    return changes


def device_changes(body: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a ``PUT /v1/devices/{id}`` body; return SimDevice fields."""
    reject_unknown(body, DEVICE_FIELDS)
    changes: dict[str, Any] = {}
    if "deviceName" in body:
        changes["name"] = text(body, "deviceName")
    if "mixRatio" in body:
        changes["mix_ratio"] = int_in_range(body, "mixRatio", 1, 100)
    return changes


def config_changes(body: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a configs PUT body (except the zone, checked asynchronously).

    Returns SimDevice field names mapped to the new values.
    """
    read_only = sorted(CONFIG_READ_ONLY & set(body))
    if read_only:
        raise ApiError.bad_request(f"read-only field(s): {', '.join(read_only)}")
    reject_unknown(body, CONFIG_FIELDS)
    changes: dict[str, Any] = {}
    if "stopTemperature" in body:
        changes["stop_temperature"] = number_in_range(body, "stopTemperature", -40, 60)
    for key, attribute in (
        ("stopRainy", "stop_rainy"),
        ("stopSnow", "stop_snow"),
        ("stopWindstorm", "stop_windstorm"),
    ):
        if key in body:
            changes[attribute] = boolean(body, key)
    if "liquidName" in body:
        changes["liquid_name"] = text(body, "liquidName")
    if "liquidConcentration" in body:
        changes["liquid_concentration"] = number_in_range(
            body, "liquidConcentration", 0, 100
        )
    if "sprayingSeconds" in body:
        changes["spraying_seconds"] = int_in_range(
            body, "sprayingSeconds", 1, MAX_SECONDS
        )
    if "timeZone" in body:
        zone = body["timeZone"]
        if not isinstance(zone, str):
            raise ApiError.bad_request("timeZone must be an IANA zone name")
        changes["time_zone"] = zone
    return changes


def pagination(query: Mapping[str, str]) -> tuple[int, int]:
    """Return ``(page, pageSize)`` from the query string (1-based pages)."""
    values: dict[str, int] = {}
    for key, default, high in (
        ("page", 1, 1_000_000),
        ("pageSize", 20, MAX_PAGE_SIZE),
    ):
        raw = query.get(key)
        if raw is None:
            values[key] = default
            continue
        try:
            value = int(raw)
        except ValueError:
            raise ApiError.bad_request(f"{key} must be an integer") from None
        if not 1 <= value <= high:
            raise ApiError.bad_request(f"{key} must be from 1 to {high}")
        values[key] = value
    return values["page"], values["pageSize"]
