"""The one helper module of every test suite: accounts, clock, cloud, entries.

Fixtures built from these live in ``tests/conftest.py``; a suite's own
conftest adds only what no other suite needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.moogo.api import MoogoToken
from custom_components.moogo.const import CONF_API_URL, CONF_TOKEN, DOMAIN
from custom_components.moogo.entry_data import account_title
from moogo_sim import MoogoSimulator, SimAccount

# -- the account of the client and simulator suites (``moogo_simulator``) ------

TEST_EMAIL = "user@example.com"
TEST_PASSWORD = "correct-horse"

# -- the account of the Home Assistant suites (``cloud``) ----------------------

EMAIL = "owner@example.com"
# The entry title the config flow gives EMAIL: HA logs titles, so it hides it.
ENTRY_TITLE = "o***@example.com"
PASSWORD = "mist-Secret-9"
# What the user sets in the Moogo app when the password is "changed elsewhere".
NEW_PASSWORD = "mist-New-Secret-77"
PATIO_ID = "MGPATIO0001"
GARDEN_ID = "MGGARDEN002"
DEVICE_NAMES = {PATIO_ID: "Patio", GARDEN_ID: "Garden"}
ENTRY_ID = "01MOOGOENTRY0000000000000"

LOGIN_ROUTE = "POST /v1/user/login"
DEVICES_ROUTE = "GET /v1/devices"

#: 2026-06-01 12:00:00 UTC, a Monday (05:00 in America/Los_Angeles).
START_TIME = 1_780_315_200.0
# A fixed, realistic moment (a summer Wednesday) so timestamps and the next
# scheduled mist are deterministic in snapshots.
FROZEN_NOW = "2026-07-01T18:00:00+00:00"


def logins(sim: MoogoSimulator) -> int:
    """Login requests the simulator has answered since the last reset."""
    return sim.request_counts.get(LOGIN_ROUTE, 0)


@dataclass
class FakeClock:
    """A clock for the simulator that the test moves by hand: no sleeping."""

    now: float = START_TIME

    def __call__(self) -> float:
        """Return the current fake Unix time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


def build_simulator() -> tuple[MoogoSimulator, SimAccount]:
    """The Home Assistant suites' cloud: one account, two online devices."""
    sim = MoogoSimulator(reaction_delay=0)
    account = sim.add_account(EMAIL, PASSWORD)
    for device_id, temperature, humidity, rssi, water, seconds in (
        (PATIO_ID, 27.5, 48, -61, 1, 60),
        (GARDEN_ID, 22.0, 70, -75, 0, 90),
    ):
        sim.add_device(
            EMAIL,
            device_id=device_id,
            name=DEVICE_NAMES[device_id],
            temperature=temperature,
            humidity=humidity,
            rssi=rssi,
            water_level=water,
            liquid_level=1,
            spraying_seconds=seconds,
        )
    sim.add_schedule(PATIO_ID, hour=7, minute=30, duration=45, repeat_set="1,2,3,4,5")
    sim.add_schedule(
        PATIO_ID, hour=19, minute=0, duration=60, repeat_set="0,1,2,3,4,5,6"
    )
    sim.add_schedule(
        GARDEN_ID, hour=20, minute=15, duration=30, repeat_set="6", status=0
    )
    return sim, account


@dataclass
class Cloud:
    """The running simulator, the test account in it and the port it holds."""

    sim: MoogoSimulator
    account: SimAccount
    # Kept so that a restart listens where the entries point.
    port: int = field(init=False)

    def __post_init__(self) -> None:
        self.port = self.sim.port

    @property
    def url(self) -> str:
        """The base URL the entries point at (stable across restarts)."""
        return f"http://127.0.0.1:{self.port}"

    def logins(self) -> int:
        """Login requests the simulator has seen since the last reset."""
        return logins(self.sim)

    async def stop(self) -> None:
        """Close the listener: connections to the port are refused."""
        await self.sim.stop()

    async def restart(self) -> None:
        """Listen again on the same port, with the same accounts and tokens."""
        await self.sim.start(port=self.port)


def make_entry(
    cloud: Cloud, *, token: MoogoToken | None = None, minor_version: int = 3
) -> MockConfigEntry:
    """The test account's entry as the config flow creates it, maybe with a token.

    An older ``minor_version`` is an entry made by an earlier release, with
    the whole email as its title.
    """
    return entry_for(
        cloud.account.user_id, cloud.url, token=token, minor_version=minor_version
    )


def entry_for(
    user_id: str,
    url: str,
    email: str = EMAIL,
    password: str = PASSWORD,
    *,
    token: MoogoToken | None = None,
    minor_version: int = 3,
) -> MockConfigEntry:
    """A config entry of any account and API URL."""
    data = {CONF_EMAIL: email, CONF_PASSWORD: password, CONF_API_URL: url}
    if token is not None:
        data[CONF_TOKEN] = token.as_dict()
    return MockConfigEntry(
        domain=DOMAIN,
        title=email if minor_version < 3 else account_title(email),
        unique_id=user_id,
        minor_version=minor_version,
        data=data,
        entry_id=ENTRY_ID if email == EMAIL else None,
    )


def device_requests(cloud: Cloud) -> dict[str, int]:
    """The requests the simulator answered, less the account's messages."""
    return {
        route: count
        for route, count in cloud.sim.request_counts.items()
        if "/v1/users/" not in route
    }


def entity_id_of(hass: HomeAssistant, platform: str, device_id: str, key: str) -> str:
    """The entity id registered for a device's entity key."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{device_id}_{key}"
    )
    assert entity_id is not None, f"no {platform} entity for {device_id}_{key}"
    return entity_id


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the frozen clock (HA's and the simulator's) and run what falls due.

    One extra second covers the sub-second offset HA adds to coordinator timers.
    """
    freezer.tick(delta + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def tick(hass: HomeAssistant, delta: timedelta) -> None:
    """Run every timer due within ``delta`` and wait for what it started.

    Without a freezer the real clock keeps running, so the simulator's
    latency faults and the integration's own timeouts use real time, while
    HA's timers (polls, setup retries, confirmations) fire at once.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + delta + timedelta(seconds=1))
    # Coordinator refreshes run as background tasks doing real HTTP I/O.
    await hass.async_block_till_done(wait_background_tasks=True)


def exception_chain(error: BaseException) -> Iterator[BaseException]:
    """An exception and every cause or context behind it, each once."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let HA load custom_components/moogo from this repository.

    Imported by the conftest of each Home Assistant suite, so that the client
    and simulator suites start no Home Assistant.
    """
