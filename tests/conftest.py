"""Fixtures shared by every test package.

Simulator fixtures live here; Home Assistant fixtures may be appended below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from moogo_sim import MoogoSimulator
from tests.const import TEST_EMAIL, TEST_PASSWORD


@pytest.fixture
async def moogo_simulator(socket_enabled: None) -> AsyncIterator[MoogoSimulator]:
    """A running simulator on 127.0.0.1 with the test account and two devices.

    ``reaction_delay=0`` so commands show at once; the real clock drives it.
    Loopback sockets are enabled (``socket_enabled``) because the Home
    Assistant test plugin blocks all sockets otherwise.
    """
    sim = MoogoSimulator(reaction_delay=0)
    sim.add_account(TEST_EMAIL, TEST_PASSWORD)
    sim.add_device(TEST_EMAIL, name="Front Yard")
    sim.add_device(TEST_EMAIL, name="Back Yard")
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()
