"""Entity commands change the simulated device; failures raise translated errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.entity_platform import async_get_platforms
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import (
    COMMAND_CONFIRM_DELAY,
    COMMAND_PENDING_TIMEOUT,
    DOMAIN,
    UPDATE_INTERVAL,
)
from tests.common import (
    EMAIL,
    FROZEN_NOW,
    GARDEN_ID,
    PATIO_ID,
    Cloud,
    advance,
    entity_id_of,
)


async def _call(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: object
) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


async def test_spray_switch_turns_at_once_and_is_confirmed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """The switch shows the command at once; a later poll confirms it."""
    cloud.sim.reaction_delay = 3
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    cloud.sim.reset_counts()

    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, spray)

    # Returned after exactly one request: no waiting for the pump.
    assert cloud.sim.request_counts == {"POST /v1/devices/{device_id}/start": 1}
    assert hass.states.get(spray).state == STATE_ON
    assert not cloud.sim.is_spraying(PATIO_ID)

    # A poll before the pump reacts must not flip the switch back.
    await advance(hass, freezer, timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(spray).state == STATE_ON

    await advance(hass, freezer, COMMAND_CONFIRM_DELAY)
    assert cloud.sim.is_spraying(PATIO_ID)
    # Confirmed by reading the commanded device alone, not by a whole refresh.
    assert cloud.sim.request_counts == {
        "POST /v1/devices/{device_id}/start": 1,
        "GET /v1/devices/{device_id}": 1,
    }
    assert PATIO_ID not in init_integration.runtime_data.commands._pending
    assert hass.states.get(spray).state == STATE_ON

    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, spray)
    assert hass.states.get(spray).state == STATE_OFF
    await advance(hass, freezer, COMMAND_CONFIRM_DELAY)
    assert not cloud.sim.is_spraying(PATIO_ID)
    assert hass.states.get(spray).state == STATE_OFF


async def test_unconfirmed_command_gives_way_to_the_cloud(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """If the pump never follows, the cloud's state wins after the pending timeout."""
    cloud.sim.reaction_delay = 3600
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")

    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, spray)
    await advance(hass, freezer, COMMAND_CONFIRM_DELAY)
    assert hass.states.get(spray).state == STATE_ON

    await advance(hass, freezer, COMMAND_PENDING_TIMEOUT)
    await advance(hass, freezer, timedelta(seconds=30))
    assert hass.states.get(spray).state == STATE_OFF


async def test_skip_next_button_skips_the_upcoming_schedule(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
) -> None:
    """Skip marks the next schedule and the next-mist sensor moves on."""
    freezer.move_to(FROZEN_NOW)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    next_mist = entity_id_of(hass, "sensor", PATIO_ID, "next_mist")
    assert hass.states.get(next_mist).state == "2026-07-02T02:00:00+00:00"

    await _call(
        hass,
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        entity_id_of(hass, "button", PATIO_ID, "skip_next_mist"),
    )

    evening = next(s for s in cloud.sim.device(PATIO_ID).schedules if s.hour == 19)
    assert evening.skip_count == 1
    # Thursday 07:30 PDT comes next.
    assert hass.states.get(next_mist).state == "2026-07-02T14:30:00+00:00"


async def test_skip_without_enabled_schedule_is_a_validation_error(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Garden's only schedule is disabled: nothing to skip."""
    button = entity_id_of(hass, "button", GARDEN_ID, "skip_next_mist")
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, BUTTON_DOMAIN, SERVICE_PRESS, button)
    assert err.value.translation_key == "no_upcoming_schedule"


