"""What automation triggers and conditions know about Moogo devices.

They read the coordinator's data, not entity states: which entities exist
may change, what a device does (misting, tanks, reachability) does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.target import (
    TargetSelection,
    async_extract_referenced_entity_ids,
)

from .const import DOMAIN
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .data import MoogoDeviceData

SIGNAL_DEVICE_CHANGED = f"{DOMAIN}_device_changed"


@dataclass(frozen=True, slots=True)
class DeviceChange:
    """One device's data before and after a refresh (or a commanded state)."""

    entry_id: str
    device_id: str
    before: MoogoDeviceData
    after: MoogoDeviceData


@callback
def async_forward_device_changes(
    hass: HomeAssistant, coordinator: MoogoCoordinator
) -> CALLBACK_TYPE:
    """Announce every change of a device's data to the triggers listening."""
    entry_id = coordinator.config_entry.entry_id
    previous = dict(coordinator.data.devices) if coordinator.data else {}

    @callback
    def _updated() -> None:
        nonlocal previous
        current = coordinator.data.devices if coordinator.data else {}
        for device_id, after in current.items():
            before = previous.get(device_id)
            # A device new to HA has no "before": nothing became anything.
            if before is not None and before != after:
                async_dispatcher_send(
                    hass,
                    SIGNAL_DEVICE_CHANGED,
                    DeviceChange(entry_id, device_id, before, after),
                )
        previous = dict(current)

    return coordinator.async_add_listener(_updated)


@callback
def async_targeted_devices(
    hass: HomeAssistant, target: Mapping[str, Any] | None
) -> set[str]:
    """Return the Moogo ids of the devices a target names (directly or by area)."""
    if not target:
        return set()
    selected = async_extract_referenced_entity_ids(
        hass, TargetSelection(dict(target)), expand_group=False
    )
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    device_ids = set(selected.referenced_devices)
    for entity_id in selected.referenced:
        if (entry := entities.async_get(entity_id)) and entry.device_id:
            device_ids.add(entry.device_id)
    moogo_ids: set[str] = set()
    for device_id in device_ids:
        if device := devices.async_get(device_id):
            moogo_ids.update(
                identifier
                for domain, identifier in device.identifiers
                if domain == DOMAIN
            )
    return moogo_ids


@callback
def async_device_data(hass: HomeAssistant, moogo_id: str) -> MoogoDeviceData | None:
    """Return the latest data of a device in any loaded Moogo account."""
    entry: MoogoConfigEntry
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        if entry.runtime_data.data and (
            data := entry.runtime_data.data.devices.get(moogo_id)
        ):
            return data
    return None


@callback
def async_registry_device_id(hass: HomeAssistant, change: DeviceChange) -> str | None:
    """Return Home Assistant's device id of the device that changed."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, change.device_id), change.entry_id
    )
    return device.id if device else None
