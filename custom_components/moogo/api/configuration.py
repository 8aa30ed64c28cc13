"""Writing a device's configuration: the whole accepted set, in the types read.

Whether the cloud keeps what a partial ``PUT /configs`` leaves out is
unknown; a body with every accepted field, as last read, is known to work
(the app edits the configuration that way). So a write copies the fresh
read, changes the values asked for, and sends every field the cloud accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .models import DeviceConfig, api_names

#: The fields ``PUT /configs`` accepts, exactly: the cloud refuses any other
#: (``syncStatus`` included).
CONFIG_WRITABLE: Final = frozenset(
    {
        "id",
        "deviceId",
        "userId",
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
# Sent back as read, never changed.
_IDS: Final = frozenset({"id", "deviceId", "userId"})

#: What ``set_config`` may change: attribute of :class:`DeviceConfig` -> API field.
CONFIG_SETTINGS: Final[Mapping[str, str]] = {
    name: key
    for name, key in api_names(DeviceConfig).items()
    if key in CONFIG_WRITABLE - _IDS
}


def check_changes(changes: Mapping[str, Any]) -> None:
    """Raise ValueError unless ``changes`` names at least one setting, and only settings."""
    unknown = changes.keys() - CONFIG_SETTINGS.keys()
    if unknown:
        raise ValueError(f"Not writable configuration fields: {sorted(unknown)}")
    if not changes:
        raise ValueError("Nothing to update")


def config_body(
    current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the ``PUT /configs`` body: ``current`` as read, with ``changes`` made.

    ``changes`` are named as :class:`DeviceConfig` attributes (see
    :func:`check_changes`); fields the cloud does not accept are left out.
    """
    body = {key: value for key, value in current.items() if key in CONFIG_WRITABLE}
    for name, value in changes.items():
        key = CONFIG_SETTINGS[name]
        body[key] = _like(value, current.get(key))
    return body


def _like(value: Any, read: Any) -> Any:
    """Return ``value`` in the JSON type the cloud gave for the field (``read``).

    A flag read as 0/1 is written as 0/1 and one read as a bool as a bool; an
    integer field gets an integer when the value is integral. A field the
    read left out is numeric in the app's model (or text, left as given).
    """
    if isinstance(read, bool):
        return bool(value) if isinstance(value, int | float) else value
    if read is None or isinstance(read, int):
        if isinstance(value, bool) or (isinstance(value, float) and value.is_integer()):
            return int(value)
        return value
    if isinstance(read, float) and type(value) is int:
        return float(value)
    return value
