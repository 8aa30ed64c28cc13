"""One absurd value from the cloud becomes unknown; it never takes the account down."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.moogo.const import UPDATE_INTERVAL
from custom_components.moogo.data import async_load_zone
from tests.common import (
    FROZEN_NOW,
    GARDEN_ID,
    PATIO_ID,
    Cloud,
    advance,
    entity_id_of,
    make_entry,
)


async def _set_up(hass: HomeAssistant, cloud: Cloud) -> None:
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


def _state(hass: HomeAssistant, platform: str, device_id: str, key: str) -> str:
    return hass.states.get(entity_id_of(hass, platform, device_id, key)).state


@pytest.mark.parametrize(
    "zone",
    ["/etc/localtime", "../UTC", "Europe/../UTC", "a\x00b", "x" * 300, "Not/AZone"],
)
async def test_a_time_zone_that_is_no_zone_falls_back_to_home_assistants(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory, zone: str
) -> None:
    """A path or garbage as ``timeZone``: no file is read, the entry works."""
    freezer.move_to(FROZEN_NOW)
    cloud.sim.device(PATIO_ID).time_zone = zone
    await _set_up(hass, cloud)

    assert await async_load_zone(zone) is None
    assert dt_util.parse_datetime(_state(hass, "sensor", PATIO_ID, "next_mist"))
    assert _state(hass, "calendar", PATIO_ID, "schedule") != STATE_UNAVAILABLE
    assert _state(hass, "sensor", GARDEN_ID, "temperature") == "22.0"


async def test_zone_names_are_loaded_off_the_event_loop(hass: HomeAssistant) -> None:
    zone = await async_load_zone("Europe/Berlin")
    assert zone is not None
    assert str(zone) == "Europe/Berlin"
    assert await async_load_zone(None) is None


@pytest.mark.parametrize("duration", [10**11, 10**20, -5])
async def test_an_absurd_schedule_duration_stays_on_its_schedule(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory, duration: int
) -> None:
    freezer.move_to(FROZEN_NOW)
    cloud.sim.device(PATIO_ID).schedules[1].duration = duration
    await _set_up(hass, cloud)
    assert _state(hass, "calendar", PATIO_ID, "schedule") != STATE_UNAVAILABLE

    # A mist the device starts by itself: the tracker looks for a run under way.
    cloud.sim.device(PATIO_ID).start_spraying(cloud.sim.now(), 0)
    await advance(hass, freezer, UPDATE_INTERVAL)

    assert _state(hass, "switch", PATIO_ID, "spray") == "on"
    assert _state(hass, "sensor", GARDEN_ID, "temperature") == "22.0"


@pytest.mark.parametrize(
    "field",
    ["temperature", "humidity", "rssi", "latestSprayingDuration", "latestSprayingEnd"],
)
async def test_an_integer_beyond_any_number_is_unknown(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory, field: str
) -> None:
    freezer.move_to(FROZEN_NOW)
    await _set_up(hass, cloud)
    patio = cloud.sim.device(PATIO_ID)
    patio.overrides[field] = 10**400
    patio.name = "Patio renamed"  # a list field changed: the detail is read now
    await advance(hass, freezer, UPDATE_INTERVAL)

    assert _state(hass, "sensor", GARDEN_ID, "temperature") == "22.0"
    assert _state(hass, "switch", PATIO_ID, "spray") != STATE_UNAVAILABLE
    if field == "temperature":
        assert _state(hass, "sensor", PATIO_ID, "temperature") == STATE_UNKNOWN
