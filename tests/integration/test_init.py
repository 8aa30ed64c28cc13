"""Setup, unload, tokens and reauthentication of a config entry."""

from __future__ import annotations

from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.loader import async_get_integration
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo import async_remove_config_entry_device
from custom_components.moogo.api import MoogoToken
from custom_components.moogo.const import (
    CONF_TOKEN,
    DETAILS_UPDATE_INTERVAL,
    DOMAIN,
    UPDATE_INTERVAL,
)
from tests.common import (
    EMAIL,
    ENTRY_TITLE,
    PASSWORD,
    PATIO_ID,
    Cloud,
    advance,
    make_entry,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPERATURE = "sensor.patio_temperature"


async def test_ha_loads_this_repositorys_integration(hass: HomeAssistant) -> None:
    """HA must import custom_components/moogo from this checkout, not a test copy."""
    integration = await async_get_integration(hass, DOMAIN)
    # The path is computed, not read from disk, so no blocking I/O here.
    assert integration.file_path == REPO_ROOT / "custom_components" / "moogo"


async def test_setup_and_unload_keeps_shared_session_open(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Unloading closes only the client: HA's shared session stays usable."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get(TEMPERATURE).state == "27.5"

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(TEMPERATURE).state == STATE_UNAVAILABLE
    assert not async_get_clientsession(hass).closed


async def test_second_entry_keeps_polling_after_first_is_removed(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    """Two accounts share HA's session; removing one leaves the other working."""
    other = cloud.sim.add_account("second@example.com", "other-pass")
    other_device = cloud.sim.add_device(
        "second@example.com", device_id="MGSECOND001", name="Pool", temperature=19
    )
    first = make_entry(cloud)
    first.add_to_hass(hass)
    second = MockConfigEntry(
        domain=DOMAIN,
        title="second@example.com",
        unique_id=other.user_id,
        data={**first.data, "email": "second@example.com", "password": "other-pass"},
    )
    second.add_to_hass(hass)
    # Setting up the domain sets up both entries.
    assert await hass.config_entries.async_setup(first.entry_id)
    assert second.state is ConfigEntryState.LOADED
    await hass.async_block_till_done()
    assert hass.states.get("sensor.pool_temperature").state == "19.0"
    # Each account sees only its own devices.
    assert set(first.runtime_data.data.devices) == {PATIO_ID, "MGGARDEN002"}
    assert set(second.runtime_data.data.devices) == {other_device.device_id}

    assert await hass.config_entries.async_remove(first.entry_id)
    await hass.async_block_till_done()
    cloud.sim.device(other_device.device_id).temperature = 23.5
    await advance(hass, freezer, DETAILS_UPDATE_INTERVAL)

    assert not async_get_clientsession(hass).closed
    assert second.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.pool_temperature").state == "23.5"


async def test_first_setup_logs_in_once_and_stores_token(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Without a stored token, setup logs in once and saves the token."""
    assert cloud.logins() == 1
    token = MoogoToken.from_dict(init_integration.data[CONF_TOKEN])
    assert token is not None
    assert token.user_id == cloud.account.user_id


async def test_restart_with_stored_token_performs_no_login(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A valid stored token survives a restart (reload): zero logins."""
    cloud.sim.reset_counts()
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert init_integration.state is ConfigEntryState.LOADED
    assert cloud.logins() == 0
    assert cloud.sim.request_counts.get("GET /v1/devices", 0) >= 1
    assert hass.states.get(TEMPERATURE).state == "27.5"


async def test_foreign_stored_token_is_ignored(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """A stored token of another user id is not used; setup logs in instead."""
    entry = make_entry(cloud, token=MoogoToken(token="forged", user_id="someone-else"))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert cloud.logins() == 1
    assert entry.data[CONF_TOKEN]["token"] != "forged"


async def test_revoked_token_leads_to_one_login(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A revoked token is replaced by exactly one login; entities stay available."""
    old_token = init_integration.data[CONF_TOKEN]["token"]
    cloud.sim.reset_counts()
    cloud.sim.revoke_tokens()
    cloud.sim.device(PATIO_ID).temperature = 30.0

    await advance(hass, freezer, DETAILS_UPDATE_INTERVAL)

    assert cloud.logins() == 1
    assert hass.states.get(TEMPERATURE).state == "30.0"
    assert init_integration.data[CONF_TOKEN]["token"] != old_token
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_password_changed_elsewhere_starts_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Token revoked and password changed: one failed login, then reauth."""
    cloud.sim.change_password(EMAIL, "a-new-password")
    cloud.sim.reset_counts()

    await advance(hass, freezer, UPDATE_INTERVAL)

    assert cloud.logins() == 1
    assert hass.states.get(TEMPERATURE).state == STATE_UNAVAILABLE
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    # The entry and its data survive for the user to fix.
    assert init_integration.data["password"] == PASSWORD

    # No login storm while reauth waits: further polls do not hammer the cloud.
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.logins() <= 2


async def test_wrong_password_at_setup_is_auth_failure(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """Bad stored credentials fail setup with a reauth flow, not a retry loop."""
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "password": "wrong"}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_connection_failure_at_setup_retries_and_recovers(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    """A cloud answering 503 makes setup retry (ConfigEntryNotReady) until it works."""
    cloud.sim.faults.http_status = 503
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY

    cloud.sim.reset_faults()
    await advance(hass, freezer, UPDATE_INTERVAL * 4)

    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(TEMPERATURE).state == "27.5"


async def test_device_removal_from_ui_only_for_stale_devices(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A device still in the account cannot be removed by hand; a stale one can."""
    assert await async_setup_component(hass, "config", {})
    registry = dr.async_get(hass)
    device = registry.async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), init_integration.entry_id
    )
    assert device is not None
    stale = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, "MGGONE")}
    )

    assert not await async_remove_config_entry_device(hass, init_integration, device)
    assert await async_remove_config_entry_device(hass, init_integration, stale)


async def test_upgrade_hides_the_email_in_the_title(
    hass: HomeAssistant, cloud: Cloud, caplog: pytest.LogCaptureFixture
) -> None:
    """HA logs entry titles: an entry of 1.2 titled with the email gets it masked."""
    entry = make_entry(cloud, minor_version=2)
    entry.add_to_hass(hass)
    assert entry.title == EMAIL
    cloud.sim.faults.http_status = 503  # a setup retry: HA logs the title
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.minor_version == 3
    assert entry.title == ENTRY_TITLE
    assert "for moogo integration not ready yet" in caplog.text
    assert EMAIL not in caplog.text


async def test_upgrade_keeps_a_title_the_user_chose(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    entry = make_entry(cloud, minor_version=2)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, title="Backyard misters")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert (entry.minor_version, entry.title) == (3, "Backyard misters")
