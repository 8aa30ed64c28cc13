"""Fixtures for the Home Assistant integration tests: a real simulator and entry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.moogo.api import MoogoToken
from custom_components.moogo.const import CONF_API_URL, CONF_TOKEN, DOMAIN
from moogo_sim import MoogoSimulator, SimAccount

EMAIL = "owner@example.com"
PASSWORD = "mist-Secret-9"
PATIO_ID = "MGPATIO0001"
GARDEN_ID = "MGGARDEN002"


@dataclass
class Cloud:
    """The running simulator and the test account in it."""

    sim: MoogoSimulator
    account: SimAccount

    def logins(self) -> int:
        """Login requests the simulator has seen."""
        return self.sim.request_counts.get("POST /v1/user/login", 0)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Serialise HA objects (states, registry entries) stably, as HA core does."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> Iterator[None]:
    """Let HA load custom_components/moogo from this repository."""
    return


@pytest.fixture
async def cloud(socket_enabled: None) -> AsyncIterator[Cloud]:
    """Start a simulator with one account and two online devices on loopback."""
    sim = MoogoSimulator(reaction_delay=0)
    account = sim.add_account(EMAIL, PASSWORD)
    sim.add_device(
        EMAIL,
        device_id=PATIO_ID,
        name="Patio",
        temperature=27.5,
        humidity=48,
        rssi=-61,
        water_level=1,
        liquid_level=1,
        spraying_seconds=60,
    )
    sim.add_device(
        EMAIL,
        device_id=GARDEN_ID,
        name="Garden",
        temperature=22.0,
        humidity=70,
        rssi=-75,
        water_level=0,
        liquid_level=1,
        spraying_seconds=90,
    )
    sim.add_schedule(PATIO_ID, hour=7, minute=30, duration=45, repeat_set="1,2,3,4,5")
    sim.add_schedule(
        PATIO_ID, hour=19, minute=0, duration=60, repeat_set="0,1,2,3,4,5,6"
    )
    sim.add_schedule(
        GARDEN_ID, hour=20, minute=15, duration=30, repeat_set="6", status=0
    )
    await sim.start()
    try:
        yield Cloud(sim, account)
    finally:
        await sim.stop()


def make_entry(cloud: Cloud, *, token: MoogoToken | None = None) -> MockConfigEntry:
    """A config entry for the test account, optionally with a stored token."""
    data = {
        CONF_EMAIL: EMAIL,
        CONF_PASSWORD: PASSWORD,
        CONF_API_URL: cloud.sim.url,
    }
    if token is not None:
        data[CONF_TOKEN] = token.as_dict()
    return MockConfigEntry(
        domain=DOMAIN,
        title=EMAIL,
        unique_id=cloud.account.user_id,
        data=data,
        entry_id="01MOOGOENTRY0000000000000",
    )


@pytest.fixture
def config_entry(cloud: Cloud) -> MockConfigEntry:
    """The test account's entry, without a stored token."""
    return make_entry(cloud)


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the clock (HA's and the simulator's) and run what falls due.

    One extra second covers the sub-second offset HA adds to coordinator timers.
    """
    freezer.tick(delta + timedelta(seconds=1))
    async_fire_time_changed(hass)
    # Coordinator refreshes run as background tasks doing real HTTP I/O.
    await hass.async_block_till_done(wait_background_tasks=True)


# A fixed, realistic moment (a summer Wednesday) so timestamps and the next
# scheduled mist are deterministic in snapshots.
FROZEN_NOW = "2026-07-01T18:00:00+00:00"


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration against the simulator and wait for it."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


def entity_id_of(hass: HomeAssistant, platform: str, device_id: str, key: str) -> str:
    """The entity id registered for a device's entity key."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{device_id}_{key}"
    )
    assert entity_id is not None, f"no {platform} entity for {device_id}_{key}"
    return entity_id
