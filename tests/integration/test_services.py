"""The moogo.mist, moogo.add_schedule and moogo.remove_schedule actions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_DEVICE_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.moogo.const import (
    DOMAIN,
    MAX_SCHEDULES,
    MIST_DURATIONS,
    MIST_SECONDS_MAX,
    MIST_SECONDS_MIN,
    MIST_SECONDS_STEP,
    UPDATE_INTERVAL,
)
from tests.common import GARDEN_ID, PATIO_ID, Cloud, advance, entity_id_of


def _device(hass: HomeAssistant, entry: MockConfigEntry, moogo_id: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, moogo_id), entry.entry_id
    )
    assert device is not None
    return device.id


async def test_mist_starts_and_stops_after_duration(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A 20 s mist starts now and HA stops it 20 s later, shorter than the default."""
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    await hass.services.async_call(
        DOMAIN,
        "mist",
        {ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID), "duration": 20},
        blocking=True,
    )
    assert cloud.sim.is_spraying(PATIO_ID)
    assert hass.states.get(spray).state == STATE_ON

    await advance(hass, freezer, timedelta(seconds=10))
    assert cloud.sim.is_spraying(PATIO_ID)

    await advance(hass, freezer, timedelta(seconds=10))
    assert not cloud.sim.is_spraying(PATIO_ID)
    assert hass.states.get(spray).state == STATE_OFF
    # The device recorded a 20 s spray, not its 60 s default.
    await advance(hass, freezer, timedelta(seconds=30))
    duration = entity_id_of(hass, "sensor", PATIO_ID, "last_mist_duration")
    assert float(hass.states.get(duration).state) == pytest.approx(20, abs=2)


async def test_a_later_mist_outlives_an_earlier_timed_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """An 80 s mist stopped by hand, then a normal one: the 80 s stop never comes."""
    spray = entity_id_of(hass, "switch", GARDEN_ID, "spray")
    await hass.services.async_call(
        DOMAIN,
        "mist",
        {ATTR_DEVICE_ID: _device(hass, init_integration, GARDEN_ID), "duration": 80},
        blocking=True,
    )
    await advance(hass, freezer, timedelta(seconds=10))
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": spray}, blocking=True
    )
    await advance(hass, freezer, timedelta(seconds=10))
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": spray}, blocking=True
    )
    cloud.sim.reset_counts()

    # 85 s after the timed mist began; the Garden's default mist is 90 s.
    await advance(hass, freezer, timedelta(seconds=65))

    assert cloud.sim.is_spraying(GARDEN_ID)
    assert "POST /v1/devices/{device_id}/stop" not in cloud.sim.request_counts


async def test_mist_longer_than_default_is_refused(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The device's default duration bounds a mist; a longer one is a validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "mist",
            {ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID), "duration": 61},
            blocking=True,
        )
    assert err.value.translation_key == "duration_too_long"
    assert not cloud.sim.is_spraying(PATIO_ID)


async def test_mist_on_offline_device_raises(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """An offline device turns into a translated error for the automation."""
    cloud.sim.set_online(GARDEN_ID, False)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "mist",
            {
                ATTR_DEVICE_ID: _device(hass, init_integration, GARDEN_ID),
                "duration": 20,
            },
            blocking=True,
        )
    assert err.value.translation_key == "device_offline"


async def test_mist_on_unknown_device_is_validation_error(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A device id that is not a Moogo device is refused before any request."""
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={("other", "x")}
    )
    for device_id in ("not-a-device", other.id):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN,
                "mist",
                {ATTR_DEVICE_ID: device_id, "duration": 20},
                blocking=True,
            )
        assert err.value.translation_key == "invalid_device"


async def test_action_on_unloaded_entry_is_validation_error(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Actions refuse devices whose account is not loaded."""
    device_id = _device(hass, init_integration, PATIO_ID)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "mist", {ATTR_DEVICE_ID: device_id, "duration": 20}, blocking=True
        )
    assert err.value.translation_key == "device_not_loaded"


