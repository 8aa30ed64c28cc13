"""Home Assistant shows what the Moogo app shows, against a cloud that answers as the app's.

The app is played by a second client of the same account: what a user does
in the app (the master switch, a skip) reaches Home Assistant the way it
would from the real cloud.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.api import MoogoClient
from custom_components.moogo.const import FIRMWARE_CHECK_INTERVAL
from tests.common import (
    EMAIL,
    FROZEN_NOW,
    GARDEN_ID,
    PASSWORD,
    PATIO_ID,
    Cloud,
    advance,
    entity_id_of,
)


@pytest.fixture(autouse=True)
async def homeassistant_actions(hass: HomeAssistant) -> None:
    """``homeassistant.update_entity``: a user asking for fresh data."""
    assert await async_setup_component(hass, "homeassistant", {})


@pytest.fixture
async def app(cloud: Cloud) -> AsyncIterator[MoogoClient]:
    """The Moogo app of the same account: another client of the cloud."""
    async with MoogoClient(EMAIL, PASSWORD, base_url=cloud.url) as client:
        yield client


async def _read_again(hass: HomeAssistant, entity_id: str) -> None:
    """What a user's "update" asks: every device read whole."""
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": entity_id}, blocking=True
    )
    await hass.async_block_till_done()


@pytest.mark.freeze_time(FROZEN_NOW)
async def test_the_schedules_switch_is_the_apps_master_switch(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    cloud: Cloud,
    app: MoogoClient,
) -> None:
    """Master off in the app: Schedules Off, no next mist, an empty calendar."""
    switch = entity_id_of(hass, "switch", PATIO_ID, "schedules")
    next_mist = entity_id_of(hass, "sensor", PATIO_ID, "next_mist")
    calendar = entity_id_of(hass, "calendar", PATIO_ID, "schedule")
    assert hass.states.get(switch).state == STATE_ON
    assert hass.states.get(next_mist).state not in (STATE_UNKNOWN, STATE_UNAVAILABLE)

    await app.set_schedule_switch(PATIO_ID, False)
    await _read_again(hass, switch)

    assert hass.states.get(switch).state == STATE_OFF
    assert hass.states.get(next_mist).state == STATE_UNKNOWN
    assert hass.states.get(calendar).state == STATE_OFF
    # Each schedule keeps its own switch, as in the app.
    schedules = (await app.get_schedule_list(PATIO_ID)).schedules
    assert all(schedule.enabled for schedule in schedules)
    for schedule in schedules:
        schedule_switch = entity_id_of(
            hass, "switch", PATIO_ID, f"schedule_{schedule.schedule_id}"
        )
        assert hass.states.get(schedule_switch).state == STATE_ON

    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    assert (await app.get_schedule_list(PATIO_ID)).master_switch is True
    assert hass.states.get(switch).state == STATE_ON
    assert hass.states.get(next_mist).state not in (STATE_UNKNOWN, STATE_UNAVAILABLE)


@pytest.mark.freeze_time(FROZEN_NOW)
async def test_turning_schedules_off_leaves_each_schedule_as_it_was(
    hass: HomeAssistant, init_integration: MockConfigEntry, app: MoogoClient
) -> None:
    switch = entity_id_of(hass, "switch", GARDEN_ID, "schedules")
    before = (await app.get_schedule_list(GARDEN_ID)).schedules
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": switch}, blocking=True
    )
    after = await app.get_schedule_list(GARDEN_ID)
    assert after.master_switch is False
    assert [item.enabled for item in after.schedules] == [
        item.enabled for item in before
    ]
    assert hass.states.get(switch).state == STATE_OFF


@pytest.mark.freeze_time(FROZEN_NOW)
async def test_a_run_skipped_in_the_app_is_not_the_next_mist(
    hass: HomeAssistant, init_integration: MockConfigEntry, app: MoogoClient
) -> None:
    """FROZEN_NOW is Wednesday 11:00 in Los Angeles: 19:00 daily runs next."""
    next_mist = entity_id_of(hass, "sensor", PATIO_ID, "next_mist")
    button = entity_id_of(hass, "button", PATIO_ID, "skip_next_mist")
    evening = next(
        schedule
        for schedule in await app.get_schedules(PATIO_ID)
        if schedule.hour == 19
    )
    assert evening.schedule_id is not None
    first = dt_util.parse_datetime(hass.states.get(next_mist).state)
    assert first is not None

    await app.skip_schedule(PATIO_ID, evening.schedule_id)
    await _read_again(hass, next_mist)

    # Thursday 07:30 (the weekday schedule) comes before Thursday 19:00.
    following = dt_util.parse_datetime(hass.states.get(next_mist).state)
    assert following is not None
    assert following > first
    attributes = hass.states.get(
        entity_id_of(hass, "sensor", PATIO_ID, "enabled_schedules")
    ).attributes
    skipped = {item["id"]: item["skip_next"] for item in attributes["schedules"]}
    assert skipped[evening.schedule_id] is True

    # Skip the 07:30 run too; then the next mist is the evening schedule's,
    # whose one skip is spent: the button says so and sends nothing.
    await hass.services.async_call(
        "button", "press", {"entity_id": button}, blocking=True
    )
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "button", "press", {"entity_id": button}, blocking=True
        )
    assert caught.value.translation_key == "next_run_already_skipped"


