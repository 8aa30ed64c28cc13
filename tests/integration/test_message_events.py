"""The app's messages as event entities: new ones fire, old ones never, few requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.const import DOMAIN
from custom_components.moogo.messages import (
    FIRST_ROUND_DELAY,
    ROUND_INTERVAL,
    storage_key,
)
from moogo_sim import FaultConfig
from tests.common import (
    EMAIL,
    ENTRY_ID,
    ENTRY_TITLE,
    FROZEN_NOW,
    GARDEN_ID,
    PATIO_ID,
    Cloud,
    advance,
    entity_id_of,
)

MESSAGE_ROUTES = {
    "GET /v1/users/{user_id}/messages",
    "GET /v1/users/{user_id}/messages/notice",
    "GET /v1/users/{user_id}/messages/log",
}
ROUND = ROUND_INTERVAL


@pytest.fixture(autouse=True)
def _frozen(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to(FROZEN_NOW)


def _message_requests(cloud: Cloud) -> int:
    return sum(cloud.sim.request_counts.get(route, 0) for route in MESSAGE_ROUTES)


def _account_entity(hass: HomeAssistant) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{_user_id(hass)}_account_messages"
    )
    assert entity_id is not None
    return entity_id


def _user_id(hass: HomeAssistant) -> str:
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    assert entry.unique_id is not None
    return entry.unique_id


def _state(hass: HomeAssistant, entity_id: str) -> State:
    state = hass.states.get(entity_id)
    assert state is not None
    return state


async def _first_round(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await advance(hass, freezer, FIRST_ROUND_DELAY)


async def test_new_messages_fire_on_their_device_or_the_account(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Old messages stay quiet; a new notice fires on the Patio, a share on the account."""
    cloud.sim.add_message(EMAIL, "Old news", box="notice", device_id=PATIO_ID)
    patio = entity_id_of(hass, "event", PATIO_ID, "messages")
    account = _account_entity(hass)
    await _first_round(hass, freezer)
    assert _state(hass, patio).state == STATE_UNKNOWN
    assert _state(hass, account).state == STATE_UNKNOWN

    cloud.sim.add_message(
        EMAIL,
        "Device Monitoring No Water Inflow",
        "Check the tap and the hose adapter's filter.",
        box="notice",
        device_id=PATIO_ID,
    )
    cloud.sim.add_message(EMAIL, "Alex shared a device with you", box="messages")
    await advance(hass, freezer, ROUND)

    fired = _state(hass, patio)
    assert fired.state != STATE_UNKNOWN
    assert fired.attributes["event_type"] == "notice"
    assert fired.attributes["title"] == "Device Monitoring No Water Inflow"
    assert fired.attributes["content"] == "Check the tap and the hose adapter's filter."
    assert fired.attributes["device_name"] == "Patio"
    shared = _state(hass, account)
    assert shared.attributes["event_type"] == "message"
    assert shared.attributes["title"] == "Alex shared a device with you"
    garden = _state(hass, entity_id_of(hass, "event", GARDEN_ID, "messages"))
    assert garden.state == STATE_UNKNOWN
    # The account's own device holds its entity, and no poll removes it.
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"account_{_user_id(hass)}"), ENTRY_ID
    )
    assert device is not None
    assert device.name == ENTRY_TITLE