async def test_add_and_remove_schedule(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """add_schedule creates it (returning its id); remove_schedule deletes it."""
    device_id = _device(hass, init_integration, GARDEN_ID)
    enabled = entity_id_of(hass, "sensor", GARDEN_ID, "enabled_schedules")
    assert hass.states.get(enabled).state == "0"

    response = await hass.services.async_call(
        DOMAIN,
        "add_schedule",
        {
            ATTR_DEVICE_ID: device_id,
            "time": "19:45:00",
            "duration": 45,
            "weekdays": ["sat", "sun"],
        },
        blocking=True,
        return_response=True,
    )
    assert response is not None
    schedule_id = response["schedule_id"]
    created = next(
        s for s in cloud.sim.device(GARDEN_ID).schedules if s.schedule_id == schedule_id
    )
    assert (created.hour, created.minute, created.duration) == (19, 45, 45)
    assert created.repeat_set == "0,6"
    assert created.status == 1
    assert hass.states.get(enabled).state == "1"
    listed = hass.states.get(enabled).attributes["schedules"]
    assert {
        "id": schedule_id,
        "time": "19:45",
        "duration": 45,
        "skip_next": False,
        # The action's own day names, in the cloud's order (Sunday first).
        "weekdays": ["sun", "sat"],
        "enabled": True,
    } in listed

    # Picked by its time, as the user sees it; no id to look up.
    await hass.services.async_call(
        DOMAIN,
        "remove_schedule",
        {ATTR_DEVICE_ID: device_id, "time": "19:45"},
        blocking=True,
    )
    assert all(
        s.schedule_id != schedule_id for s in cloud.sim.device(GARDEN_ID).schedules
    )
    assert hass.states.get(enabled).state == "0"


async def test_remove_schedule_by_id_still_works(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The id add_schedule returned removes exactly that schedule."""
    victim = cloud.sim.device(PATIO_ID).schedules[0]
    await hass.services.async_call(
        DOMAIN,
        "remove_schedule",
        {
            ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID),
            "schedule_id": victim.schedule_id,
        },
        blocking=True,
    )
    remaining = [s.schedule_id for s in cloud.sim.device(PATIO_ID).schedules]
    assert victim.schedule_id not in remaining
    assert len(remaining) == 1


async def test_remove_schedule_sharing_a_time_is_picked_by_weekdays(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Two schedules at 07:30: the time alone is refused, time and days pick one."""
    device_id = _device(hass, init_integration, PATIO_ID)
    await hass.services.async_call(
        DOMAIN,
        "add_schedule",
        {
            ATTR_DEVICE_ID: device_id,
            "time": "07:30",
            "duration": 30,
            "weekdays": ["sat", "sun"],
        },
        blocking=True,
    )
    cloud.sim.reset_counts()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "remove_schedule",
            {ATTR_DEVICE_ID: device_id, "time": "07:30"},
            blocking=True,
        )
    assert err.value.translation_key == "ambiguous_schedule"
    assert err.value.translation_placeholders == {"time": "07:30", "count": "2"}
    assert cloud.sim.request_counts == {}

    await hass.services.async_call(
        DOMAIN,
        "remove_schedule",
        {ATTR_DEVICE_ID: device_id, "time": "07:30", "weekdays": ["sun", "sat"]},
        blocking=True,
    )
    left = [
        (s.hour, s.minute, s.repeat_set) for s in cloud.sim.device(PATIO_ID).schedules
    ]
    assert sorted(left) == [(7, 30, "1,2,3,4,5"), (19, 0, "0,1,2,3,4,5,6")]


async def test_schedule_times_with_seconds_are_refused(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Schedules run on whole minutes: seconds are refused, not silently dropped."""
    device_id = _device(hass, init_integration, PATIO_ID)
    before = len(cloud.sim.device(PATIO_ID).schedules)
    for action, data in (
        ("add_schedule", {"time": "19:45:30", "duration": 45}),
        ("remove_schedule", {"time": "07:30:15"}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN, action, {ATTR_DEVICE_ID: device_id, **data}, blocking=True
            )
        assert err.value.translation_key == "time_has_seconds"
    assert len(cloud.sim.device(PATIO_ID).schedules) == before


async def test_actions_on_a_device_known_offline_send_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Once a refresh saw the device offline, actions fail at once, unsent."""
    device_id = _device(hass, init_integration, PATIO_ID)
    cloud.sim.set_online(PATIO_ID, False)
    await advance(hass, freezer, UPDATE_INTERVAL)
    cloud.sim.reset_counts()
    for action, data in (
        ("mist", {"duration": 20}),
        ("add_schedule", {"time": "06:00", "duration": 30}),
        ("remove_schedule", {"time": "07:30"}),
    ):
        with pytest.raises(HomeAssistantError) as err:
            await hass.services.async_call(
                DOMAIN, action, {ATTR_DEVICE_ID: device_id, **data}, blocking=True
            )
        assert err.value.translation_domain == DOMAIN
        assert err.value.translation_key == "device_offline"
    assert cloud.sim.request_counts == {}
    assert not cloud.sim.is_spraying(PATIO_ID)


async def test_removing_a_schedule_of_a_device_offline_since_setup_says_offline(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """Its schedules were never read: "offline", not "no schedule at 07:30"."""
    cloud.sim.set_online(PATIO_ID, False)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    cloud.sim.reset_counts()
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "remove_schedule",
            {ATTR_DEVICE_ID: _device(hass, config_entry, PATIO_ID), "time": "07:30"},
            blocking=True,
        )
    assert err.value.translation_key == "device_offline"
    assert cloud.sim.request_counts == {}
    assert len(cloud.sim.device(PATIO_ID).schedules) == 2


async def test_remove_schedule_without_time_or_id_says_what_to_give(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "remove_schedule",
            {ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID)},
            blocking=True,
        )
    assert err.value.translation_key == "schedule_not_named"
    assert "its time" in str(err.value)
    assert len(cloud.sim.device(PATIO_ID).schedules) == 2


async def test_remove_unknown_schedule_is_validation_error(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Removing a schedule the device does not have is refused."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "remove_schedule",
            {
                ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID),
                "schedule_id": "nope",
            },
            blocking=True,
        )
    assert err.value.translation_key == "unknown_schedule"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "remove_schedule",
            {
                ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID),
                "time": "07:30",
                "weekdays": ["sat"],
            },
            blocking=True,
        )
    assert err.value.translation_key == "no_schedule_at"
    assert len(cloud.sim.device(PATIO_ID).schedules) == 2