async def test_an_account_whose_devices_span_pages_is_read_whole(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    cloud.sim.configure(page_size_limit=1)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    for device_id in (PATIO_ID, GARDEN_ID):
        state = hass.states.get(entity_id_of(hass, "sensor", device_id, "temperature"))
        assert state is not None
        assert state.state not in (STATE_UNKNOWN, STATE_UNAVAILABLE)


@pytest.mark.parametrize("replaces", [False, True])
async def test_a_setting_changed_in_ha_keeps_every_other_setting(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    cloud: Cloud,
    app: MoogoClient,
    replaces: bool,
) -> None:
    """Whether the cloud keeps or resets what a body leaves out, nothing is lost.

    A setting changed in the app since Home Assistant last read survives too:
    the write starts from a fresh read.
    """
    cloud.sim.configure(config_writes_replace=replaces)
    await app.set_config(PATIO_ID, time_zone="Europe/Berlin", mist_seconds=45)
    before = await app.get_config(PATIO_ID)
    cloud.sim.reset_counts()

    await hass.services.async_call(
        "number",
        "set_value",
        {
            "entity_id": entity_id_of(hass, "number", PATIO_ID, "stop_temperature"),
            "value": 14,
        },
        blocking=True,
    )
    # A fresh read, the write, and the re-read of what the edit touched.
    assert cloud.sim.total_requests <= 4

    after = await app.get_config(PATIO_ID)
    assert after.stop_temperature == 14
    assert after.time_zone == "Europe/Berlin"
    assert after.mist_seconds == 45
    for name in ("pause_in_rain", "pause_in_snow", "pause_in_windstorm"):
        assert getattr(after, name) == getattr(before, name)
    assert after.concentrate_name == before.concentrate_name
    assert after.concentration == before.concentration


async def test_two_edits_of_one_device_at_once_both_stick(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    cloud: Cloud,
    app: MoogoClient,
) -> None:
    cloud.sim.configure(config_writes_replace=True)
    await asyncio.gather(
        hass.services.async_call(
            "number",
            "set_value",
            {
                "entity_id": entity_id_of(hass, "number", PATIO_ID, "stop_temperature"),
                "value": 16,
            },
            blocking=True,
        ),
        hass.services.async_call(
            "switch",
            "turn_on",
            {"entity_id": entity_id_of(hass, "switch", PATIO_ID, "pause_in_windstorm")},
            blocking=True,
        ),
    )
    config = await app.get_config(PATIO_ID)
    assert config.stop_temperature == 16
    assert config.pause_in_windstorm is True


async def test_a_failing_firmware_check_stays_optional(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """otaCheck answering 404: only the Firmware entities go unavailable, said once."""
    update = entity_id_of(hass, "update", PATIO_ID, "firmware")
    temperature = entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    assert hass.states.get(update).state != STATE_UNAVAILABLE
    cloud.sim.faults.update({"http_status": 404, "paths": ["/otaCheck"]})
    caplog.set_level(logging.INFO, logger="custom_components.moogo")

    for _ in range(2):
        await advance(hass, freezer, FIRMWARE_CHECK_INTERVAL)

    assert hass.states.get(update).state == STATE_UNAVAILABLE
    assert hass.states.get(temperature).state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    warnings = _moogo_warnings(caplog)
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "otaCheck" in warnings[0].getMessage()
    assert "HTTP 404" in warnings[0].getMessage()
    assert "Could not update" not in caplog.text

    cloud.sim.reset_faults()
    caplog.clear()
    for _ in range(2):
        await advance(hass, freezer, FIRMWARE_CHECK_INTERVAL)
    assert hass.states.get(update).state != STATE_UNAVAILABLE
    recovered = [r for r in caplog.records if "answers again" in r.getMessage()]
    assert len(recovered) == 1
    assert not _moogo_warnings(caplog)


def _moogo_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The integration's warnings and errors (HA's own timer warnings aside)."""
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and record.name.startswith("custom_components.moogo")
    ]
