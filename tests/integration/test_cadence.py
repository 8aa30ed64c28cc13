"""What each poll reads: details on a list change or on the device's turn, a mist's end when due."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import (
    DETAILS_UPDATE_INTERVAL,
    DOMAIN,
    UPDATE_INTERVAL,
)
from moogo_sim import MoogoSimulator
from moogo_sim.state import SprayEpisode
from tests.common import EMAIL, PATIO_ID, Cloud, advance, device_requests, entity_id_of

DETAIL_ROUTE = "GET /v1/devices/{device_id}"
SECOND = timedelta(0)  # advance() adds the second itself


async def _start_mist(
    _: HomeAssistant, __: FrozenDateTimeFactory, sim: MoogoSimulator
) -> None:
    sim.device(PATIO_ID).start_spraying(sim.now(), 0)


async def _new_firmware(
    _: HomeAssistant, __: FrozenDateTimeFactory, sim: MoogoSimulator
) -> None:
    sim.device(PATIO_ID).firmware = "1.3.0"


async def _renamed(
    _: HomeAssistant, __: FrozenDateTimeFactory, sim: MoogoSimulator
) -> None:
    sim.device(PATIO_ID).name = "Terrace"


async def _back_online(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sim: MoogoSimulator
) -> None:
    sim.set_online(PATIO_ID, False)
    await advance(hass, freezer, UPDATE_INTERVAL)  # offline: no detail read
    sim.set_online(PATIO_ID, True)


@pytest.mark.parametrize(
    "change",
    [_start_mist, _new_firmware, _renamed, _back_online],
    ids=["mist started", "new firmware", "renamed", "back online"],
)
async def test_a_changed_list_entry_reads_the_detail_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    change: Callable[
        [HomeAssistant, FrozenDateTimeFactory, MoogoSimulator], Awaitable[None]
    ],
) -> None:
    """Whatever the list shows changed, that poll brings the device's readings too."""
    temperature = entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    cloud.sim.device(PATIO_ID).temperature = 33.0
    await change(hass, freezer, cloud.sim)

    await advance(hass, freezer, UPDATE_INTERVAL)

    assert hass.states.get(temperature).state == "33.0"


async def test_unchanged_readings_wait_for_the_device_turn(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A reading alone changes nothing in the list: it shows within five minutes."""
    temperature = entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    cloud.sim.device(PATIO_ID).temperature = 33.0

    await advance(hass, freezer, UPDATE_INTERVAL)
    # The Patio's turn is later in the five minutes (a fixed hash of its id).
    assert hass.states.get(temperature).state == "27.5"

    await advance(hass, freezer, DETAILS_UPDATE_INTERVAL - UPDATE_INTERVAL)
    assert hass.states.get(temperature).state == "33.0"


async def test_details_of_many_devices_spread_over_the_interval(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Fifty devices are read once each in five minutes, a few on each poll."""
    for number in range(48):
        cloud.sim.add_device(EMAIL, device_id=f"MGMANY{number:05d}")
    await advance(hass, freezer, UPDATE_INTERVAL)  # the new devices' first read

    per_poll: list[int] = []
    for _ in range(int(DETAILS_UPDATE_INTERVAL / UPDATE_INTERVAL)):
        cloud.sim.reset_counts()
        await advance(hass, freezer, UPDATE_INTERVAL)
        per_poll.append(cloud.sim.request_counts.get(DETAIL_ROUTE, 0))

    # Ten polls of 31 s cover each device's turn once; none gets two.
    assert sum(per_poll) == 50
    assert max(per_poll) <= 10, per_poll


@pytest.fixture
def switch(hass: HomeAssistant, init_integration: MockConfigEntry) -> str:
    """The Patio's Spray switch, once the integration is set up."""
    return entity_id_of(hass, "switch", PATIO_ID, "spray")


async def _seconds_until_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud, switch: str
) -> int:
    """Wait for the pump to stop, then count seconds until HA shows it."""
    while cloud.sim.is_spraying(PATIO_ID):
        await advance(hass, freezer, SECOND)
        assert hass.states.get(switch).state == STATE_ON
    seconds = 0
    while hass.states.get(switch).state != STATE_OFF:
        await advance(hass, freezer, SECOND)
        seconds += 1
        assert seconds <= UPDATE_INTERVAL.total_seconds()
    return seconds


async def test_the_end_of_a_mist_from_ha_shows_when_it_happens(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    switch: str,
) -> None:
    """The default duration is known: one read when it is over, not the next poll."""
    # Half a poll in, so that the mist ends long before the next poll.
    await advance(hass, freezer, timedelta(seconds=14))
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )

    assert await _seconds_until_off(hass, freezer, cloud, switch) <= 5
    # The mist's end brought its figures along.
    duration = entity_id_of(hass, "sensor", PATIO_ID, "last_mist_duration")
    assert float(hass.states.get(duration).state) == pytest.approx(60, abs=1)


@pytest.mark.freeze_time("2026-07-01T14:29:45+00:00")  # 07:29:45 PDT, a Wednesday
async def test_the_end_of_a_scheduled_mist_shows_when_it_happens(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    switch: str,
) -> None:
    """The Patio's 07:30 schedule runs 45 s: HA reads it then, not at the next poll."""
    await advance(hass, freezer, timedelta(seconds=14))
    # The device runs its schedule by itself, behind HA's back.
    cloud.sim.device(PATIO_ID).episodes.append(SprayEpisode(cloud.sim.now(), 45))
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert hass.states.get(switch).state == STATE_ON

    assert await _seconds_until_off(hass, freezer, cloud, switch) <= 5


