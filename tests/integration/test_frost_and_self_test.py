"""Frost (code 10202) on every command that starts a mist, the Frost risk sensor, the self-test."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import (
    COMMAND_CONFIRM_DELAY,
    DETAILS_UPDATE_INTERVAL,
    DOMAIN,
)
from moogo_sim import MoogoSimulator
from tests.common import ENTRY_ID, PATIO_ID, Cloud, advance, entity_id_of

START_ROUTE = "POST /v1/devices/{device_id}/start"


def _sent(sim: MoogoSimulator) -> list[tuple[str, str | None, int]]:
    return [
        (command.command, command.mode, command.code)
        for command in sim.device(PATIO_ID).commands
    ]


def _patio(hass: HomeAssistant) -> dr.DeviceEntry:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), ENTRY_ID
    )
    assert device is not None
    return device


async def _press(hass: HomeAssistant, key: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id_of(hass, "button", PATIO_ID, key)},
        blocking=True,
    )


async def _turn_on_spray(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON,
        {ATTR_ENTITY_ID: entity_id_of(hass, "switch", PATIO_ID, "spray")},
        blocking=True,
    )


async def _mist(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        DOMAIN,
        "mist",
        {ATTR_DEVICE_ID: _patio(hass).id, "duration": 20},
        blocking=True,
    )


async def _self_test(hass: HomeAssistant) -> None:
    await _press(hass, "self_test")


def _assert_frost_error(error: HomeAssistantError, name: str) -> None:
    assert error.translation_domain == DOMAIN
    assert error.translation_key == "frost_locked"
    assert error.translation_placeholders is not None
    assert error.translation_placeholders["device"] == name
    # The message HA shows: the device, the lock and when it lifts.
    message = str(error)
    assert message.startswith(f"{name} is below 8 °C (46 °F)")
    assert "locked against frost" in message
    assert "resumes when it warms up" in message


@pytest.mark.parametrize(
    ("command", "mode"),
    [(_turn_on_spray, "normal"), (_mist, "normal"), (_self_test, "self-test")],
    ids=["spray switch", "moogo.mist", "self-test button"],
)
async def test_every_start_below_eight_degrees_raises_the_frost_error(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    command: Callable[[HomeAssistant], Awaitable[None]],
    mode: str,
) -> None:
    """The cloud's refusal is raised, translated and naming the device; nothing mists."""
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    cloud.sim.set_temperature(PATIO_ID, 5)
    cloud.sim.reset_counts()

    with pytest.raises(HomeAssistantError) as caught:
        await command(hass)

    _assert_frost_error(caught.value, "Patio")
    assert _sent(cloud.sim) == [("start", mode, 10202)]
    assert hass.states.get(spray).state == STATE_OFF
    commands = init_integration.runtime_data.commands
    assert PATIO_ID not in commands._pending
    # A clear refusal: nothing to read again, no timed stop waiting.
    assert PATIO_ID not in commands._stop_timers
    await advance(hass, freezer, COMMAND_CONFIRM_DELAY)
    assert cloud.sim.request_counts == {START_ROUTE: 1}
    assert hass.states.get(spray).state == STATE_OFF
    assert not cloud.sim.is_spraying(PATIO_ID)


async def test_the_frost_error_names_the_device_as_the_user_renamed_it(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    dr.async_get(hass).async_update_device(_patio(hass).id, name_by_user="Terrace")
    cloud.sim.set_temperature(PATIO_ID, 5)

    with pytest.raises(HomeAssistantError) as caught:
        await _turn_on_spray(hass)

    _assert_frost_error(caught.value, "Terrace")


async def test_at_nine_degrees_the_spray_switch_starts(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Between 8 and 10 °C the app only warns: the start goes through."""
    cloud.sim.set_temperature(PATIO_ID, 9)

    await _turn_on_spray(hass)

    assert _sent(cloud.sim) == [("start", "normal", 0)]
    assert hass.states.get(entity_id_of(hass, "switch", PATIO_ID, "spray")).state == (
        STATE_ON
    )


async def test_self_test_starts_the_apps_self_test_and_shows_its_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Three minutes of mist in mode self-test; its end is read when it comes."""
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")

    # Right after a poll: the next poll after the end comes some 20 s later.
    await _self_test(hass)

    assert _sent(cloud.sim) == [("start", "self-test", 0)]
    assert hass.states.get(spray).state == STATE_ON
    misted = 0
    while cloud.sim.is_spraying(PATIO_ID):
        assert hass.states.get(spray).state == STATE_ON
        await advance(hass, freezer, timedelta(0))  # one second
        misted += 1
    # Past the device's 60 s default mist, the self-test ran its three minutes.
    assert misted == pytest.approx(180, abs=2)
    seconds = 0
    while hass.states.get(spray).state != STATE_OFF:
        await advance(hass, freezer, timedelta(0))
        seconds += 1
        assert seconds <= 30
    # Shown by the read at its end (the mist was seen at its confirmation,
    # a few seconds in), not by the next poll.
    assert seconds <= 5
    duration = entity_id_of(hass, "sensor", PATIO_ID, "last_mist_duration")
    assert float(hass.states.get(duration).state) == pytest.approx(180, abs=1)


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entity_id_of(hass, "binary_sensor", PATIO_ID, "frost_risk")


@pytest.mark.parametrize(
    ("celsius", "state"),
    [
        (-3, STATE_ON),
        (5, STATE_ON),
        (9, STATE_ON),
        (9.9, STATE_ON),
        (10, STATE_OFF),
        (15, STATE_OFF),
        (None, STATE_UNKNOWN),
    ],
)
async def test_frost_risk_is_on_below_the_apps_ten_degree_warning(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    celsius: float | None,
    state: str,
) -> None:
    cloud.sim.set_temperature(PATIO_ID, celsius)

    frost_risk = await _set_up(hass, config_entry)

    assert hass.states.get(frost_risk).state == state


async def test_frost_risk_follows_the_temperature_and_the_device(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    config_entry: MockConfigEntry,
) -> None:
    """A cold night turns it on at the next reading; an offline device is unavailable."""
    cloud.sim.set_temperature(PATIO_ID, 15)
    frost_risk = await _set_up(hass, config_entry)
    assert hass.states.get(frost_risk).state == STATE_OFF

    cloud.sim.set_temperature(PATIO_ID, 9)
    await advance(hass, freezer, DETAILS_UPDATE_INTERVAL)
    assert hass.states.get(frost_risk).state == STATE_ON

    cloud.sim.set_online(PATIO_ID, False)
    await advance(hass, freezer, DETAILS_UPDATE_INTERVAL)
    assert hass.states.get(frost_risk).state == STATE_UNAVAILABLE
