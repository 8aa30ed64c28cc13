"""Checks of request bodies and query strings.

Which encodings and field names an endpoint takes comes from the app's table
(:mod:`moogo_sim.app_api`); the values are checked here. A body or query the
real cloud is known to refuse is answered 400, so that a client bug shows up
in tests instead of being silently ignored; what the evidence shows the cloud
accepts is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import contextlib
from datetime import date
import json
import re
from typing import Any

from aiohttp import web

from .app_api import APP_ROUTES
from .protocol import ApiError
from .wire import read_body, route_key

MAX_SECONDS = 3600
#: The app asks for up to 9999 entries a page (its spray history).
MAX_PAGE_SIZE = 10_000
MAX_PAGE = 1_000_000
#: A small default, so that a client that does not page loses entries.
DEFAULT_PAGE_SIZE = 10
#: ``liquidConcentration`` is the mix ratio "N : 1", at most three digits.
MAX_MIX_RATIO = 999
#: What the app's one duration picker spans (schedules and ``sprayingSeconds``),
#: enforced only under the ``app_limits`` setting.
APP_MIN_SECONDS = 20
APP_MAX_SECONDS = 120
#: "You may add up to 20 schedules" (the app), under ``app_limits`` only.
APP_MAX_SCHEDULES = 20

# Used with fullmatch: "$" alone would let a trailing newline through.
_REPEAT_SET = re.compile(r"([0-6](,[0-6])*)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,18}")

#: Form fields that stand for numbers / booleans; every other one is text.
_FORM_INTEGERS = frozenset({"hour", "minute", "duration", "status"})
_FORM_BOOLEANS = frozenset({"keep"})

#: The configuration flags and the SimDevice attributes they set.
_CONFIG_FLAGS = {
    "stopRainy": "stop_rainy",
    "stopSnow": "stop_snow",
    "stopWindstorm": "stop_windstorm",
}


async def accepted_fields(request: web.Request) -> dict[str, Any]:
    """Return the body's fields if its endpoint takes them, else ApiError 400.

    The endpoint's row in the app's table decides the encodings and field
    names; form values come back typed (``"7"`` as 7 for ``hour``), JSON
    values as they are, so a JSON string where a number belongs stays a 400.
    """
    endpoint = APP_ROUTES[route_key(request)]
    body = await read_body(request)
    if body.problem is not None:
        raise ApiError.bad_request(body.problem)
    if body.encoding not in endpoint.encodings:
        takes = " or ".join(sorted(endpoint.encodings))
        raise ApiError.bad_request(
            f"{endpoint.name} takes a body as {takes}, not {body.encoding}"
        )
    reject_unknown(body.fields, endpoint.body_fields)
    if body.encoding == "form":
        return {
            name: _typed_form_value(name, text) for name, text in body.fields.items()
        }
    return dict(body.fields)


def _typed_form_value(name: str, text: str) -> Any:
    """Return a form value as the type its field stands for, when it reads so.

    Text that does not read as that type stays text, and the field's own
    check answers 400 for it.
    """
    if name in _FORM_INTEGERS and _INTEGER_TEXT.fullmatch(text):
        return int(text)
    if name in _FORM_BOOLEANS and text in {"true", "false"}:
        return text == "true"
    return text


async def read_json_object(
    request: web.Request, reject: Callable[[str], Exception]
) -> dict[str, Any]:
    """Return the body as a JSON object (empty body: ``{}``), for the admin API.

    ``reject`` builds the error for a body that is not one.
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
    """Answer 400 naming the fields an endpoint does not take."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError.bad_request(f"unknown field(s): {', '.join(unknown)}")


# -- values -------------------------------------------------------------------


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
) -> int | float:
    """Return ``body[key]`` if it is a number in ``[low, high]``, else 400."""
    value = body[key]
    if not _is_number(value) or not low <= value <= high:
        raise ApiError.bad_request(f"{key} must be a number from {low} to {high}")
    return float(value) if isinstance(value, float) else int(value)


def flag(body: Mapping[str, Any], key: str) -> int:
    """Return ``body[key]`` as 0 or 1: it may be 0, 1, true or false, else 400."""
    value = body[key]
    if isinstance(value, bool) or (_is_int(value) and value in {0, 1}):
        return int(value)
    raise ApiError.bad_request(f"{key} must be 0, 1, true or false")


def text(body: Mapping[str, Any], key: str, max_length: int = 64) -> str:
    """Return ``body[key]`` if it is a non-blank string of sane length, else 400."""
    value = body[key]
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise ApiError.bad_request(
            f"{key} must be a non-empty string of at most {max_length} characters"
        )
    return value


# -- bodies -------------------------------------------------------------------


def login_fields(body: Mapping[str, Any]) -> tuple[str, str]:
    """Return the email and password of a login body, else 400."""
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not email.strip() or not isinstance(password, str):
        raise ApiError.bad_request("email and password are required strings")
    if "keep" in body and not isinstance(body["keep"], bool):
        raise ApiError.bad_request("keep must be true or false")
    return email, password


def spray_mode(body: Mapping[str, Any]) -> str | None:
    """Return the ``mode`` of a start / stop body as sent (None when absent).

    The app sends ``normal`` or ``self-test``, the community notes ``manual``;
    any other text is taken too (nothing shows the cloud refuses it) and
    sprays as ``normal``. Only a JSON value that is no text is a 400.
    """
    if "mode" not in body:
        return None
    mode = body["mode"]
    if not isinstance(mode, str):
        raise ApiError.bad_request("mode must be text, e.g. normal or self-test")
    return mode


def _seconds_range(*, app_limits: bool) -> tuple[int, int]:
    """Return the durations accepted: the app's picker's under ``app_limits``."""
    return (APP_MIN_SECONDS, APP_MAX_SECONDS) if app_limits else (1, MAX_SECONDS)


def schedule_changes(
    body: Mapping[str, Any], *, creating: bool, app_limits: bool = False
) -> dict[str, Any]:
    """Validate a schedule body and return its fields in snake_case."""
    if creating:
        missing = sorted({"hour", "minute", "duration"} - set(body))
        if missing:
            raise ApiError.bad_request(f"missing field(s): {', '.join(missing)}")
    changes: dict[str, Any] = {}
    for key, low, high in (
        ("hour", 0, 23),
        ("minute", 0, 59),
        ("duration", *_seconds_range(app_limits=app_limits)),
        ("status", 0, 1),
    ):
        if key in body:
            changes[key] = int_in_range(body, key, low, high)
    if "repeatSet" in body:
        repeat_set = body["repeatSet"]
        if not isinstance(repeat_set, str) or not _REPEAT_SET.fullmatch(repeat_set):
            raise ApiError.bad_request(
                'repeatSet must list weekdays 0-6 separated by commas, e.g. "1,2,3"'
            )
        changes["repeat_set"] = repeat_set
    return changes


def rename(body: Mapping[str, Any]) -> str | None:
    """Return the new name of a rename body (None: the body names none)."""
    return text(body, "deviceName") if "deviceName" in body else None


def config_changes(
    body: Mapping[str, Any], *, app_limits: bool = False
) -> dict[str, Any]:
    """Validate a configs PUT body (except the zone, checked asynchronously).

    Returns SimDevice attribute names mapped to the new values. ``id``,
    ``deviceId`` and ``userId`` are accepted and ignored: they identify the
    configuration, and nothing shows the cloud checks them.
    """
    changes: dict[str, Any] = {}
    if "stopTemperature" in body:
        changes["stop_temperature"] = number_in_range(body, "stopTemperature", -40, 60)
    for key, attribute in _CONFIG_FLAGS.items():
        if key in body:
            changes[attribute] = flag(body, key)
    if "liquidName" in body:
        changes["liquid_name"] = text(body, "liquidName")
    if "liquidConcentration" in body:
        changes["liquid_concentration"] = int_in_range(
            body, "liquidConcentration", 1, MAX_MIX_RATIO
        )
    if "sprayingSeconds" in body:
        changes["spraying_seconds"] = int_in_range(
            body, "sprayingSeconds", *_seconds_range(app_limits=app_limits)
        )
    if "timeZone" in body:
        zone = body["timeZone"]
        if not isinstance(zone, str):
            raise ApiError.bad_request("timeZone must be an IANA zone name")
        changes["time_zone"] = zone
    return changes


# -- query strings ------------------------------------------------------------


def pagination(query: Mapping[str, str]) -> tuple[int, int]:
    """Return ``(page, pageSize)`` from the query string (1-based pages)."""
    return (
        _query_int(query, "page", 1, MAX_PAGE),
        _query_int(query, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )


def _query_int(query: Mapping[str, str], key: str, default: int, high: int) -> int:
    raw = query.get(key)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError.bad_request(f"{key} must be an integer") from None
    if not 1 <= value <= high:
        raise ApiError.bad_request(f"{key} must be from 1 to {high}")
    return value


def date_range(query: Mapping[str, str]) -> tuple[date | None, date | None]:
    """Return ``startDate`` and ``endDate`` (YYYY-MM-DD, each optional), else 400."""
    start, end = _query_date(query, "startDate"), _query_date(query, "endDate")
    if start is not None and end is not None and start > end:
        raise ApiError.bad_request("startDate must not be after endDate")
    return start, end


def _query_date(query: Mapping[str, str], key: str) -> date | None:
    raw = query.get(key)
    if raw is None:
        return None
    if _DATE.fullmatch(raw):
        # fromisoformat alone would take other ISO forms too (20260101).
        with contextlib.suppress(ValueError):
            return date.fromisoformat(raw)
    raise ApiError.bad_request(f"{key} must be a date as YYYY-MM-DD")
