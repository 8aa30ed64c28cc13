"""The lockout back-off: after a login refused as rate limited, no more logins.

The real cloud restarts its 24 hour lock on every attempt, so the client
refuses locally (no request) until its back-off ends, unless told otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.moogo.api import MoogoLoginBlockedError, MoogoRateLimitError
from custom_components.moogo.api.const import LOGIN_BACKOFF_SECONDS
from moogo_sim import MoogoSimulator
from tests.common import DEVICES_ROUTE, logins

from .conftest import ClientFactory

BACKOFF = timedelta(seconds=LOGIN_BACKOFF_SECONDS)


async def test_refused_login_blocks_further_logins_without_a_request(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    blocked: list[datetime] = []
    client = make_client(on_login_blocked=blocked.append)
    sim.faults.rate_limit = True
    before = datetime.now(UTC)

    with pytest.raises(MoogoRateLimitError) as first:
        await client.get_devices()
    assert not isinstance(first.value, MoogoLoginBlockedError)

    # The listener learns when logins resume: a back-off from the refusal.
    assert len(blocked) == 1
    assert before + BACKOFF <= blocked[0] <= datetime.now(UTC) + BACKOFF
    assert client.login_blocked_until == blocked[0]

    # The cloud would now accept the login, but the client does not ask it.
    sim.faults.rate_limit = False
    for call in (client.get_devices, client.authenticate):
        with pytest.raises(MoogoLoginBlockedError) as again:
            await call()
        assert again.value.code == 10000
        assert again.value.blocked_until == blocked[0]
        assert "not signing in again before" in str(again.value)
    assert logins(sim) == 1
    assert sim.total_requests == 1
    assert len(blocked) == 1


async def test_allow_login_lifts_the_block(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    sim.faults.rate_limit = True
    with pytest.raises(MoogoRateLimitError):
        await client.authenticate()
    sim.faults.rate_limit = False

    client.allow_login()

    assert client.login_blocked_until is None
    await client.get_devices()
    assert logins(sim) == 2


async def test_block_given_at_construction_is_kept(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    """A block persisted by the caller survives a restart: still no request."""
    until = datetime.now(UTC) + timedelta(hours=3)
    client = make_client(login_blocked_until=until)

    with pytest.raises(MoogoLoginBlockedError) as caught:
        await client.get_devices()

    assert caught.value.blocked_until == until
    assert sim.total_requests == 0


async def test_block_in_the_past_allows_the_login(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client(login_blocked_until=datetime.now(UTC) - timedelta(seconds=1))

    assert client.login_blocked_until is None
    await client.get_devices()
    assert logins(sim) == 1


async def test_valid_token_keeps_working_during_a_block(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    """Only logins are held back: requests with a working token still go out."""
    token = await make_client().authenticate()
    sim.reset_counts()
    client = make_client(
        token=token, login_blocked_until=datetime.now(UTC) + timedelta(hours=3)
    )

    devices = await client.get_devices()

    assert devices
    assert sim.request_counts[DEVICES_ROUTE] == 1
    assert logins(sim) == 0


async def test_rejected_token_during_a_block_is_not_replaced(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    token = await make_client().authenticate()
    client = make_client(
        token=token, login_blocked_until=datetime.now(UTC) + timedelta(hours=3)
    )
    sim.revoke_tokens()
    sim.reset_counts()

    with pytest.raises(MoogoLoginBlockedError):
        await client.get_devices()

    assert sim.request_counts[DEVICES_ROUTE] == 1
    assert logins(sim) == 0