async def test_reading_messages_costs_at_most_twelve_requests_an_hour(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """In any hour of three, also as a list grows by a page (to three pages)."""
    counts = [_message_requests(cloud)]
    for minute in range(180):
        if minute in (70, 100):
            for number in range(20):
                cloud.sim.add_message(EMAIL, f"Message {number}", box="messages")
        await advance(hass, freezer, timedelta(minutes=1))
        counts.append(_message_requests(cloud))
    per_hour = [
        later - earlier for earlier, later in zip(counts, counts[60:], strict=False)
    ]
    assert max(per_hour) <= 12, per_hour
    # Three one-page lists: rounds at 1, 16 and 31 minutes, then an hour on.
    assert counts[60] - counts[0] == 9


async def test_messages_are_never_marked_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """The app still shows them as new."""
    cloud.sim.add_message(EMAIL, "Before", box="notice", device_id=PATIO_ID)
    await _first_round(hass, freezer)
    cloud.sim.add_message(EMAIL, "After", box="notice", device_id=PATIO_ID)
    await advance(hass, freezer, ROUND)
    assert [message.is_read for message in cloud.sim.messages_of(EMAIL)] == [
        False,
        False,
    ]
    assert [
        route
        for route in cloud.sim.request_counts
        if "/messages" in route and not route.startswith("GET ")
    ] == []


async def test_seen_messages_stay_quiet_after_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """What fired once never fires again; one filed meanwhile fires after it."""
    patio = entity_id_of(hass, "event", PATIO_ID, "messages")
    await _first_round(hass, freezer)
    cloud.sim.add_message(EMAIL, "First", box="log", device_id=PATIO_ID)
    await advance(hass, freezer, ROUND)
    first = _state(hass, patio)
    assert first.attributes["title"] == "First"
    assert storage_key(ENTRY_ID) in hass_storage

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    cloud.sim.add_message(EMAIL, "While away", box="log", device_id=PATIO_ID)
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    await _first_round(hass, freezer)

    again = _state(hass, patio)
    assert again.attributes["title"] == "While away"
    assert again.state != first.state
    await advance(hass, freezer, ROUND)
    assert _state(hass, patio).state == again.state


async def test_a_failing_message_list_leaves_everything_else_as_it_was(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """The messages endpoints fail: entities stay, and the next round catches up."""
    patio = entity_id_of(hass, "event", PATIO_ID, "messages")
    temperature = entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    await _first_round(hass, freezer)
    cloud.sim.faults = FaultConfig(error_rate=1.0, paths=["/messages"])
    cloud.sim.add_message(EMAIL, "Late", box="notice", device_id=PATIO_ID)
    await advance(hass, freezer, ROUND)
    assert _state(hass, patio).state == STATE_UNKNOWN
    assert _state(hass, temperature).state == "27.5"

    cloud.sim.reset_faults()
    await advance(hass, freezer, ROUND)
    assert _state(hass, patio).attributes["title"] == "Late"


async def test_a_message_naming_no_single_device_goes_to_the_account(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A device name the account does not have: the account's entity."""
    await _first_round(hass, freezer)
    cloud.sim.add_message(EMAIL, "Who?", box="notice", device_name="Shed")
    await advance(hass, freezer, ROUND)
    assert _state(hass, _account_entity(hass)).attributes["device_name"] == "Shed"
    patio = entity_id_of(hass, "event", PATIO_ID, "messages")
    assert _state(hass, patio).state == STATE_UNKNOWN


async def test_an_automation_fires_on_a_message(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """A state trigger on the device's event entity, filtered by event type."""
    patio = entity_id_of(hass, "event", PATIO_ID, "messages")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": {"trigger": "state", "entity_id": patio},
                "conditions": {
                    "condition": "template",
                    "value_template": "{{ trigger.to_state.attributes.event_type == 'notice' }}",
                },
                "actions": {
                    "event": "moogo_test_notice",
                    "event_data": {"title": "{{ trigger.to_state.attributes.title }}"},
                },
            }
        },
    )
    heard: list[str] = []
    hass.bus.async_listen(
        "moogo_test_notice", lambda event: heard.append(event.data["title"])
    )
    await _first_round(hass, freezer)
    cloud.sim.set_tank_level(PATIO_ID, "water", 0)
    await advance(hass, freezer, ROUND)
    assert heard == ["Device Monitoring No Water Inflow"]


async def test_removing_the_entry_forgets_the_seen_messages(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Nothing of the account's messages stays behind."""
    await _first_round(hass, freezer)
    assert storage_key(ENTRY_ID) in hass_storage
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert storage_key(ENTRY_ID) not in hass_storage


async def test_a_message_without_an_id_fires_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Told apart by its title and time instead: not again at the next round."""
    patio = entity_id_of(hass, "event", PATIO_ID, "messages")
    await _first_round(hass, freezer)
    cloud.sim.add_message(
        EMAIL, "No id", box="log", device_id=PATIO_ID, missing_fields={"id"}
    )
    await advance(hass, freezer, ROUND)
    fired = _state(hass, patio)
    assert fired.attributes["title"] == "No id"
    assert fired.attributes["message_id"] is None
    await advance(hass, freezer, ROUND * 4)
    assert _state(hass, patio).state == fired.state


async def test_a_device_going_offline_says_so_on_its_messages(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    init_integration: MockConfigEntry,
) -> None:
    """Its readings go unavailable; its Messages entity stays and fires the notice."""
    patio = entity_id_of(hass, "event", PATIO_ID, "messages")
    await _first_round(hass, freezer)
    cloud.sim.set_online(PATIO_ID, False)
    await advance(hass, freezer, ROUND)
    assert _state(
        hass, entity_id_of(hass, "sensor", PATIO_ID, "temperature")
    ).state == ("unavailable")
    fired = _state(hass, patio)
    assert fired.attributes["title"] == "Device offline"
    assert fired.attributes["event_type"] == "log"
