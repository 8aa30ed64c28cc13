"""Fixtures shared by every test suite: simulators, the clock, the entry.

The helpers behind them live in ``tests/common.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from moogo_sim import MoogoSimulator
from tests.common import (
    TEST_EMAIL,
    TEST_PASSWORD,
    Cloud,
    FakeClock,
    build_simulator,
    make_entry,
)

# -- the client and simulator suites ------------------------------------------


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
    async with sim:
        yield sim


@pytest.fixture
def device_ids(moogo_simulator: MoogoSimulator) -> list[str]:
    """The test account's device ids, in creation order."""
    return [device.device_id for device in moogo_simulator.devices_of(TEST_EMAIL)]


@pytest.fixture
def clock() -> FakeClock:
    """A hand-driven clock."""
    return FakeClock()


@pytest.fixture
async def clocked_sim(
    socket_enabled: None, clock: FakeClock
) -> AsyncIterator[MoogoSimulator]:
    """A running simulator on the fake clock with the default 3 s reaction delay.

    Short token lifetime and lockout so that expiry tests read naturally.
    """
    sim = MoogoSimulator(
        reaction_delay=3.0,
        clock=clock,
        token_ttl=3600,
        lockout_after=5,
        lockout_seconds=600,
    )
    sim.add_account(TEST_EMAIL, TEST_PASSWORD)
    sim.add_device(TEST_EMAIL, name="Front Yard", spraying_seconds=60)
    sim.add_device(TEST_EMAIL, name="Back Yard")
    async with sim:
        yield sim


@pytest.fixture
def clocked_device(clocked_sim: MoogoSimulator) -> str:
    """The id of the first device of ``clocked_sim`` (60 s sprays)."""
    return clocked_sim.devices_of(TEST_EMAIL)[0].device_id


@pytest.fixture
async def http_session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A caller-owned session (the Home Assistant pattern), closed afterwards."""
    async with aiohttp.ClientSession() as session:
        yield session


# -- the Home Assistant suites --------------------------------------------------


@pytest.fixture
async def cloud(socket_enabled: None) -> AsyncIterator[Cloud]:
    """A running simulator with the test account and two online devices."""
    sim, account = build_simulator()
    async with sim:
        yield Cloud(sim, account)


@pytest.fixture
def config_entry(cloud: Cloud) -> MockConfigEntry:
    """The test account's entry, without a stored token."""
    return make_entry(cloud)


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration against the simulator and wait for it."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry
