"""Tolerant readers of the values in Moogo cloud answers.

The community-documented API drifts: fields go missing, numbers arrive as
strings, timestamps switch between seconds and milliseconds. Each reader
returns its type or ``None`` for whatever it cannot read, and never raises;
the shape checks (``require_mapping``, ``items_of``) raise
:class:`MoogoResponseError` and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
import math
from typing import Any

from .exceptions import MoogoResponseError

# Larger epoch values can only be milliseconds: 1e11 seconds is the year 5138.
_MILLISECONDS_THRESHOLD = 100_000_000_000

# A schedule's or a spray record's moment outside these bounds is garbage
# (0, 1, a counter, a year 5000), not a time the cloud means.
_PLAUSIBLE_FROM = datetime(2000, 1, 1, tzinfo=UTC)
_PLAUSIBLE_UNTIL = datetime(2200, 1, 1, tzinfo=UTC)


# The app declares its numbers as Java ints and longs: anything larger is
# garbage, and Python's unbounded ints would carry it into arithmetic.
_LONG_MAX = 2**63 - 1


def as_int(value: Any) -> int | None:
    """Return an int for ints, integral floats and numeric strings, else None.

    Values beyond a 64-bit integer's range are unreadable, not huge.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if -_LONG_MAX <= value <= _LONG_MAX else None
    number = as_float(value)
    if number is None or not number.is_integer() or abs(number) > _LONG_MAX:
        return None
    return int(number)


def as_float(value: Any) -> float | None:
    """Return a finite float for numbers and numeric strings, else None."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            # An int beyond float's range (10**400): no usable number.
            return None
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


def as_plausible_timestamp(value: Any) -> datetime | None:
    """Like :func:`as_timestamp`, but None outside the years 2000 to 2199."""
    moment = as_timestamp(value)
    if moment is None or not _PLAUSIBLE_FROM <= moment < _PLAUSIBLE_UNTIL:
        return None
    return moment


def require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    """Return ``value`` as a JSON object or raise a typed error naming ``what``."""
    if not isinstance(value, Mapping):
        raise MoogoResponseError(
            f"Expected an object for {what}, got {type(value).__name__}"
        )
    return value


def entries_of(data: Any, what: str) -> list[Any]:
    """Return the raw entries of a list answer, ``{"items": [...]}`` or a bare list."""
    if isinstance(data, Mapping):
        data = data.get("items", [])
        if data is None:
            return []
    if not isinstance(data, list):
        raise MoogoResponseError(
            f"Expected a list for {what}, got {type(data).__name__}"
        )
    return data


def items_of(data: Any, what: str) -> list[Mapping[str, Any]]:
    """Return the objects of a list answer, given as ``{"items": [...]}`` or a bare list.

    Entries that are not objects are dropped: one garbled entry must not hide
    the others.
    """
    return [item for item in entries_of(data, what) if isinstance(item, Mapping)]
