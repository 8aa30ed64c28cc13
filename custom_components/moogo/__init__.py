"""Sets up, migrates and unloads the config entry of a Moogo account."""

from __future__ import annotations

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .api import DEFAULT_BASE_URL, MoogoClient
from .const import CONF_API_URL, DOMAIN, REQUEST_TIMEOUT
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .device_changes import async_forward_device_changes
from .entry_data import (
    account_title,
    entry_fingerprint,
    stored_sign_in_state,
    stored_token,
)
from .history import async_clear_entry_history, async_start_history
from .messages import async_forget_messages
from .pause import async_remove_pauses
from .services import async_setup_services

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.UPDATE,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

# Entities of version 1.1 that repeated another entity's fact (1.2 removed
# them): the Spray switch shows and starts misting, and each tank has one
# "empty" binary sensor. Keys as in the unique ids, ``<device id>_<key>``.
REMOVED_ENTITY_KEYS = frozenset(
    {"spraying", "mist_now", "water_level", "concentrate_level"}
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once, for every entry."""
    async_setup_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: MoogoConfigEntry) -> bool:
    """Bring an entry of an older version up to date.

    HA calls this only for entries older than the flow's version (and refuses
    newer ones itself).
    """
    if entry.minor_version < 2:
        registry = er.async_get(hass)
        for registry_entry in er.async_entries_for_config_entry(
            registry, entry.entry_id
        ):
            if any(
                registry_entry.unique_id.endswith(f"_{key}")
                for key in REMOVED_ENTITY_KEYS
            ):
                registry.async_remove(registry_entry.entity_id)
        hass.config_entries.async_update_entry(entry, minor_version=2)
    if entry.minor_version < 3:
        # Titles were the whole email, which HA writes into its logs.
        title = entry.title
        if title == entry.data[CONF_EMAIL]:
            title = account_title(title)
        hass.config_entries.async_update_entry(entry, title=title, minor_version=3)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MoogoConfigEntry) -> bool:
    """Set up one Moogo account, reusing its stored token and sign-in state."""
    # Refused credentials, the lockout, the floor and the unusable answers of
    # these credentials: a restart sends no sign-in they hold back.
    sign_in_state = stored_sign_in_state(
        entry.data, entry_fingerprint(entry.entry_id, entry.data)
    )
    client = MoogoClient(
        entry.data[CONF_EMAIL],
        entry.data[CONF_PASSWORD],
        session=async_get_clientsession(hass),
        request_timeout=REQUEST_TIMEOUT,
        base_url=entry.data.get(CONF_API_URL, DEFAULT_BASE_URL),
        # Credentials are refused only after the cloud rejected the token:
        # sending it again would only be rejected again.
        token=None
        if sign_in_state.credentials_refused
        else stored_token(entry.data, entry.unique_id),
        sign_in_state=sign_in_state,
    )
    coordinator = MoogoCoordinator(hass, entry, client)
    entry.async_on_unload(coordinator.commands.async_cancel)
    await coordinator.pauses.async_load()
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await client.close()
        raise
    entry.runtime_data = coordinator
    # Pauses that ended while Home Assistant was off resume now.
    entry.async_on_unload(coordinator.pauses.async_start())
    # Automation triggers and conditions follow the devices' data.
    entry.async_on_unload(async_forward_device_changes(hass, coordinator))
    # Spray records into long-term statistics, while the recorder runs.
    entry.async_on_unload(async_start_history(hass, coordinator))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MoogoConfigEntry) -> bool:
    """Unload the platforms, then close the client (never HA's shared session)."""
    unload_ok = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unload_ok:
        await entry.runtime_data.client.close()
    return unload_ok


async def async_remove_entry(hass: HomeAssistant, entry: MoogoConfigEntry) -> None:
    """Forget the entry's pauses, seen messages and statistics (it is removed)."""
    await async_remove_pauses(hass, entry.entry_id)
    await async_forget_messages(hass, entry.entry_id)
    # Its devices leave Home Assistant, and their statistics with them.
    async_clear_entry_history(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MoogoConfigEntry, device_entry: DeviceEntry
) -> bool:
    """Allow removing a device only once the account no longer has it."""
    devices = entry.runtime_data.data.devices
    return not any(
        domain == DOMAIN and identifier in devices
        for domain, identifier in device_entry.identifiers
    )