async def test_a_command_reads_only_its_device(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    switch: str,
) -> None:
    """A mist from HA costs the start, one confirmation and one read at its end."""
    cloud.sim.reset_counts()
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    for _ in range(6):
        await advance(hass, freezer, timedelta(seconds=10))

    # The device's requests; the app's messages are read on their own round.
    counts = device_requests(cloud)
    assert counts.pop("POST /v1/devices/{device_id}/start") == 1
    polls = counts.pop("GET /v1/devices")
    assert polls == 2
    # Confirmation and end read; the Garden's turn (20 s into the five
    # minutes) falls in this minute too.
    assert counts == {DETAIL_ROUTE: 3}


async def test_update_entity_reads_everything_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Asked for an update, HA reads readings, schedules and settings now."""
    assert await async_setup_component(hass, "homeassistant", {})
    temperature = entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    schedules = entity_id_of(hass, "sensor", PATIO_ID, "enabled_schedules")
    cloud.sim.device(PATIO_ID).temperature = 33.0
    cloud.sim.add_schedule(PATIO_ID, hour=6, minute=0, duration=30)

    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": temperature}, blocking=True
    )
    await hass.async_block_till_done()

    assert hass.states.get(temperature).state == "33.0"
    assert hass.states.get(schedules).state == "3"


@pytest.mark.freeze_time("2026-07-02T01:59:00+00:00")  # 18:59 PDT, Wednesday
async def test_the_next_mist_moves_on_when_its_time_has_passed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Nothing of the device changes, yet the clock does: the next mist follows."""
    next_mist = entity_id_of(hass, "sensor", PATIO_ID, "next_mist")
    assert hass.states.get(next_mist).state == "2026-07-02T02:00:00+00:00"

    await advance(hass, freezer, UPDATE_INTERVAL)  # a poll that changes nothing
    assert hass.states.get(next_mist).state == "2026-07-02T02:00:00+00:00"

    await advance(hass, freezer, UPDATE_INTERVAL)  # 19:00:02 PDT

    # Thursday 07:30 PDT, the weekday schedule.
    assert hass.states.get(next_mist).state == "2026-07-02T14:30:00+00:00"


def _mist_end(hass: HomeAssistant) -> datetime | None:
    """The "Mist ends" sensor, as a moment; None while unknown."""
    state = hass.states.get(entity_id_of(hass, "sensor", PATIO_ID, "mist_end")).state
    return None if state == STATE_UNKNOWN else datetime.fromisoformat(state)


def _close(shown: datetime | None, expected: datetime) -> bool:
    """Whether a timestamp sensor shows ``expected``, to the second."""
    return shown is not None and abs(shown - expected) < timedelta(seconds=1)


async def test_a_mist_from_ha_shows_when_it_ends(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    switch: str,
) -> None:
    """Started by the switch: its end is the default duration after it was seen."""
    assert _mist_end(hass) is None
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    while not cloud.sim.is_spraying(PATIO_ID) or _mist_end(hass) is None:
        await advance(hass, freezer, SECOND)
    seen = dt_util.utcnow()
    ends = _mist_end(hass)
    assert ends is not None
    # Shown to the second, as timestamp sensors are.
    assert abs(ends - seen - timedelta(seconds=60)) <= timedelta(seconds=2)

    while hass.states.get(switch).state == STATE_ON:
        await advance(hass, freezer, SECOND)
        assert dt_util.utcnow() - seen < timedelta(seconds=90)
    assert _mist_end(hass) is None


async def test_a_timed_mist_shows_its_own_end_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), init_integration.entry_id
    )
    assert device is not None
    asked = dt_util.utcnow()
    await hass.services.async_call(
        DOMAIN, "mist", {"device_id": device.id, "duration": 30}, blocking=True
    )
    assert _close(_mist_end(hass), asked + timedelta(seconds=30))
    # Seen misting later, the sooner timed end stays.
    for _ in range(6):
        await advance(hass, freezer, SECOND)
    assert cloud.sim.is_spraying(PATIO_ID)
    assert _close(_mist_end(hass), asked + timedelta(seconds=30))


@pytest.mark.freeze_time("2026-07-01T14:29:45+00:00")  # 07:29:45 PDT, a Wednesday
async def test_a_scheduled_mist_shows_the_end_of_its_run(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    switch: str,
) -> None:
    """The Patio's 07:30 schedule runs 45 s: it ends at 07:30:45."""
    await advance(hass, freezer, timedelta(seconds=14))
    cloud.sim.device(PATIO_ID).episodes.append(SprayEpisode(cloud.sim.now(), 45))
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert hass.states.get(switch).state == STATE_ON
    assert _mist_end(hass) == datetime(2026, 7, 1, 14, 30, 45, tzinfo=UTC)


async def test_a_mist_started_in_the_app_has_no_known_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    switch: str,
) -> None:
    cloud.sim.device(PATIO_ID).start_spraying(cloud.sim.now(), 0)
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert hass.states.get(switch).state == STATE_ON
    assert _mist_end(hass) is None
