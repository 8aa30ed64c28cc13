"""Token handling: re-login on rejection, one shared login, export and restore."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json

import aiohttp
import pytest

from custom_components.moogo.api import MoogoAuthError, MoogoClient, MoogoToken
from moogo_sim import MoogoSimulator
from tests.common import DEVICES_ROUTE, TEST_EMAIL, TEST_PASSWORD, FakeClock, logins

from .conftest import ClientFactory

CONCURRENT_REQUESTS = 12


# -- rejected tokens ---------------------------------------------------------------


async def test_revoked_token_leads_to_exactly_one_relogin(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    await client.get_devices()
    old = client.token
    assert old is not None
    assert sim.revoke_tokens(TEST_EMAIL) == 1

    devices = await client.get_devices()

    assert len(devices) == 2
    assert logins(sim) == 2
    # The rejected request was repeated once, with the new token.
    assert sim.request_counts[DEVICES_ROUTE] == 3
    assert client.token is not None
    assert client.token.token != old.token
    assert client.token.token in sim.account(TEST_EMAIL).tokens


async def test_token_still_rejected_after_relogin_is_auth_error(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    await client.authenticate()
    # Every device request is answered 401, even with a brand-new token.
    sim.faults.http_status = 401
    sim.faults.paths = ["/v1/devices"]

    with pytest.raises(MoogoAuthError, match="fresh login") as caught:
        await client.get_devices()

    assert caught.value.code == 401
    # One re-login, one repeat, then the client gives up.
    assert logins(sim) == 2
    assert sim.request_counts[DEVICES_ROUTE] == 2


async def test_password_changed_elsewhere_is_auth_error(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    await client.get_devices()
    sim.change_password(TEST_EMAIL, "a-new-password")

    with pytest.raises(MoogoAuthError) as caught:
        await client.get_devices()

    assert caught.value.code == 10104
    assert logins(sim) == 2
    assert sim.request_counts[DEVICES_ROUTE] == 2


async def test_concurrent_requests_after_revocation_share_one_login(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.get_devices()
    sim.revoke_tokens()
    sim.reset_counts()

    results = await asyncio.gather(
        *(
            client.get_device(device_ids[number % 2])
            for number in range(CONCURRENT_REQUESTS)
        )
    )

    assert [device.device_id for device in results] == [
        device_ids[number % 2] for number in range(CONCURRENT_REQUESTS)
    ]
    assert logins(sim) == 1
    assert sim.account(TEST_EMAIL).login_count == 2


async def test_concurrent_first_requests_share_one_login(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    results = await asyncio.gather(
        *(client.get_devices() for _ in range(CONCURRENT_REQUESTS))
    )
    assert all(len(devices) == 2 for devices in results)
    assert logins(sim) == 1
    assert sim.request_counts[DEVICES_ROUTE] == CONCURRENT_REQUESTS


async def test_concurrent_requests_share_one_login_on_a_shared_session(
    sim: MoogoSimulator, http_session: aiohttp.ClientSession
) -> None:
    client = MoogoClient(
        TEST_EMAIL, TEST_PASSWORD, session=http_session, base_url=sim.url
    )
    await client.authenticate()
    sim.revoke_tokens()
    await asyncio.gather(*(client.get_devices() for _ in range(CONCURRENT_REQUESTS)))
    assert logins(sim) == 2
    await client.close()


async def test_explicit_login_replaces_the_token(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    first = await client.authenticate()
    second = await client.authenticate()
    assert first.token != second.token
    assert client.token is second
    assert logins(sim) == 2


# -- token export and restore -------------------------------------------------------


async def test_exported_token_is_reused_without_login(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    first = make_client()
    await first.get_devices()
    assert first.token is not None
    # What an application would persist, e.g. in a config entry.
    stored = json.loads(json.dumps(first.token.as_dict()))
    await first.close()
    sim.reset_counts()

    restored = MoogoToken.from_dict(stored)
    assert restored == first.token
    second = make_client(token=restored)
    assert second.token is restored
    assert second.user_id == sim.account(TEST_EMAIL).user_id

    assert len(await second.get_devices()) == 2
    assert logins(sim) == 0
    assert sim.account(TEST_EMAIL).login_count == 1


async def test_restored_token_works_without_the_password(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    first = make_client()
    token = await first.authenticate()
    # The stored token alone is enough; the password is not even checked.
    second = make_client(password="forgotten", token=token)
    assert len(await second.get_devices()) == 2
    assert logins(sim) == 1


async def test_restore_token_on_an_existing_client(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    token = await make_client().authenticate()
    client = make_client()
    assert client.token is None
    client.restore_token(token)
    assert client.token is token
    assert len(await client.get_devices()) == 2
    assert logins(sim) == 1

    # Forgetting the token makes the next request log in again.
    client.restore_token(None)
    assert client.user_id is None
    await client.get_devices()
    assert logins(sim) == 2


async def test_expired_restored_token_leads_to_one_login(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    token = await make_client().authenticate()
    expired = MoogoToken(
        token=token.token,
        user_id=token.user_id,
        expires_at=datetime.now(UTC) - timedelta(minutes=5),
    )
    sim.reset_counts()
    client = make_client(token=MoogoToken.from_dict(expired.as_dict()))

    assert len(await client.get_devices()) == 2
    assert logins(sim) == 1
    assert client.token is not None
    assert client.token.token != token.token
    assert not client.token.is_expired(datetime.now(UTC))


async def test_nearly_expired_token_is_renewed_before_use(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    token = await make_client().authenticate()
    almost = MoogoToken(
        token=token.token,
        user_id=token.user_id,
        expires_at=datetime.now(UTC) + timedelta(seconds=30),
    )
    sim.reset_counts()
    client = make_client(token=almost)
    await client.get_devices()
    # Renewed up front instead of risking a 401 mid-way.
    assert logins(sim) == 1
    assert sim.request_counts[DEVICES_ROUTE] == 1


async def test_restored_token_revoked_by_the_cloud_leads_to_one_login(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    token = await make_client().authenticate()
    sim.revoke_tokens()
    sim.reset_counts()
    client = make_client(token=token)

    assert len(await client.get_devices()) == 2
    assert logins(sim) == 1
    assert sim.request_counts[DEVICES_ROUTE] == 2


async def test_token_of_another_account_is_never_mixed_up(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    sim.add_account("other@example.com", "other-password")
    sim.add_device("other@example.com", device_id="MGOTHER")
    other_token = await make_client(
        "other@example.com", "other-password"
    ).authenticate()
    # A token restored into the wrong client shows the token owner's devices
    # (the cloud trusts the token) - which is why tokens stay per client.
    client = make_client(token=other_token)
    assert [device.device_id for device in await client.get_devices()] == ["MGOTHER"]


async def test_short_lived_token_is_not_renewed_on_every_request(
    socket_enabled: None,
) -> None:
    # A ttl shorter than the sign-in floor is not believed: the token is used
    # until the cloud rejects it, which then leads to exactly one re-login.
    clock = FakeClock()
    sim = MoogoSimulator(reaction_delay=0, clock=clock, token_ttl=30)
    sim.add_account(TEST_EMAIL, TEST_PASSWORD)
    sim.add_device(TEST_EMAIL)
    async with sim, MoogoClient(TEST_EMAIL, TEST_PASSWORD, base_url=sim.url) as client:
        token = await client.authenticate()
        assert token.expires_at is None
        for _ in range(3):
            assert len(await client.get_devices()) == 1
        assert logins(sim) == 1

        clock.advance(31)
        assert len(await client.get_devices()) == 1
        assert logins(sim) == 2
        assert sim.request_counts[DEVICES_ROUTE] == 5


# -- token update callback -------------------------------------------------------------


async def test_on_token_update_fires_on_every_login(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    seen: list[MoogoToken] = []
    client = make_client(on_token_update=seen.append)

    await client.get_devices()
    assert seen == [client.token]

    await client.get_devices()
    assert len(seen) == 1  # no login, no callback

    sim.revoke_tokens()
    await client.get_devices()
    assert len(seen) == 2
    assert seen[1] is client.token
    assert seen[0].token != seen[1].token


async def test_on_token_update_not_fired_for_restored_token(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    token = await make_client().authenticate()
    seen: list[MoogoToken] = []
    client = make_client(token=token, on_token_update=seen.append)
    await client.get_devices()
    assert seen == []


async def test_on_token_update_not_fired_on_failed_login(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    seen: list[MoogoToken] = []
    client = make_client(password="wrong", on_token_update=seen.append)
    with pytest.raises(MoogoAuthError):
        await client.authenticate()
    assert seen == []
