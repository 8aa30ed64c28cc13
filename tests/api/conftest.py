"""Fixtures for the client tests: the real client against the real simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from custom_components.moogo.api import MoogoClient
from moogo_sim import MoogoSimulator
from tests.const import TEST_EMAIL, TEST_PASSWORD

type ClientFactory = Callable[..., MoogoClient]


@pytest.fixture
def sim(moogo_simulator: MoogoSimulator) -> MoogoSimulator:
    """The running simulator (test account with two online devices)."""
    return moogo_simulator


@pytest.fixture
def device_ids(sim: MoogoSimulator) -> list[str]:
    """The ids of the test account's devices, in creation order."""
    return [device.device_id for device in sim.devices_of(TEST_EMAIL)]


@pytest.fixture
async def make_client(sim: MoogoSimulator) -> AsyncIterator[ClientFactory]:
    """Build clients pointed at the simulator; every one is closed afterwards."""
    clients: list[MoogoClient] = []

    def _make(
        email: str = TEST_EMAIL, password: str = TEST_PASSWORD, **kwargs: Any
    ) -> MoogoClient:
        kwargs.setdefault("base_url", sim.url)
        client = MoogoClient(email, password, **kwargs)
        clients.append(client)
        return client

    yield _make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: ClientFactory) -> MoogoClient:
    """A client of the test account with a session of its own."""
    return make_client()


@pytest.fixture
async def http_session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A caller-owned session (the Home Assistant pattern), closed afterwards."""
    async with aiohttp.ClientSession() as session:
        yield session