async def test_schedules_switch_is_the_master_switch(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The schedules switch flips the device's master switch, no schedule's own."""
    switch = entity_id_of(hass, "switch", PATIO_ID, "schedules")
    enabled = entity_id_of(hass, "sensor", PATIO_ID, "enabled_schedules")
    next_mist = entity_id_of(hass, "sensor", PATIO_ID, "next_mist")
    assert hass.states.get(switch).state == STATE_ON

    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, switch)
    device = cloud.sim.device(PATIO_ID)
    assert device.schedule_switch_status == 0
    assert all(s.status == 1 for s in device.schedules)
    assert hass.states.get(switch).state == STATE_OFF
    assert hass.states.get(enabled).state == "2"
    assert hass.states.get(next_mist).state == STATE_UNKNOWN

    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, switch)
    assert cloud.sim.device(PATIO_ID).schedule_switch_status == 1
    assert hass.states.get(switch).state == STATE_ON
    assert hass.states.get(next_mist).state != STATE_UNKNOWN


@pytest.mark.parametrize(
    ("key", "attribute"),
    [
        ("pause_in_rain", "stop_rainy"),
        ("pause_in_snow", "stop_snow"),
        ("pause_in_windstorm", "stop_windstorm"),
    ],
)
async def test_weather_pause_switches_write_the_config(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    key: str,
    attribute: str,
) -> None:
    """Each weather switch writes its field of the device configuration."""
    switch = entity_id_of(hass, "switch", PATIO_ID, key)
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, switch)
    # The app's model: flags are 0/1 integers.
    assert getattr(cloud.sim.device(PATIO_ID), attribute) == 1
    assert hass.states.get(switch).state == STATE_ON

    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, switch)
    assert getattr(cloud.sim.device(PATIO_ID), attribute) == 0
    assert hass.states.get(switch).state == STATE_OFF


@pytest.mark.parametrize(
    ("key", "value", "attribute", "expected"),
    [
        ("mist_duration", 120, "spraying_seconds", 120),
        ("stop_temperature", 12.5, "stop_temperature", 12.5),
    ],
)
async def test_numbers_write_the_config(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    key: str,
    value: float,
    attribute: str,
    expected: float,
) -> None:
    """Numbers write the device configuration and show the stored value."""
    number = entity_id_of(hass, "number", PATIO_ID, key)
    await _call(hass, NUMBER_DOMAIN, SERVICE_SET_VALUE, number, **{ATTR_VALUE: value})
    assert getattr(cloud.sim.device(PATIO_ID), attribute) == expected
    assert float(hass.states.get(number).state) == float(expected)


async def test_an_edit_rereads_only_that_device(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """An edit costs a fresh read and its write; the write's answer is shown."""
    number = entity_id_of(hass, "number", PATIO_ID, "mist_duration")
    cloud.sim.reset_counts()
    await _call(hass, NUMBER_DOMAIN, SERVICE_SET_VALUE, number, **{ATTR_VALUE: 90})
    await hass.async_block_till_done()
    counts = cloud.sim.request_counts
    assert "GET /v1/devices" not in counts
    assert "GET /v1/devices/{device_id}" not in counts
    assert counts["GET /v1/devices/{device_id}/configs"] == 1
    assert counts["PUT /v1/devices/{device_id}/configs"] == 1
    assert sum(counts.values()) == 2
    assert float(hass.states.get(number).state) == 90


async def test_command_to_offline_device_raises_translated_error(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Code 10201 becomes a translated HomeAssistantError, not a log line."""
    cloud.sim.set_online(PATIO_ID, False)
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, spray)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "device_offline"
    assert not cloud.sim.is_spraying(PATIO_ID)


def _entity(hass: HomeAssistant, entity_id: str) -> Any:
    """The entity object behind an entity id, as HA's service layer holds it."""
    return next(
        platform.entities[entity_id]
        for platform in async_get_platforms(hass, DOMAIN)
        if entity_id in platform.entities
    )


async def test_command_to_a_device_known_offline_sends_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Once a refresh saw the device offline, commands fail at once, unsent."""
    cloud.sim.set_online(PATIO_ID, False)
    await advance(hass, freezer, UPDATE_INTERVAL)
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    assert hass.states.get(spray).state == STATE_UNAVAILABLE
    cloud.sim.reset_counts()

    # HA's service layer itself skips unavailable entities...
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, spray)
    # ...and a command reaching an entity anyway (a stale UI) is not sent.
    commands = [
        _entity(hass, spray).async_turn_on(),
        _entity(
            hass, entity_id_of(hass, "switch", PATIO_ID, "pause_in_rain")
        ).async_turn_off(),
        _entity(
            hass, entity_id_of(hass, "button", PATIO_ID, "skip_next_mist")
        ).async_press(),
        _entity(
            hass, entity_id_of(hass, "number", PATIO_ID, "mist_duration")
        ).async_set_native_value(30),
    ]
    for command in commands:
        with pytest.raises(HomeAssistantError) as err:
            await command
        assert err.value.translation_domain == DOMAIN
        assert err.value.translation_key == "device_offline"
    assert cloud.sim.request_counts == {}
    assert not cloud.sim.is_spraying(PATIO_ID)


@pytest.mark.parametrize(
    ("fault", "translation_key"),
    [
        ({"http_status": 503}, "communication_error"),
        ({"drop_connection": True}, "communication_error"),
        ({"truncated_json": True}, "unknown_error"),
    ],
)
async def test_command_failures_raise_translated_errors(
    hass: HomeAssistant,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    fault: dict[str, object],
    translation_key: str,
) -> None:
    """Connection and response faults surface to the caller, translated."""
    cloud.sim.faults.update({**fault, "paths": ["/start"]})
    switch = entity_id_of(hass, "switch", PATIO_ID, "spray")
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, switch)
    assert err.value.translation_key == translation_key
    assert hass.states.get(switch).state == STATE_OFF


async def test_command_auth_failure_starts_reauth(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A token rejected and a failed re-login raise and open a reauth flow."""
    cloud.sim.change_password(EMAIL, "changed-elsewhere")
    switch = entity_id_of(hass, "switch", PATIO_ID, "spray")
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, switch)
    assert err.value.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_confirmation_reads_the_device_until_it_reacts(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A slow pump is read again every second; a failed read is simply retried."""
    cloud.sim.reaction_delay = 4.5
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, spray)
    cloud.sim.reset_counts()
    cloud.sim.faults.update({"http_status": 503, "paths": [f"/v1/devices/{PATIO_ID}"]})

    # 3 s: the read fails (503); 4 s: the pump has not reacted yet.
    await advance(hass, freezer, COMMAND_CONFIRM_DELAY - timedelta(seconds=1))
    cloud.sim.reset_faults()
    await advance(hass, freezer, timedelta(seconds=0))
    assert hass.states.get(spray).state == STATE_ON
    assert PATIO_ID in init_integration.runtime_data.commands._pending

    # 5 s: the pump runs; confirmed, and nothing but this device was read.
    await advance(hass, freezer, timedelta(seconds=0))
    assert cloud.sim.is_spraying(PATIO_ID)
    assert PATIO_ID not in init_integration.runtime_data.commands._pending
    assert hass.states.get(spray).state == STATE_ON
    assert set(cloud.sim.request_counts) == {"GET /v1/devices/{device_id}"}
    assert cloud.sim.request_counts["GET /v1/devices/{device_id}"] == 3


async def test_garbled_answer_to_a_start_is_checked_on_the_device(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """The cloud started the pump but its answer was cut: HA reads the truth."""
    cloud.sim.faults.update({"truncated_json": True, "paths": ["/start"]})
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    cloud.sim.reset_counts()

    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, spray)
    assert err.value.translation_key == "unknown_error"
    assert cloud.sim.is_spraying(PATIO_ID)
    assert hass.states.get(spray).state == STATE_OFF

    await advance(hass, freezer, COMMAND_CONFIRM_DELAY)

    assert hass.states.get(spray).state == STATE_ON
    # One read of that device, not a refresh of the account.
    assert cloud.sim.request_counts == {
        "POST /v1/devices/{device_id}/start": 1,
        "GET /v1/devices/{device_id}": 1,
    }


async def test_refused_command_is_not_rechecked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A clear refusal (device offline) leaves nothing to find out."""
    cloud.sim.set_online(PATIO_ID, False)
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    cloud.sim.reset_counts()

    with pytest.raises(HomeAssistantError):
        await _call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, spray)
    await advance(hass, freezer, COMMAND_CONFIRM_DELAY)

    assert cloud.sim.request_counts == {"POST /v1/devices/{device_id}/start": 1}
