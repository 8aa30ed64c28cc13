"""Diagnostics of the Moogo integration: useful content, and no credentials.

The integration runs against the real simulator; the diagnostics are fetched
through HA's own download endpoint (the helpers of
pytest-homeassistant-custom-component call it over HTTP).
"""

from __future__ import annotations

from http import HTTPStatus
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.diagnostics import DOMAIN as DIAGNOSTICS_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props
from syrupy.matchers import path_type

from custom_components.moogo.const import CONF_API_URL, CONF_TOKEN, DOMAIN
from tests.common import (
    EMAIL,
    FROZEN_NOW,
    GARDEN_ID,
    PASSWORD,
    PATIO_ID,
    Cloud,
    make_entry,
)

# The entry's timestamps are bookkeeping, and the simulator's port changes
# from run to run (the URL itself is asserted separately).
VOLATILE = props("created_at", "modified_at")
RANDOM_PORT = path_type({"entry.data.api_url": (str,)})

# 2026-07-01T17:35:00Z: the end of the patio's last spray, 25 minutes earlier.
LAST_SPRAY_END = 1782927300.0


@pytest.fixture
async def entry(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """The integration set up at a fixed moment, after one spray of the patio.

    Tests must request it before ``hass_client``: the client's access token
    is issued when that fixture runs, and must not date from after the
    frozen moment.
    """
    freezer.move_to(FROZEN_NOW)
    patio = cloud.sim.device(PATIO_ID)
    patio.latest_spraying_end = LAST_SPRAY_END
    patio.latest_spraying_duration = 45
    # The schedules were made before the clock was frozen.
    for device in cloud.sim.devices:
        for schedule in device.schedules:
            schedule.updated_at = LAST_SPRAY_END
    config_entry = make_entry(cloud)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    return config_entry


def device_of(
    hass: HomeAssistant, entry: MockConfigEntry, device_id: str
) -> dr.DeviceEntry:
    """The registry entry of a Moogo device of ``entry``."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, device_id), entry.entry_id
    )
    assert device is not None
    return device


REDACTED = "**REDACTED**"


def secrets_of(cloud: Cloud, entry: MockConfigEntry) -> list[str]:
    """Everything that must never appear in diagnostics."""
    tokens = [entry.data[CONF_TOKEN]["token"], *cloud.account.tokens]
    return [
        PASSWORD,
        EMAIL,
        EMAIL.split("@")[0],
        cloud.account.user_id,
        *tokens,
        # The devices' serial numbers and the account's cloud.
        PATIO_ID,
        GARDEN_ID,
        cloud.sim.url,
    ]


def assert_no_secrets(data: Any, secrets: list[str]) -> None:
    """Fail if any secret occurs anywhere in the serialized ``data``."""
    text = json.dumps(data).lower()
    for secret in secrets:
        assert secret.lower() not in text, f"{secret!r} leaked into diagnostics"


async def test_entry_diagnostics(
    hass: HomeAssistant,
    cloud: Cloud,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """The entry (redacted) and every device's latest data."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert result == snapshot(exclude=VOLATILE, matcher=RANDOM_PORT)
    assert result["entry"]["data"][CONF_API_URL] == REDACTED
    assert len(result["devices"]) == 2
    assert result["devices"][0]["device"]["latest_mist_end"] == (
        "2026-07-01T17:35:00+00:00"
    )
    assert_no_secrets(result, secrets_of(cloud, entry))


async def test_device_diagnostics(
    hass: HomeAssistant,
    cloud: Cloud,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """One device's latest data, the same as in the entry's diagnostics."""
    result = await get_diagnostics_for_device(
        hass, hass_client, entry, device_of(hass, entry, PATIO_ID)
    )

    assert result == snapshot
    # The serial is no one's business; the readings say which device it is.
    assert result["device"]["device_id"] == REDACTED
    assert result["device"]["temperature"] == 27.5
    whole = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert whole["devices"][0] == result
    assert_no_secrets(result, secrets_of(cloud, entry))


async def test_device_diagnostics_of_a_device_without_moogo_data(
    hass: HomeAssistant,
    cloud: Cloud,
    hass_client: ClientSessionGenerator,
) -> None:
    """A device of the entry that the account does not describe has no data.

    (Moogo devices gone from the account are removed from the registry by the
    first poll; a device registered under another identifier is left alone.)
    """
    config_entry = make_entry(cloud)
    config_entry.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=config_entry.entry_id,
        identifiers={("other_domain", "MGGONE000003")},
        name="Old shed",
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    result = await get_diagnostics_for_device(hass, hass_client, config_entry, foreign)

    assert result == {}
    assert "MGGONE000003" not in config_entry.runtime_data.data.devices


async def test_diagnostics_after_failed_refresh(
    hass: HomeAssistant,
    cloud: Cloud,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """When the cloud stops answering, diagnostics say so and keep the last data."""
    cloud.sim.faults.update({"http_status": 503, "paths": ["/v1/devices"]})
    await entry.runtime_data.async_refresh()

    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert result["last_update_success"] is False
    assert len(result["devices"]) == 2
    assert result["devices"][1]["device"]["water_level"] == 0
    assert_no_secrets(result, secrets_of(cloud, entry))


async def download(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, path: str
) -> dict[str, Any]:
    """Fetch a whole diagnostics file, as the browser downloads it."""
    assert await async_setup_component(hass, DIAGNOSTICS_DOMAIN, {})
    client = await hass_client()
    response = await client.get(path)
    assert response.status == HTTPStatus.OK
    return await response.json()


async def test_downloaded_files_hold_no_secrets(
    hass: HomeAssistant,
    cloud: Cloud,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The files users attach to bug reports hold no credentials."""
    secrets = secrets_of(cloud, entry)
    entry_path = f"/api/diagnostics/config_entry/{entry.entry_id}"
    device_path = f"{entry_path}/device/{device_of(hass, entry, GARDEN_ID).id}"
    for path in (entry_path, device_path):
        payload = await download(hass, hass_client, path)
        assert payload["data"]
        assert payload["issues"] == []
        assert_no_secrets(payload["data"], secrets)


async def test_downloaded_file_during_lockout_holds_no_email(
    hass: HomeAssistant,
    cloud: Cloud,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A locked-out account's file lists its repair issue, still without secrets.

    The issue's text names the entry (by default its title, the email); HA
    copies issues into the file, so this checks that the copy leaves the
    placeholders out.
    """
    cloud.sim.revoke_tokens()
    cloud.sim.faults.rate_limit = True
    await entry.runtime_data.async_refresh()
    issues = ir.async_get(hass).issues
    assert any(domain == DOMAIN for domain, _ in issues)

    payload = await download(
        hass, hass_client, f"/api/diagnostics/config_entry/{entry.entry_id}"
    )

    assert payload["data"]["last_update_success"] is False
    assert [issue["issue_id"] for issue in payload["issues"]] == [
        f"rate_limited_{entry.entry_id}"
    ]
    assert_no_secrets(
        {"data": payload["data"], "issues": payload["issues"]},
        secrets_of(cloud, entry),
    )
