"""Fixtures for the client tests: the real client against the real simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from custom_components.moogo.api import MoogoClient
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD

type ClientFactory = Callable[..., MoogoClient]


@pytest.fixture
def sim(moogo_simulator: MoogoSimulator) -> MoogoSimulator:
    """The running simulator (test account with two online devices)."""
    return moogo_simulator


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