async def test_add_schedule_finds_the_id_the_cloud_did_not_echo(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A create answered with null data still returns the new schedule's id."""
    cloud.sim.faults.update(
        {"null_data": True, "paths": ["/schedules"], "methods": ["POST"]}
    )
    before = {s.schedule_id for s in cloud.sim.device(PATIO_ID).schedules}

    response = await hass.services.async_call(
        DOMAIN,
        "add_schedule",
        {
            ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID),
            "time": "06:10:00",
            "duration": 20,
            "weekdays": ["mon"],
        },
        blocking=True,
        return_response=True,
    )

    (created,) = [
        s for s in cloud.sim.device(PATIO_ID).schedules if s.schedule_id not in before
    ]
    assert response == {"schedule_id": created.schedule_id}


async def test_add_schedule_failure_raises_translated_error(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A cloud failure while adding a schedule is raised, translated."""
    cloud.sim.faults.update({"http_status": 502, "paths": ["/schedules"]})
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "add_schedule",
            {
                ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID),
                "time": "06:00",
                "duration": 30,
            },
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "communication_error"


async def test_second_mist_replaces_the_first_timer(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A new mist while one runs restarts the countdown instead of stopping early."""
    device_id = _device(hass, init_integration, PATIO_ID)
    for duration in (20, 30):
        await hass.services.async_call(
            DOMAIN,
            "mist",
            {ATTR_DEVICE_ID: device_id, "duration": duration},
            blocking=True,
        )
    await advance(hass, freezer, timedelta(seconds=24))
    assert cloud.sim.is_spraying(PATIO_ID)
    await advance(hass, freezer, timedelta(seconds=5))
    assert not cloud.sim.is_spraying(PATIO_ID)


async def test_failed_timed_stop_is_logged_not_raised(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Nobody awaits the timed stop: a failure is a warning, the device's default ends it."""
    await hass.services.async_call(
        DOMAIN,
        "mist",
        {ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID), "duration": 20},
        blocking=True,
    )
    cloud.sim.faults.update({"http_status": 503, "paths": ["/stop"]})
    await advance(hass, freezer, timedelta(seconds=20))
    assert "Could not stop the timed mist" in caplog.text
    assert cloud.sim.is_spraying(PATIO_ID)
    cloud.sim.reset_faults()
    await advance(hass, freezer, timedelta(seconds=60))
    assert not cloud.sim.is_spraying(PATIO_ID)


async def test_unload_cancels_pending_timers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Unloading leaves no timer behind (the device's default stops the spray)."""
    await hass.services.async_call(
        DOMAIN,
        "mist",
        {ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID), "duration": 30},
        blocking=True,
    )
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    cloud.sim.reset_counts()
    await advance(hass, freezer, timedelta(seconds=40))
    assert cloud.sim.request_counts == {}


@pytest.mark.parametrize("action", ["mist", "add_schedule"])
@pytest.mark.parametrize("duration", [MIST_SECONDS_MIN - 1, MIST_SECONDS_MAX + 1])
async def test_durations_outside_the_apps_range_are_refused(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    action: str,
    duration: int,
) -> None:
    """No mist is shorter than 20 s or longer than 2 minutes; nothing is sent."""
    cloud.sim.reset_counts()
    with pytest.raises(vol.Invalid, match="duration"):
        await hass.services.async_call(
            DOMAIN,
            action,
            {
                ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID),
                "time": "06:00",
                "duration": duration,
            }
            if action == "add_schedule"
            else {
                ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID),
                "duration": duration,
            },
            blocking=True,
        )
    assert list(cloud.sim.request_log) == []
    assert not cloud.sim.is_spraying(PATIO_ID)


