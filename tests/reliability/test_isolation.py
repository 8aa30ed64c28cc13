"""Two accounts on HA's one shared session never see each other.

Both entries use ``async_get_clientsession(hass)``; a token must travel only
as a header of its own client's requests, never in the session's defaults or
cookie jar, so one account's token cannot reach the other's requests.
"""

from __future__ import annotations

import asyncio
import json

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from custom_components.moogo.api import MoogoToken
from custom_components.moogo.const import CONF_TOKEN, DOMAIN, UPDATE_INTERVAL
from custom_components.moogo.diagnostics import async_get_config_entry_diagnostics
from tests.common import GARDEN_ID, PATIO_ID, Cloud, entry_for, make_entry, tick

from .conftest import Guard
from .report import COLLECTOR

OTHER_EMAIL = "neighbour@example.com"
OTHER_PASSWORD = "Neighbour-Secret-3"
POOL_ID = "MGRELPOOL03"


def _token(entry_data: dict[str, object]) -> str:
    token = MoogoToken.from_dict(entry_data[CONF_TOKEN])
    assert token is not None
    return token.token


async def test_two_accounts_share_the_session_not_their_data(
    hass: HomeAssistant, cloud: Cloud, guard: Guard
) -> None:
    """Devices, tokens, entities and diagnostics stay with their own account."""
    sim = cloud.sim
    other = sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    sim.add_device(OTHER_EMAIL, device_id=POOL_ID, name="Pool", temperature=19)
    first = make_entry(cloud)
    second = entry_for(other.user_id, cloud.url, OTHER_EMAIL, OTHER_PASSWORD)
    first.add_to_hass(hass)
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(first.entry_id)
    await hass.async_block_till_done()
    assert first.state is second.state is ConfigEntryState.LOADED

    session = async_get_clientsession(hass)
    clients = [first.runtime_data.client, second.runtime_data.client]
    assert all(client._session is session for client in clients)
    # Nothing account-specific lives in the shared session.
    assert "token" not in {key.lower() for key in session.headers}
    assert len(session.cookie_jar) == 0

    # Each account sees exactly its own devices, with its own token.
    assert set(first.runtime_data.data.devices) == {PATIO_ID, GARDEN_ID}
    assert set(second.runtime_data.data.devices) == {POOL_ID}
    tokens = {_token(dict(first.data)), _token(dict(second.data))}
    assert len(tokens) == 2
    assert sim.auth.authenticate(_token(dict(first.data))).email == cloud.account.email
    assert sim.auth.authenticate(_token(dict(second.data))).email == OTHER_EMAIL
    registry = er.async_get(hass)
    # Its devices' entities, and the account's own (its messages), each its own.
    assert {
        item.unique_id.split("_", 1)[0]
        for item in er.async_entries_for_config_entry(registry, second.entry_id)
    } == {POOL_ID, other.user_id}

    # Many concurrent refreshes of both: still no cross-talk.
    for _ in range(10):
        await asyncio.gather(
            first.runtime_data.async_refresh(), second.runtime_data.async_refresh()
        )
        assert set(first.runtime_data.data.devices) == {PATIO_ID, GARDEN_ID}
        assert set(second.runtime_data.data.devices) == {POOL_ID}

    # Revoking one account's tokens costs that account one login, the other none.
    second_token = _token(dict(second.data))
    logins_before = (cloud.account.login_count, other.login_count)
    sim.revoke_tokens(cloud.account.email)
    await tick(hass, UPDATE_INTERVAL)
    assert cloud.account.login_count == logins_before[0] + 1
    assert other.login_count == logins_before[1]
    assert _token(dict(second.data)) == second_token
    assert first.runtime_data.last_update_success
    assert second.runtime_data.last_update_success

    # Diagnostics of one account mention nothing of the other.
    first_diagnostics = json.dumps(
        await async_get_config_entry_diagnostics(hass, first), default=str
    )
    second_diagnostics = json.dumps(
        await async_get_config_entry_diagnostics(hass, second), default=str
    )
    assert POOL_ID not in first_diagnostics
    assert PATIO_ID not in second_diagnostics
    assert GARDEN_ID not in second_diagnostics
    for token in tokens:
        assert token not in first_diagnostics + second_diagnostics

    guard.scanner.learn_tokens(sim, first, second)
    guard.scanner.scan_states(hass)
    guard.check(cloud)
    for entry in (first, second):
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert not session.closed
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2

    COLLECTOR.record_section(
        "isolation",
        [
            (
                "entries on HA's shared session",
                "2 accounts, 1 session",
                "same object asserted",
            ),
            (
                "token in session headers / cookie jar",
                "no / empty",
                "tokens travel per request",
            ),
            (
                "devices seen",
                "own only (2 and 1), after 10 concurrent refresh pairs",
                "",
            ),
            ("tokens", "distinct; each authenticates as its own account", ""),
            (
                "one account's tokens revoked",
                "that account: 1 login; the other: 0, token unchanged",
                "",
            ),
            ("diagnostics", "no device id or token of the other account", ""),
        ],
    )
