"""Timed pauses: moogo.pause holds a device's schedules off and resumes them by itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import DOMAIN
from custom_components.moogo.pause import RESUME_RETRY_INTERVAL, storage_key
from moogo_sim import FaultConfig
from tests.common import (
    ENTRY_ID,
    FROZEN_NOW,
    GARDEN_ID,
    PATIO_ID,
    Cloud,
    advance,
    entity_id_of,
)

SWITCH_ON_ROUTE = "PUT /v1/devices/{device_id}/schedules/switch/open"
SWITCH_OFF_ROUTE = "PUT /v1/devices/{device_id}/schedules/switch/close"
STORE_KEY = storage_key(ENTRY_ID)


@pytest.fixture(autouse=True)
def _frozen(freezer: FrozenDateTimeFactory) -> None:
    """A summer Wednesday, 18:00 UTC: Patio's daily 19:00 run is an hour ahead."""
    freezer.move_to(FROZEN_NOW)


def _device(hass: HomeAssistant, moogo_id: str = PATIO_ID) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, moogo_id), ENTRY_ID
    )
    assert device is not None
    return device.id


async def _pause(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "pause",
        {ATTR_DEVICE_ID: _device(hass)} | data,
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


async def _resume(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        DOMAIN, "resume", {ATTR_DEVICE_ID: _device(hass)}, blocking=True
    )


def _master_on(cloud: Cloud, device_id: str = PATIO_ID) -> bool:
    return cloud.sim.device(device_id).schedule_switch_status == 1


def _state(hass: HomeAssistant, platform: str, key: str) -> str:
    state = hass.states.get(entity_id_of(hass, platform, PATIO_ID, key))
    assert state is not None
    return state.state


def _moment(state: str) -> datetime:
    moment = dt_util.parse_datetime(state)
    assert moment is not None
    return moment


async def _read_schedules(hass: HomeAssistant) -> None:
    """Ask for every device's data, as update_entity does (the slow data too)."""
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {ATTR_ENTITY_ID: entity_id_of(hass, "switch", PATIO_ID, "schedules")},
        blocking=True,
    )
    await hass.async_block_till_done()