async def test_a_schedule_between_the_apps_durations_is_refused(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """25 s is in range but not a duration the app offers: refused, unsent."""
    cloud.sim.reset_counts()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "add_schedule",
            {
                ATTR_DEVICE_ID: _device(hass, init_integration, PATIO_ID),
                "time": "06:00",
                "duration": 25,
            },
            blocking=True,
        )
    assert err.value.translation_key == "duration_not_offered"
    assert err.value.translation_placeholders == {
        "duration": "25",
        "durations": ", ".join(str(seconds) for seconds in MIST_DURATIONS),
        "minimum": "20",
        "maximum": "120",
    }
    assert list(cloud.sim.request_log) == []
    assert len(cloud.sim.device(PATIO_ID).schedules) == 2


async def test_a_21st_schedule_is_refused_from_the_action(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """The 20th schedule is added; the 21st is refused before any request."""
    for minute in range(MAX_SCHEDULES - 1 - len(cloud.sim.device(PATIO_ID).schedules)):
        cloud.sim.add_schedule(PATIO_ID, hour=5, minute=minute, duration=30)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    device_id = _device(hass, config_entry, PATIO_ID)
    call = {ATTR_DEVICE_ID: device_id, "time": "06:00", "duration": 60}

    await hass.services.async_call(DOMAIN, "add_schedule", call, blocking=True)
    assert len(cloud.sim.device(PATIO_ID).schedules) == MAX_SCHEDULES

    cloud.sim.reset_counts()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "add_schedule", {**call, "time": "06:01"}, blocking=True
        )
    assert err.value.translation_key == "too_many_schedules"
    assert err.value.translation_placeholders == {"maximum": "20"}
    assert list(cloud.sim.request_log) == []
    assert len(cloud.sim.device(PATIO_ID).schedules) == MAX_SCHEDULES


def test_the_action_forms_offer_the_apps_range() -> None:
    """services.yaml cannot import const.py: its selectors are checked against it."""
    actions = yaml.safe_load(
        (Path(__file__).parents[2] / "custom_components/moogo/services.yaml").read_text(
            encoding="utf-8"
        )
    )
    mist = actions["mist"]["fields"]["duration"]["selector"]["number"]
    schedule = actions["add_schedule"]["fields"]["duration"]["selector"]["number"]
    assert (mist["min"], mist["max"]) == (MIST_SECONDS_MIN, MIST_SECONDS_MAX)
    assert (schedule["min"], schedule["max"], schedule["step"]) == (
        MIST_SECONDS_MIN,
        MIST_SECONDS_MAX,
        MIST_SECONDS_STEP,
    )
