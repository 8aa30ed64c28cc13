"""Session lifecycle: owned vs injected sessions, timeouts, sharing, closing."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import aiohttp
import pytest

from custom_components.moogo.api import (
    MoogoClient,
    MoogoConnectionError,
    MoogoNotFoundError,
    MoogoSessionClosedError,
)
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD, logins

from .conftest import ClientFactory

OTHER_EMAIL = "neighbour@example.com"
OTHER_PASSWORD = "neighbour-Pass-2"


def _counting_session(**kwargs: object) -> tuple[aiohttp.ClientSession, list[str]]:
    """Return a session that records the URL of every request sent through it."""
    seen: list[str] = []

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        seen.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return aiohttp.ClientSession(trace_configs=[trace], **kwargs), seen  # type: ignore[arg-type]


# -- a session of the client's own ---------------------------------------------


async def test_owned_session_is_created_lazily(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    assert client.has_injected_session is False
    # Constructing the client did no I/O and created no session.
    assert client._session is None
    assert sim.total_requests == 0

    devices = await client.get_devices()

    assert len(devices) == 2
    session = client._session
    assert isinstance(session, aiohttp.ClientSession)
    assert not session.closed


async def test_close_closes_owned_session_and_is_idempotent(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    await client.get_devices()
    session = client._session
    assert session is not None

    await client.close()
    assert session.closed
    assert client._session is None
    # A second (and third) close is harmless.
    await client.close()
    await client.close()
    assert session.closed
    assert client.has_injected_session is False


async def test_close_before_any_request_is_harmless(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    await client.close()
    await client.close()
    assert client._session is None
    assert sim.total_requests == 0


async def test_async_with_closes_owned_session(sim: MoogoSimulator) -> None:
    async with MoogoClient(TEST_EMAIL, TEST_PASSWORD, base_url=sim.url) as client:
        assert client.has_injected_session is False
        assert len(await client.get_devices()) == 2
        session = client._session
        assert session is not None
        assert not session.closed
    assert session.closed
    assert client._session is None


async def test_async_with_closes_owned_session_on_error(sim: MoogoSimulator) -> None:
    with pytest.raises(MoogoNotFoundError):
        async with MoogoClient(TEST_EMAIL, TEST_PASSWORD, base_url=sim.url) as client:
            await client.get_device("MG-NO-SUCH-DEVICE")
    assert client._session is None


async def test_owned_client_reopens_a_session_after_close(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    await client.get_devices()
    first = client._session
    await client.close()

    # Used again after close(): a fresh session, and the token is kept.
    assert len(await client.get_devices()) == 2
    second = client._session
    assert second is not None
    assert second is not first
    assert not second.closed
    assert logins(sim) == 1


async def test_owned_session_closed_behind_the_clients_back_is_replaced(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    await client.get_devices()
    first = client._session
    assert first is not None
    await first.close()

    assert len(await client.get_devices()) == 2
    assert client._session is not first
    assert client._session is not None
    assert not client._session.closed


# -- an injected session -----------------------------------------------------------


async def test_injected_session_is_used_for_every_request_and_never_closed(
    sim: MoogoSimulator,
) -> None:
    session, seen = _counting_session()
    try:
        client = MoogoClient(
            TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url
        )
        assert client.has_injected_session is True

        devices = await client.get_devices()
        await client.get_device(devices[0].device_id)
        await client.get_liquids()

        assert client._session is session
        # Login, list, detail, liquids: all through the caller's session.
        assert len(seen) == sim.total_requests == 4
        assert seen[0].endswith("/v1/user/login")

        await client.close()
        await client.close()
        assert not session.closed

        # The session is still usable by its owner...
        async with session.get(f"{sim.url}/v1/liquid") as response:
            assert response.status == 200
            assert (await response.json())["code"] == 0
        # ...and by the client, which closed only its own state.
        assert len(await client.get_devices()) == 2
        assert not session.closed
    finally:
        await session.close()


async def test_async_with_leaves_injected_session_open(
    sim: MoogoSimulator, http_session: aiohttp.ClientSession
) -> None:
    async with MoogoClient(
        TEST_EMAIL, TEST_PASSWORD, session=http_session, base_url=sim.url
    ) as client:
        assert client.has_injected_session is True
        assert len(await client.get_devices()) == 2
    assert not http_session.closed
    async with http_session.get(f"{sim.url}/v1/devices/schedules") as response:
        assert response.status == 200


async def test_injected_session_closed_by_owner_gives_typed_error(
    sim: MoogoSimulator, socket_enabled: None
) -> None:
    session = aiohttp.ClientSession()
    client = MoogoClient(TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url)
    await client.get_devices()
    await session.close()

    with pytest.raises(MoogoSessionClosedError) as caught:
        await client.get_devices()

    assert isinstance(caught.value, MoogoConnectionError)
    assert "closed" in str(caught.value)
    # Raised by the client itself, not an aiohttp error bubbling up.
    assert caught.value.__cause__ is None
    assert not isinstance(caught.value.__context__, aiohttp.ClientError | RuntimeError)
    await client.close()
    assert sim.request_counts.get("GET /v1/devices") == 1


async def test_session_closed_before_first_use_gives_typed_error(
    sim: MoogoSimulator, socket_enabled: None
) -> None:
    session = aiohttp.ClientSession()
    await session.close()
    client = MoogoClient(TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url)

    # Even the login (the first request) reports the closed session clearly.
    with pytest.raises(MoogoSessionClosedError):
        await client.get_devices()
    with pytest.raises(MoogoSessionClosedError):
        await client.get_liquids()
    assert sim.total_requests == 0
    await client.close()


async def test_session_closed_during_a_request_gives_typed_error(
    sim: MoogoSimulator, socket_enabled: None
) -> None:
    session = aiohttp.ClientSession()
    client = MoogoClient(TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url)
    await client.authenticate()
    sim.faults.latency = 1.0

    pending = asyncio.create_task(client.get_devices())
    await asyncio.sleep(0.2)  # the request is on the wire, waiting for the answer
    await session.close()

    with pytest.raises(MoogoConnectionError) as caught:
        await pending
    assert isinstance(caught.value, MoogoSessionClosedError)
    assert "GET /v1/devices" in str(caught.value)
    assert "Close the client (await client.close()) before" in str(caught.value)
    await client.close()


# -- timeouts ----------------------------------------------------------------------


async def test_timeout_argument_applies_to_owned_session(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client(timeout=0.2)
    await client.authenticate()
    sim.faults.latency = 1.0

    started = time.monotonic()
    with pytest.raises(MoogoConnectionError) as caught:
        await client.get_devices()
    elapsed = time.monotonic() - started

    assert not isinstance(caught.value, MoogoSessionClosedError)
    assert "Timed out" in str(caught.value)
    assert elapsed < 0.9


async def test_default_timeout_of_owned_session_tolerates_slow_answers(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    sim.faults.latency = 0.3
    assert len(await client.get_devices()) == 2


async def test_injected_session_timeout_governs(
    sim: MoogoSimulator, socket_enabled: None
) -> None:
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=0.2)
    ) as session:
        # A generous client timeout does not override the session's own.
        client = MoogoClient(
            TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url, timeout=60
        )
        await client.authenticate()
        sim.faults.latency = 1.0
        started = time.monotonic()
        with pytest.raises(MoogoConnectionError, match="Timed out"):
            await client.get_devices()
        assert time.monotonic() - started < 0.9
        await client.close()
        assert not session.closed


async def test_timeout_argument_is_ignored_with_injected_session(
    sim: MoogoSimulator, socket_enabled: None
) -> None:
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=10)
    ) as session:
        # A tiny client timeout would fail every request if it were applied.
        client = MoogoClient(
            TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url, timeout=0.05
        )
        sim.faults.latency = 0.3
        assert len(await client.get_devices()) == 2
        await client.close()


# -- several clients on one session ------------------------------------------------


async def test_two_accounts_share_one_session_in_isolation(
    sim: MoogoSimulator, http_session: aiohttp.ClientSession
) -> None:
    sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    theirs = sim.add_device(OTHER_EMAIL, name="Neighbour's mister")
    mine = {device.device_id for device in sim.devices_of(TEST_EMAIL)}

    first = MoogoClient(
        TEST_EMAIL, TEST_PASSWORD, session=http_session, base_url=sim.url
    )
    second = MoogoClient(
        OTHER_EMAIL, OTHER_PASSWORD, session=http_session, base_url=sim.url
    )

    # Interleave both accounts' requests on the shared session.
    for _ in range(3):
        first_devices, second_devices = await asyncio.gather(
            first.get_devices(), second.get_devices()
        )
        assert {device.device_id for device in first_devices} == mine
        assert [device.device_id for device in second_devices] == [theirs.device_id]

    assert first.token is not None
    assert second.token is not None
    assert first.token.token != second.token.token
    assert first.user_id == sim.account(TEST_EMAIL).user_id
    assert second.user_id == sim.account(OTHER_EMAIL).user_id
    # One login each: neither client's login replaced the other's token.
    assert sim.account(TEST_EMAIL).login_count == 1
    assert sim.account(OTHER_EMAIL).login_count == 1

    # The other account's device is as unknown to this client as a missing one.
    with pytest.raises(MoogoNotFoundError):
        await first.get_device(theirs.device_id)

    # Nothing account-specific was left on the shared session.
    assert len(http_session.cookie_jar) == 0
    assert "token" not in {key.lower() for key in http_session.headers}
    for token in (first.token.token, second.token.token):
        assert token not in http_session.headers.values()

    await first.close()
    # Closing one client leaves the other working on the same session.
    assert [device.device_id for device in await second.get_devices()] == [
        theirs.device_id
    ]
    await second.close()
    assert not http_session.closed


async def test_revoking_one_account_does_not_disturb_the_other(
    sim: MoogoSimulator, http_session: aiohttp.ClientSession
) -> None:
    sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    sim.add_device(OTHER_EMAIL)
    first = MoogoClient(
        TEST_EMAIL, TEST_PASSWORD, session=http_session, base_url=sim.url
    )
    second = MoogoClient(
        OTHER_EMAIL, OTHER_PASSWORD, session=http_session, base_url=sim.url
    )
    await asyncio.gather(first.get_devices(), second.get_devices())

    sim.revoke_tokens(OTHER_EMAIL)
    await asyncio.gather(first.get_devices(), second.get_devices())

    assert sim.account(TEST_EMAIL).login_count == 1
    assert sim.account(OTHER_EMAIL).login_count == 2
    await first.close()
    await second.close()


async def test_client_closed_during_a_request_gives_typed_error(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    await client.authenticate()
    session = client._session
    assert session is not None
    sim.faults.latency = 1.0

    pending = asyncio.create_task(client.get_devices())
    await asyncio.sleep(0.2)
    await client.close()

    with pytest.raises(MoogoSessionClosedError) as caught:
        await pending
    assert session.closed
    # The client closed its own session: no advice about closing order.
    assert "Close the client" not in str(caught.value)