async def test_pause_holds_the_schedules_and_resumes_them_by_itself(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Ten hours off: master switch off, its end shown and kept, then on again."""
    response = await _pause(hass, duration={"hours": 10})

    until = dt_util.utcnow() + timedelta(hours=10)
    assert _moment(response["until"]) == until
    assert not _master_on(cloud)
    assert _state(hass, "switch", "schedules") == STATE_OFF
    assert _moment(_state(hass, "sensor", "paused_until")) == until
    # The next scheduled mist is the first after the pause (the device's
    # time is Los Angeles'): today's 19:00 falls within it, Thursday's 07:30
    # comes next.
    next_mist = _moment(_state(hass, "sensor", "next_mist"))
    assert next_mist == datetime.fromisoformat("2026-07-02T07:30:00-07:00")
    await hass.async_block_till_done()
    stored = hass_storage[STORE_KEY]["data"]["pauses"]
    assert _moment(stored[PATIO_ID]["until"]) == until

    await advance(hass, freezer, timedelta(hours=9))
    assert not _master_on(cloud)

    await advance(hass, freezer, timedelta(hours=1))
    assert _master_on(cloud)
    assert _state(hass, "switch", "schedules") == STATE_ON
    assert _state(hass, "sensor", "paused_until") == STATE_UNKNOWN
    assert hass_storage[STORE_KEY]["data"]["pauses"] == {}


async def test_pause_until_a_moment_in_home_assistants_time(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """An end without a zone is Home Assistant's local time, as the picker means it."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    response = await _pause(hass, until="2026-07-02 08:00:00")

    expected = datetime.fromisoformat("2026-07-02T06:00:00+00:00")
    assert _moment(response["until"]) == expected
    assert _moment(_state(hass, "sensor", "paused_until")) == expected
    assert not _master_on(cloud)


async def test_a_mist_by_hand_still_runs_during_a_pause(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The pause holds the schedules, not the user."""
    await _pause(hass, duration={"hours": 5})
    await hass.services.async_call(
        DOMAIN, "mist", {ATTR_DEVICE_ID: _device(hass), "duration": 30}, blocking=True
    )
    assert cloud.sim.is_spraying(PATIO_ID)
    assert _state(hass, "switch", "spray") == STATE_ON
    assert not _master_on(cloud)


async def test_pausing_again_moves_the_end_without_a_write(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A second pause of a paused device changes its end: no request switches."""
    await _pause(hass, duration={"hours": 1})
    await _pause(hass, duration={"hours": 3})
    assert cloud.sim.request_counts.get(SWITCH_OFF_ROUTE) == 1

    await advance(hass, freezer, timedelta(hours=2))
    assert not _master_on(cloud)
    assert SWITCH_ON_ROUTE not in cloud.sim.request_counts
    await advance(hass, freezer, timedelta(hours=1))
    assert _master_on(cloud)
    assert cloud.sim.request_counts.get(SWITCH_ON_ROUTE) == 1


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "pause_not_timed"),
        ({"duration": {"hours": 1}, "until": "2026-07-02 08:00:00"}, "pause_not_timed"),
        ({"until": "2026-07-01 17:00:00+00:00"}, "pause_in_past"),
        ({"duration": {"seconds": 0}}, "pause_in_past"),
        ({"duration": {"days": 14, "minutes": 1}}, "pause_too_long"),
        ({"until": "2026-07-16 18:01:00+00:00"}, "pause_too_long"),
    ],
)
async def test_untimed_past_or_long_pauses_are_refused_in_words(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Nothing is sent; the error says what is wrong."""
    with pytest.raises(ServiceValidationError) as err:
        await _pause(hass, **data)
    assert err.value.translation_key == key
    assert _master_on(cloud)
    assert SWITCH_OFF_ROUTE not in cloud.sim.request_counts


async def test_fourteen_days_is_the_longest_pause(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Exactly the maximum is taken."""
    response = await _pause(hass, duration={"days": 14})
    assert _moment(response["until"]) == dt_util.utcnow() + timedelta(days=14)


async def test_schedules_off_already_are_not_paused(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Resuming them at the end would switch on what the user turned off."""
    cloud.sim.set_schedule_switch(PATIO_ID, on=False)
    await _read_schedules(hass)
    with pytest.raises(ServiceValidationError) as err:
        await _pause(hass, duration={"hours": 1})
    assert err.value.translation_key == "schedules_already_off"
    assert err.value.translation_placeholders == {"device": "Patio"}


async def test_resume_without_a_pause_is_refused(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Resume ends a pause; it is not another Schedules switch."""
    with pytest.raises(ServiceValidationError) as err:
        await _resume(hass)
    assert err.value.translation_key == "not_paused"
    assert SWITCH_ON_ROUTE not in cloud.sim.request_counts


async def test_a_pause_of_an_offline_device_is_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """The master switch cannot be written: the translated error, nothing kept."""
    cloud.sim.set_online(PATIO_ID, False)
    await advance(hass, freezer, timedelta(seconds=30))
    with pytest.raises(HomeAssistantError) as err:
        await _pause(hass, duration={"hours": 1})
    assert err.value.translation_key == "device_offline"
    await hass.async_block_till_done()
    assert STORE_KEY not in hass_storage
    assert init_integration.runtime_data.pauses.until(PATIO_ID) is None


async def _resume_by_hand(hass: HomeAssistant, cloud: Cloud) -> None:
    await _resume(hass)


async def _switch_on_in_home_assistant(hass: HomeAssistant, cloud: Cloud) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON,
        {ATTR_ENTITY_ID: entity_id_of(hass, "switch", PATIO_ID, "schedules")},
        blocking=True,
    )


async def _switch_on_in_the_app(hass: HomeAssistant, cloud: Cloud) -> None:
    # Seen at the next read of the schedules.
    cloud.sim.set_schedule_switch(PATIO_ID, on=True)
    await _read_schedules(hass)


@pytest.mark.parametrize(
    ("end_pause", "writes"),
    [
        (_resume_by_hand, 1),
        (_switch_on_in_home_assistant, 1),
        # The app wrote it: nothing to send.
        (_switch_on_in_the_app, 0),
    ],
)
async def test_a_pause_ended_early_leaves_no_timer(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
    end_pause: Callable[[HomeAssistant, Cloud], Awaitable[None]],
    writes: int,
) -> None:
    """Ended early, then switched off in the app: the old end changes nothing."""
    await _pause(hass, duration={"hours": 1})
    await end_pause(hass, cloud)
    assert _master_on(cloud)
    assert _state(hass, "switch", "schedules") == STATE_ON
    assert _state(hass, "sensor", "paused_until") == STATE_UNKNOWN
    assert hass_storage[STORE_KEY]["data"]["pauses"] == {}

    cloud.sim.set_schedule_switch(PATIO_ID, on=False)
    await advance(hass, freezer, timedelta(hours=2))
    assert not _master_on(cloud)
    assert cloud.sim.request_counts.get(SWITCH_ON_ROUTE, 0) == writes


async def test_a_pause_is_kept_across_a_reload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Reloaded mid-pause: the same end is shown and the schedules resume on time."""
    response = await _pause(hass, duration={"hours": 2})
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    assert _state(hass, "sensor", "paused_until") == response["until"]
    await advance(hass, freezer, timedelta(hours=2))
    assert _master_on(cloud)
    assert _state(hass, "sensor", "paused_until") == STATE_UNKNOWN


async def test_a_pause_that_ended_while_home_assistant_was_off_resumes_at_start(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Stopped during the pause, started after its end: schedules on at start."""
    await _pause(hass, duration={"hours": 1})
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    freezer.tick(timedelta(hours=3))
    assert not _master_on(cloud)
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _master_on(cloud)
    assert _state(hass, "switch", "schedules") == STATE_ON
    assert _state(hass, "sensor", "paused_until") == STATE_UNKNOWN


async def test_removing_the_entry_forgets_its_pauses(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """No timer is left and no stored end resurfaces: nothing resumes later."""
    await _pause(hass, duration={"hours": 1})
    await hass.async_block_till_done()
    assert STORE_KEY in hass_storage

    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert STORE_KEY not in hass_storage

    await advance(hass, freezer, timedelta(hours=2))
    assert not _master_on(cloud)
    assert SWITCH_ON_ROUTE not in cloud.sim.request_counts


async def test_a_refused_resume_is_tried_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The cloud fails at the pause's end: a warning, and again a while later."""
    await _pause(hass, duration={"hours": 1})
    cloud.sim.faults = FaultConfig(error_rate=1.0)
    with caplog.at_level(logging.WARNING):
        await advance(hass, freezer, timedelta(hours=1))
    assert not _master_on(cloud)
    assert "Could not resume the schedules of" in caplog.text
    assert _state(hass, "sensor", "paused_until") != STATE_UNKNOWN

    cloud.sim.reset_faults()
    await advance(hass, freezer, RESUME_RETRY_INTERVAL)
    assert _master_on(cloud)
    assert _state(hass, "sensor", "paused_until") == STATE_UNKNOWN


async def test_a_device_gone_from_the_account_loses_its_pause(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Removed in the app: its pause is forgotten, the other device's data stays."""
    await _pause(hass, duration={"hours": 1})
    cloud.sim.remove_device(PATIO_ID)
    await advance(hass, freezer, timedelta(seconds=30))
    assert hass_storage[STORE_KEY]["data"]["pauses"] == {}
    assert entity_id_of(hass, "switch", GARDEN_ID, "schedules")


@pytest.mark.parametrize(
    "stored",
    [
        {"pauses": {PATIO_ID: {"until": "soon", "since": "2026-07-01T17:00:00"}}},
        {"pauses": {PATIO_ID: {"until": "2026-07-01T20:00:00"}}},
        {"pauses": {PATIO_ID: "2026-07-01T20:00:00+00:00"}},
        {"pauses": ["odd"]},
        ["odd"],
    ],
)
async def test_unreadable_stored_pauses_are_dropped(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    stored: Any,
) -> None:
    """Whatever the storage holds, setup works and nothing is resumed."""
    hass_storage[STORE_KEY] = {"version": 1, "key": STORE_KEY, "data": stored}
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, "sensor", "paused_until") == STATE_UNKNOWN
    assert SWITCH_ON_ROUTE not in cloud.sim.request_counts


async def test_the_calendar_holds_the_runs_a_pause_covers(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Tonight's run falls within the pause: the calendar begins after it."""
    calendar = entity_id_of(hass, "calendar", PATIO_ID, "schedule")
    await _pause(hass, duration={"hours": 10})
    now = dt_util.utcnow()
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            ATTR_ENTITY_ID: calendar,
            "start_date_time": now,
            "end_date_time": now + timedelta(days=2),
        },
        blocking=True,
        return_response=True,
    )
    assert response is not None
    events: Any = response[calendar]
    starts = [_moment(event["start"]) for event in events["events"]]
    thursday = datetime.fromisoformat("2026-07-02T07:30:00-07:00")
    assert starts[0] == thursday
    assert len(starts) == 3  # Thursday 07:30 and 19:00, Friday 07:30
    state = hass.states.get(calendar)
    assert state is not None
    assert _moment(state.attributes["start_time"] + "-07:00") == thursday


async def test_a_run_skipped_within_the_pause_leaves_the_next_one_after_it(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The cloud's skip is of the run now next (in the pause), not of the first after.

    The Garden mists daily at 12:00 (its time, an hour ahead); today's run is
    skipped, and the pause holds it anyway: tomorrow's comes next, in the
    sensor and the calendar alike.
    """
    schedule = cloud.sim.add_schedule(
        GARDEN_ID, hour=12, minute=0, duration=30, repeat_set="0,1,2,3,4,5,6"
    )
    cloud.sim.skip_schedule(GARDEN_ID, schedule.schedule_id)
    await _read_schedules(hass)
    await _pause(hass, device_id=_device(hass, GARDEN_ID), duration={"hours": 2})

    tomorrow = datetime.fromisoformat("2026-07-02T12:00:00-07:00")
    next_mist = hass.states.get(entity_id_of(hass, "sensor", GARDEN_ID, "next_mist"))
    assert next_mist is not None
    assert _moment(next_mist.state) == tomorrow
    calendar = hass.states.get(entity_id_of(hass, "calendar", GARDEN_ID, "schedule"))
    assert calendar is not None
    assert _moment(calendar.attributes["start_time"] + "-07:00") == tomorrow
