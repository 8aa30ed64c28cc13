"""Words inside names and refusals follow Home Assistant's language."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.moogo.words import async_load_words
from tests.common import PATIO_ID, Cloud, entity_id_of


@pytest.fixture
async def german_entry(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The integration set up in a Home Assistant whose language is German."""
    hass.config.language = "de"
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


async def test_schedule_names_say_their_days_in_german(
    hass: HomeAssistant, german_entry: MockConfigEntry
) -> None:
    """Patio's weekday schedule reads "Mo-Fr", not "Mon-Fri"."""
    names = {
        state.name
        for state in hass.states.async_all("switch")
        if er.async_get(hass)
        .async_get(state.entity_id)
        .unique_id.startswith(f"{PATIO_ID}_schedule_")
    }
    assert "Patio Sprühen um 07:30, Mo-Fr" in names, names


async def test_calendar_runs_are_titled_in_german(
    hass: HomeAssistant,
    german_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Patio's 45 s run reads "Sprühen · 45 s" in the calendar."""
    client = await hass_client()
    calendar = entity_id_of(hass, "calendar", PATIO_ID, "schedule")
    now = dt_util.utcnow()
    answer = await client.get(
        f"/api/calendars/{calendar}",
        params={
            "start": now.isoformat(),
            "end": (now + timedelta(days=7)).isoformat(),
        },
    )
    titles = {event["summary"] for event in await answer.json()}
    assert titles == {"Sprühen · 45 s", "Sprühen · 60 s"}


async def test_a_calendar_refusal_says_how_the_event_repeats_in_german(
    hass: HomeAssistant,
    german_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A yearly event: the reason names it with the word German's dialog uses."""
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "calendar/event/create",
            "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
            "event": {
                "summary": "Sprühen",
                "dtstart": "2026-07-02T09:00:00+00:00",
                "dtend": "2026-07-02T09:01:00+00:00",
                "rrule": "FREQ=YEARLY",
            },
        }
    )
    answer = await ws.receive_json()
    assert not answer["success"]
    # The frontend words the reason in the user's language around this word.
    assert "repeats Jährlich cannot" in answer["error"]["message"]


@pytest.mark.parametrize(
    ("language", "monday", "yearly"),
    [
        ("en", "Mon", "yearly"),
        ("es", "lun", "Anualmente"),
        ("fr", "lun", "Annuelle"),
        ("nl", "ma", "Jaarlijks"),
        ("it", "lun", "annualmente"),
        ("pl", "pn", "co rok"),
        ("pt-BR", "seg", "anualmente"),
        ("sv", "mån", "årligen"),
        ("xx", "Mon", "yearly"),
    ],
)
async def test_every_language_has_its_words(
    hass: HomeAssistant, language: str, monday: str, yearly: str
) -> None:
    """A language without its own words falls back to English."""
    hass.config.language = language
    words = await async_load_words(hass)
    assert words.weekdays[1] == monday
    assert words.repeats["yearly"] == yearly
    assert words.mist_title(60).endswith(" · 60 s")
    assert len(set(words.weekdays)) == 7
