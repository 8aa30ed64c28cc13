"""Diagnostics of the Moogo integration, with credentials redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .const import CONF_API_URL, CONF_TOKEN, DOMAIN, SIGN_IN_CREDENTIALS
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .data import MoogoDeviceData

# Credentials, and what identifies the account, its devices or its cloud:
# serials (device and configuration ids), names, the API URL, download URLs.
TO_REDACT = {
    CONF_EMAIL,
    CONF_PASSWORD,
    CONF_TOKEN,
    CONF_API_URL,
    # The fingerprint of the credentials a stored sign-in refusal is for.
    SIGN_IN_CREDENTIALS,
    "user_id",
    "unique_id",
    "title",
    "device_id",
    "config_id",
    "name",
    "url",
}


def _device_payload(
    coordinator: MoogoCoordinator, data: MoogoDeviceData
) -> dict[str, Any]:
    # The firmware offer comes from its own, less frequent check.
    offer = (coordinator.firmware.data or {}).get(data.device.device_id)
    payload = {
        **asdict(data),
        # A zone object is no JSON: its IANA name says it all.
        "zone": str(data.zone) if data.zone else None,
        "firmware_offer": asdict(offer) if offer else None,
    }
    # The configuration names the account's user id.
    return async_redact_data(payload, TO_REDACT)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MoogoConfigEntry
) -> dict[str, Any]:
    """Return the entry (redacted) and the latest snapshot of every device."""
    coordinator = entry.runtime_data
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "last_update_success": coordinator.last_update_success,
        "last_firmware_check_success": coordinator.firmware.last_update_success,
        # Listed by position: the ids are the devices' serial numbers.
        "devices": [
            _device_payload(coordinator, data)
            for data in coordinator.data.devices.values()
        ],
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: MoogoConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return the latest snapshot of one device."""
    coordinator = entry.runtime_data
    devices = coordinator.data.devices
    for domain, device_id in device.identifiers:
        if domain == DOMAIN and device_id in devices:
            return _device_payload(coordinator, devices[device_id])
    return {}
