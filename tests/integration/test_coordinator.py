"""Polling: partial failures, offline devices, dynamic devices, request budget."""

from __future__ import annotations

import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import (
    DETAILS_UPDATE_INTERVAL,
    DOMAIN,
    SLOW_UPDATE_INTERVAL,
    UPDATE_INTERVAL,
)
from tests.common import (
    EMAIL,
    GARDEN_ID,
    PATIO_ID,
    Cloud,
    advance,
    device_requests,
    entity_id_of,
)


async def test_one_failing_device_does_not_fail_the_refresh(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only the failing device's readings go unavailable, and they come back."""
    garden_temperature = entity_id_of(hass, "sensor", GARDEN_ID, "temperature")
    garden_online = entity_id_of(hass, "binary_sensor", GARDEN_ID, "online")
    patio_temperature = entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    cloud.sim.faults.http_status = 500
    cloud.sim.faults.paths = [f"/v1/devices/{GARDEN_ID}"]
    cloud.sim.device(PATIO_ID).temperature = 31.0

    with caplog.at_level(logging.INFO, logger="custom_components.moogo"):
        # Each device's detail is read on its turn within five minutes.
        await advance(hass, freezer, DETAILS_UPDATE_INTERVAL)
        await advance(hass, freezer, UPDATE_INTERVAL)

    assert init_integration.runtime_data.last_update_success
    assert hass.states.get(garden_temperature).state == STATE_UNAVAILABLE
    assert hass.states.get(garden_online).state == STATE_ON
    assert hass.states.get(patio_temperature).state == "31.0"
    unavailable_logs = [r for r in caplog.records if "is unavailable" in r.getMessage()]
    assert len(unavailable_logs) == 1

    cloud.sim.reset_faults()
    cloud.sim.reset_counts()
    with caplog.at_level(logging.INFO, logger="custom_components.moogo"):
        # An unavailable device is asked again on every poll, not on its turn.
        await advance(hass, freezer, UPDATE_INTERVAL)

    assert cloud.sim.request_counts["GET /v1/devices/{device_id}"] == 1
    assert hass.states.get(garden_temperature).state == "22.0"
    back_logs = [r for r in caplog.records if "available again" in r.getMessage()]
    assert len(back_logs) == 1


async def test_offline_device_keeps_connectivity_available(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """An offline device shows as disconnected; its readings are unavailable."""
    online = entity_id_of(hass, "binary_sensor", PATIO_ID, "online")
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    assert hass.states.get(online).state == STATE_ON

    cloud.sim.set_online(PATIO_ID, False)
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert hass.states.get(online).state == STATE_OFF
    assert hass.states.get(spray).state == STATE_UNAVAILABLE
    # Every other entity of the device is unavailable; this one says why, and
    # its messages (the app's "Device offline" among them) still arrive.
    patio_entities = [
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
        if entry.unique_id.startswith(f"{PATIO_ID}_") and not entry.disabled
    ]
    assert {
        entity_id
        for entity_id in patio_entities
        if hass.states.get(entity_id).state != STATE_UNAVAILABLE
    } == {online, entity_id_of(hass, "event", PATIO_ID, "messages")}

    cloud.sim.set_online(PATIO_ID, True)
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert hass.states.get(online).state == STATE_ON
    assert hass.states.get(spray).state == STATE_OFF


async def test_account_failure_makes_all_unavailable_then_recovers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """When the device list fails, every entity (connectivity too) goes unavailable."""
    online = entity_id_of(hass, "binary_sensor", PATIO_ID, "online")
    temperature = entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    cloud.sim.faults.html_error = True

    await advance(hass, freezer, UPDATE_INTERVAL)
    assert not init_integration.runtime_data.last_update_success
    assert hass.states.get(online).state == STATE_UNAVAILABLE
    assert hass.states.get(temperature).state == STATE_UNAVAILABLE

    cloud.sim.reset_faults()
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert hass.states.get(online).state == STATE_ON
    assert hass.states.get(temperature).state == "27.5"


async def test_devices_added_and_removed_without_reload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A new device gets entities at the next poll; a gone one leaves the registry."""
    device_registry = dr.async_get(hass)
    cloud.sim.add_device(EMAIL, device_id="MGNEW000003", name="Porch", temperature=18.5)

    await advance(hass, freezer, UPDATE_INTERVAL)

    porch_temperature = entity_id_of(hass, "sensor", "MGNEW000003", "temperature")
    assert hass.states.get(porch_temperature).state == "18.5"
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, "MGNEW000003"), init_integration.entry_id
    )

    cloud.sim.remove_device(GARDEN_ID)
    await advance(hass, freezer, UPDATE_INTERVAL)

    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, GARDEN_ID), init_integration.entry_id
        )
        is None
    )
    assert (
        er.async_get(hass).async_get_entity_id(
            "sensor", DOMAIN, f"{GARDEN_ID}_temperature"
        )
        is None
    )
    assert hass.states.get(porch_temperature).state == "18.5"


async def test_request_budget_of_a_quiet_account(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Nothing changes: the list every poll, details every 5 min, slow data every 30.

    And the app's messages: three lists a round, the first a minute after
    setup, the next a quarter of an hour later.
    """
    cloud.sim.reset_counts()
    polls = int(SLOW_UPDATE_INTERVAL / UPDATE_INTERVAL)
    # advance() adds a second to each step: stop just short of 30 minutes.
    for _ in range(polls - 2):
        await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.sim.request_counts == {
        "GET /v1/devices": polls - 2,
        # Six turns of five minutes each in 29 min 58 s, for both devices.
        "GET /v1/devices/{device_id}": 2 * 6,
        "GET /v1/devices/{device_id}/schedules": 2,
        "GET /v1/devices/{device_id}/configs": 2,
        "GET /v1/users/{user_id}/messages": 2,
        "GET /v1/users/{user_id}/messages/notice": 2,
        "GET /v1/users/{user_id}/messages/log": 2,
    }


async def test_offline_devices_cost_no_detail_request(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """The list already says a device is offline; its stale detail is not fetched."""
    cloud.sim.set_online(GARDEN_ID, False)
    cloud.sim.reset_counts()
    # Both devices' turns come; only the online one is read.
    await advance(hass, freezer, DETAILS_UPDATE_INTERVAL)
    assert device_requests(cloud) == {
        "GET /v1/devices": 1,
        "GET /v1/devices/{device_id}": 1,
    }


async def test_failed_slow_data_keeps_last_values_and_retries(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Schedules that fail to load keep their last value and are retried next poll."""
    schedules = entity_id_of(hass, "sensor", PATIO_ID, "enabled_schedules")
    assert hass.states.get(schedules).state == "2"
    cloud.sim.faults.http_status = 500
    cloud.sim.faults.paths = ["/schedules"]

    await advance(hass, freezer, SLOW_UPDATE_INTERVAL)
    assert hass.states.get(schedules).state == "2"

    cloud.sim.reset_faults()
    cloud.sim.add_schedule(PATIO_ID, hour=6, minute=0, duration=30)
    cloud.sim.reset_counts()
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.sim.request_counts["GET /v1/devices/{device_id}/schedules"] == 2
    assert hass.states.get(schedules).state == "3"


async def test_device_token_rejected_after_relogin_starts_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A detail request rejected even after one fresh login is an auth failure."""
    cloud.sim.faults.update({"http_status": 401, "paths": [f"/v1/devices/{PATIO_ID}"]})
    cloud.sim.reset_counts()

    await advance(hass, freezer, DETAILS_UPDATE_INTERVAL)

    assert cloud.sim.request_counts["POST /v1/user/login"] == 1
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_throttled_refresh_waits_as_the_cloud_asked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A 429 on schedules fails the refresh; the next poll waits its Retry-After.

    Throttling is no lockout: the token still works, no sign-in is held back
    and no repair issue tells the user the account is locked.
    """
    coordinator = init_integration.runtime_data
    cloud.sim.faults.update({"http_status": 429, "paths": ["/schedules"]})
    cloud.sim.reset_counts()
    await advance(hass, freezer, SLOW_UPDATE_INTERVAL)
    assert not coordinator.last_update_success
    assert isinstance(coordinator.last_exception, UpdateFailed)
    assert coordinator.last_exception.translation_key == "throttled"
    assert "wait 60 s" in str(coordinator.last_exception)
    assert cloud.sim.request_counts["GET /v1/devices/{device_id}/schedules"] == 2
    assert "POST /v1/user/login" not in cloud.sim.request_counts
    issue_id = f"rate_limited_{init_integration.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None

    # The simulator's Retry-After is 60 s: the usual 30 s pass in silence.
    cloud.sim.reset_faults()
    cloud.sim.reset_counts()
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert sum(cloud.sim.request_counts.values()) == 0
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert coordinator.last_update_success
    # The slower wait was for that one poll: the next comes at the usual pace.
    cloud.sim.reset_counts()
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.sim.request_counts["GET /v1/devices"] == 1


async def test_device_gone_while_ha_was_off_is_removed_at_start(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """A registry device the account no longer has is removed by the first poll."""
    config_entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    stale = registry.async_get_or_create(
        config_entry_id=config_entry.entry_id, identifiers={(DOMAIN, "MGGONE00001")}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(stale.id) is None
    assert registry.async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), config_entry.entry_id
    )
