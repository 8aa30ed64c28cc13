"""The session pitfalls that docs/session-injection.md warns about, shown for real."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import gc
from typing import Any
import warnings

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.moogo.api import MoogoClient, MoogoSessionClosedError
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD, logins

OTHER_EMAIL = "other@example.com"
OTHER_PASSWORD = "other-Pass-3"


async def test_ha_shared_session_is_left_open_and_has_aiohttp_default_timeout(
    hass: HomeAssistant,
) -> None:
    session = async_get_clientsession(hass)
    # No timeout of its own: aiohttp's default (5 minutes in total) applies.
    assert session.timeout.total == 300

    client = MoogoClient(TEST_EMAIL, TEST_PASSWORD, session=session, timeout=5)
    assert client.has_injected_session is True
    await client.close()
    assert not session.closed
    assert async_get_clientsession(hass) is session


async def test_closing_a_shared_session_breaks_every_client_on_it(
    sim: MoogoSimulator, socket_enabled: None
) -> None:
    sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    sim.add_device(OTHER_EMAIL)
    session = aiohttp.ClientSession()
    mine = MoogoClient(TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url)
    theirs = MoogoClient(OTHER_EMAIL, OTHER_PASSWORD, session=session, base_url=sim.url)
    await asyncio.gather(mine.get_devices(), theirs.get_devices())

    # The mistake: "cleaning up" by closing a session someone else owns.
    await session.close()

    with pytest.raises(MoogoSessionClosedError):
        await theirs.get_devices()
    with pytest.raises(MoogoSessionClosedError):
        await mine.get_devices()
    await mine.close()
    await theirs.close()


async def test_token_in_session_headers_leaks_to_every_request(
    sim: MoogoSimulator, socket_enabled: None
) -> None:
    sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    sim.add_device(OTHER_EMAIL, device_id="MGOTHER")
    async with MoogoClient(
        OTHER_EMAIL, OTHER_PASSWORD, base_url=sim.url
    ) as other_client:
        other_token = (await other_client.authenticate()).token

    # The mistake: a token as a default header of a shared session.
    async with aiohttp.ClientSession(headers={"token": other_token}) as session:
        # Any code using the session now acts as that account.
        async with session.get(f"{sim.url}/v1/devices") as response:
            body = await response.json()
        assert body["code"] == 0
        assert [item["deviceId"] for item in body["data"]["items"]] == ["MGOTHER"]

        # The client is not fooled: its own per-request token wins.
        client = MoogoClient(
            TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url
        )
        devices = await client.get_devices()
        assert "MGOTHER" not in {device.device_id for device in devices}
        assert len(devices) == 2
        await client.close()


def test_session_needs_a_running_loop_but_the_client_does_not() -> None:
    # The mistake: building a session at import time or in sync setup code.
    with pytest.raises(RuntimeError, match="no running event loop"):
        aiohttp.ClientSession()

    # The client defers its session to the first request, inside the loop.
    client = MoogoClient(TEST_EMAIL, TEST_PASSWORD)
    assert client.has_injected_session is False
    assert client._session is None


async def test_asyncio_timeout_bounds_calls_on_an_injected_session(
    sim: MoogoSimulator, http_session: aiohttp.ClientSession
) -> None:
    client = MoogoClient(
        TEST_EMAIL, TEST_PASSWORD, session=http_session, base_url=sim.url, timeout=0.1
    )
    sim.faults.latency = 1.0

    # timeout=0.1 is ignored for an injected session; a deadline around the
    # call is how to bound one request - here it cuts into the login.
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await client.get_devices()
    assert client.token is None

    sim.faults.latency = 0.0
    await client.authenticate()
    sim.faults.latency = 1.0
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await client.get_devices()

    # Nothing is left stuck (the login lock is free, the token kept).
    sim.faults.latency = 0.0
    assert len(await client.get_devices()) == 2
    assert logins(sim) == 2
    await client.close()


async def _leak_a_session(
    use: Callable[[aiohttp.ClientSession], Awaitable[Any]],
) -> list[str]:
    """Use a session, never close it, drop it; return every warning and loop report."""
    loop = asyncio.get_running_loop()
    previous_handler = loop.get_exception_handler()
    reports: list[str] = []
    loop.set_exception_handler(lambda _, context: reports.append(context["message"]))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            session = aiohttp.ClientSession()
            await use(session)
            # The mistake: the session's owner never calls session.close().
            del session
            gc.collect()
    finally:
        loop.set_exception_handler(previous_handler)
    return [f"warning: {item.message}".split(" <")[0] for item in caught] + [
        f"loop: {message}" for message in reports
    ]


async def test_forgotten_injected_session_gets_only_aiohttps_own_warning(
    sim: MoogoSimulator, socket_enabled: None
) -> None:
    async def without_client(session: aiohttp.ClientSession) -> None:
        async with session.get(f"{sim.url}/v1/devices/schedules") as response:
            await response.read()

    async def through_client(session: aiohttp.ClientSession) -> None:
        client = MoogoClient(
            TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url
        )
        await client.get_devices()
        await client.close()

    aiohttp_alone = await _leak_a_session(without_client)
    with_client = await _leak_a_session(through_client)

    # aiohttp reports the leak itself, once, as "Unclosed client session"...
    assert with_client.count("warning: Unclosed client session") == 1
    assert with_client.count("loop: Unclosed client session") == 1
    # ...and the client adds nothing: the same reports as a session never
    # given to a client.
    assert with_client == aiohttp_alone
    assert not [report for report in with_client if "oogo" in report]


async def test_closing_the_session_first_gets_an_error_saying_to_close_the_client_first(
    sim: MoogoSimulator, socket_enabled: None
) -> None:
    session = aiohttp.ClientSession()
    client = MoogoClient(TEST_EMAIL, TEST_PASSWORD, session=session, base_url=sim.url)
    await client.get_devices()
    # The mistake: the session is closed while the client is still in use.
    await session.close()

    with pytest.raises(MoogoSessionClosedError) as caught:
        await client.get_devices()
    assert "Close the client (await client.close()) before closing the session" in str(
        caught.value
    )
    await client.close()
