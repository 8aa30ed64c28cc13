"""The calendar of scheduled mists: events from schedules, schedules from events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.moogo.api import Schedule
from custom_components.moogo.const import DOMAIN, MAX_SCHEDULES
from custom_components.moogo.schedule import schedule_runs
from tests.common import (
    FROZEN_NOW,
    GARDEN_ID,
    PATIO_ID,
    Cloud,
    entity_id_of,
    make_entry,
)

# FROZEN_NOW is Wednesday 18:00 UTC: 20:00 in Berlin, 11:00 in Los Angeles.
BERLIN = "Europe/Berlin"


async def _set_up_calendars(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    freezer.move_to(FROZEN_NOW)
    cloud.sim.device(PATIO_ID).time_zone = BERLIN
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    with patch("custom_components.moogo.PLATFORMS", [Platform.CALENDAR]):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return entry


@pytest.fixture
async def calendar_entry(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """The integration with its calendars only, at a fixed moment.

    The patio device runs in Berlin, far from Home Assistant's own zone, so
    every time shows whether the device's zone was used.
    """
    return await _set_up_calendars(hass, cloud, freezer)


@pytest.fixture
async def full_calendar_entry(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """As ``calendar_entry``, with the patio holding the app's 20 schedules."""
    for minute in range(MAX_SCHEDULES - len(cloud.sim.device(PATIO_ID).schedules)):
        cloud.sim.add_schedule(PATIO_ID, hour=5, minute=minute, duration=30)
    return await _set_up_calendars(hass, cloud, freezer)


def _schedules(cloud: Cloud, device_id: str) -> list[dict[str, Any]]:
    return cloud.sim.device(device_id).schedules_to_api(cloud.sim.now())


def _schedule_writes(cloud: Cloud) -> int:
    return sum(
        count
        for key, count in cloud.sim.request_counts.items()
        if "/schedules" in key and not key.startswith("GET")
    )


async def _events(
    hass: HomeAssistant,
    client: ClientSessionGenerator,
    device_id: str,
    start: str = "2026-07-01T00:00:00+00:00",
    end: str = "2026-07-03T18:00:00+00:00",
) -> list[dict[str, Any]]:
    entity_id = entity_id_of(hass, "calendar", device_id, "schedule")
    http = await client()
    response = await http.get(
        f"/api/calendars/{entity_id}", params={"start": start, "end": end}
    )
    assert response.status == 200
    events: list[dict[str, Any]] = await response.json()
    return events


def _in_berlin(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(BERLIN)).isoformat()


def _brief(events: list[dict[str, Any]]) -> list[tuple[str, str, str, str | None]]:
    """Start and end (shown in Berlin time), uid and recurrence id of each event."""
    return [
        (
            _in_berlin(event["start"]["dateTime"]),
            _in_berlin(event["end"]["dateTime"]),
            event["uid"],
            event["recurrence_id"],
        )
        for event in events
    ]


async def test_calendar_snapshot(
    hass: HomeAssistant,
    calendar_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """One calendar per device; the patio shows its next mist (Thursday 07:30)."""
    await snapshot_platform(hass, entity_registry, snapshot, calendar_entry.entry_id)


async def test_upcoming_mists_in_the_device_time_zone(
    hass: HomeAssistant,
    calendar_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Runs still ahead, at the device's local times; a disabled schedule is absent."""
    events = await _events(hass, hass_client, PATIO_ID)
    # Wednesday's 07:30 and 19:00 (Berlin) are over by 20:00: not shown.
    assert _brief(events) == [
        ("2026-07-02T07:30:00+02:00", "2026-07-02T07:30:45+02:00", "S1", "20260702T073000"),
        ("2026-07-02T19:00:00+02:00", "2026-07-02T19:01:00+02:00", "S2", "20260702T190000"),
        ("2026-07-03T07:30:00+02:00", "2026-07-03T07:30:45+02:00", "S1", "20260703T073000"),
        ("2026-07-03T19:00:00+02:00", "2026-07-03T19:01:00+02:00", "S2", "20260703T190000"),
    ]  # fmt: skip
    assert events[0]["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    # Every day reads as the calendar dialog's own "Daily".
    assert events[1]["rrule"] == "FREQ=DAILY"
    # A run says what happens and for how long.
    assert [event["summary"] for event in events] == ["Mist · 45 s", "Mist · 60 s"] * 2
    # The garden's only schedule is disabled.
    assert await _events(hass, hass_client, GARDEN_ID) == []


async def test_deleting_the_next_run_skips_it(
    hass: HomeAssistant,
    calendar_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
) -> None:
    """The cloud can skip a schedule's next run: that run leaves the calendar."""
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "calendar/event/delete",
            "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
            "uid": "S2",
            "recurrence_id": "20260702T190000",
        }
    )
    assert (await ws.receive_json())["success"]
    assert [item["is_skip"] for item in _schedules(cloud, PATIO_ID)] == [False, True]
    starts = [
        start
        for start, _, uid, _ in _brief(await _events(hass, hass_client, PATIO_ID))
        if uid == "S2"
    ]
    assert starts == ["2026-07-03T19:00:00+02:00"]  # fmt: skip

    # The cloud skips one run of a schedule at a time: the run after says so.
    skips = cloud.sim.device(PATIO_ID).schedules[1].skip_count
    await ws.send_json_auto_id(
        {
            "type": "calendar/event/delete",
            "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
            "uid": "S2",
            "recurrence_id": "20260703T190000",
        }
    )
    answer = await ws.receive_json()
    assert not answer["success"]
    assert "already skipped" in answer["error"]["message"]
    assert "Fri 19:00" in answer["error"]["message"]
    assert cloud.sim.device(PATIO_ID).schedules[1].skip_count == skips


async def test_creating_a_weekly_event_creates_a_schedule(
    hass: HomeAssistant,
    calendar_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
) -> None:
    """Wednesdays and Fridays at 21:15 in HA's zone: Thursdays and Saturdays at 06:15 in Berlin.

    The rule's weekdays are the event's, as the frontend writes them (in HA's
    zone); the schedule's are the device's.
    """
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "calendar/event/create",
            "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
            "event": {
                "summary": "Morning mist",
                "dtstart": "2026-07-01T21:15:00-07:00",
                "dtend": "2026-07-01T21:17:00-07:00",
                "rrule": "FREQ=WEEKLY;BYDAY=WE,FR",
            },
        }
    )
    assert (await ws.receive_json())["success"]
    created = _schedules(cloud, PATIO_ID)[-1]
    assert {key: created[key] for key in ("hour", "minute", "duration", "repeatSet", "status")} == {
        "hour": 6, "minute": 15, "duration": 120, "repeatSet": "4,6", "status": 1,
    }  # fmt: skip
    # HA read the schedules again: the new one is on the calendar at once.
    events = await _events(hass, hass_client, PATIO_ID)
    assert ("2026-07-02T06:15:00+02:00", created["id"]) in [
        (start, uid) for start, _, uid, _ in _brief(events)
    ]


async def test_editing_the_series_edits_the_schedule(
    hass: HomeAssistant,
    calendar_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
) -> None:
    """All events of a series, edited from one of them, change the schedule."""
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "calendar/event/update",
            "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
            "uid": "S1",
            "recurrence_id": "20260702T073000",
            "recurrence_range": "THISANDFUTURE",
            "event": {
                "summary": "Scheduled mists",
                # Saturdays and Sundays 08:00 in Berlin, as the frontend writes
                # them in HA's zone: Fridays and Saturdays 23:00.
                "dtstart": "2026-07-03T23:00:00-07:00",
                "dtend": "2026-07-03T23:01:30-07:00",
                "rrule": "FREQ=WEEKLY;BYDAY=FR,SA",
            },
        }
    )
    assert (await ws.receive_json())["success"]
    first = _schedules(cloud, PATIO_ID)[0]
    assert (first["id"], first["hour"], first["minute"]) == ("S1", 8, 0)
    assert (first["duration"], first["repeatSet"]) == (90, "0,6")


async def test_deleting_the_series_deletes_the_schedule(
    hass: HomeAssistant,
    calendar_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
) -> None:
    """Deleting a recurring event deletes its schedule in the cloud."""
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "calendar/event/delete",
            "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
            "uid": "S2",
        }
    )
    assert (await ws.receive_json())["success"]
    assert [item["id"] for item in _schedules(cloud, PATIO_ID)] == ["S1"]
    uids = {uid for _, _, uid, _ in _brief(await _events(hass, hass_client, PATIO_ID))}
    assert uids == {"S1"}


async def _create(
    hass: HomeAssistant, ws_client: WebSocketGenerator, event: dict[str, Any]
) -> dict[str, Any]:
    """Send the Add event dialog's message; return the answer."""
    ws = await ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "calendar/event/create",
            "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
            "event": {"summary": "Mist", **event},
        }
    )
    answer: dict[str, Any] = await ws.receive_json()
    return answer


async def test_the_dialogs_hour_long_event_is_refused_and_nothing_sent(
    hass: HomeAssistant, calendar_entry: MockConfigEntry, cloud: Cloud
) -> None:
    """The Add event dialog proposes an hour: refused, naming the app's range."""
    cloud.sim.reset_counts()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "calendar",
            "create_event",
            {
                "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
                "summary": "Mist",
                "start_date_time": "2026-07-02T09:00:00+02:00",
                "end_date_time": "2026-07-02T10:00:00+02:00",
            },
            blocking=True,
        )
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "calendar_duration_out_of_range"
    placeholders = err.value.translation_placeholders or {}
    assert (placeholders["minimum"], placeholders["maximum"]) == ("20", "120")
    assert placeholders["duration"] == "3600"
    assert "lasts 20 to 120 seconds" in str(err.value)
    assert list(cloud.sim.request_log) == []


@pytest.mark.parametrize(
    ("start", "end", "rrule", "schedule", "read_back"),
    [
        # Thursday 09:00 in Berlin, as the frontend writes it in HA's zone:
        # the dialog's "Daily" is all seven days, and reads back as daily.
        pytest.param(
            "2026-07-02T00:00:00-07:00", "2026-07-02T00:01:00-07:00", "FREQ=DAILY",
            (9, 0, 60, "0,1,2,3,4,5,6"), "FREQ=DAILY", id="daily",
        ),
        # Wednesday 21:15 in HA's zone is Thursday 06:15 in Berlin: Thursdays.
        pytest.param(
            "2026-07-01T21:15:00-07:00", "2026-07-01T21:15:45-07:00", "FREQ=WEEKLY",
            (6, 15, 45, "4"), "FREQ=WEEKLY;BYDAY=TH", id="weekly-without-days",
        ),
    ],
)  # fmt: skip
async def test_a_repeating_event_becomes_a_schedule_in_the_device_zone(
    hass: HomeAssistant,
    calendar_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
    start: str,
    end: str,
    rrule: str,
    schedule: tuple[int, int, int, str],
    read_back: str,
) -> None:
    answer = await _create(
        hass, hass_ws_client, {"dtstart": start, "dtend": end, "rrule": rrule}
    )
    assert answer["success"]
    created = _schedules(cloud, PATIO_ID)[-1]
    fields = ("hour", "minute", "duration", "repeatSet")
    assert tuple(created[key] for key in fields) == schedule
    events = await _events(hass, hass_client, PATIO_ID)
    assert {event["rrule"] for event in events if event["uid"] == created["id"]} == {
        read_back
    }


async def test_a_21st_schedule_is_refused_from_the_calendar(
    hass: HomeAssistant,
    full_calendar_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
) -> None:
    """The app's 20 schedules a device: nothing reaches the cloud; edits still do."""
    cloud.sim.reset_counts()
    answer = await _create(
        hass,
        hass_ws_client,
        {
            "dtstart": "2026-07-02T00:00:00-07:00",
            "dtend": "2026-07-02T00:01:00-07:00",
            "rrule": "FREQ=DAILY",
        },
    )
    assert not answer["success"]
    assert "20 schedules, as many as the Moogo app allows" in answer["error"]["message"]
    assert list(cloud.sim.request_log) == []
    assert len(_schedules(cloud, PATIO_ID)) == MAX_SCHEDULES

    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "calendar/event/update",
            "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
            "uid": "S1",
            "event": {
                "summary": "Scheduled mists",
                "dtstart": "2026-07-02T07:30:00+02:00",
                "dtend": "2026-07-02T07:31:30+02:00",
                "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            },
        }
    )
    assert (await ws.receive_json())["success"]
    assert _schedules(cloud, PATIO_ID)[0]["duration"] == 90


@pytest.fixture
async def odd_lengths_entry(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """As ``calendar_entry``, with Thursday schedules of 10 s and 5 min."""
    for hour, seconds in ((5, 10), (6, 300)):
        cloud.sim.add_schedule(
            PATIO_ID, hour=hour, minute=0, duration=seconds, repeat_set="4"
        )
    return await _set_up_calendars(hass, cloud, freezer)


async def test_schedules_of_other_lengths_are_still_shown(
    hass: HomeAssistant,
    odd_lengths_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Lengths the app does not offer, made elsewhere, are shown as they are."""
    events = _brief(await _events(hass, hass_client, PATIO_ID))
    assert events[:2] == [
        ("2026-07-02T05:00:00+02:00", "2026-07-02T05:00:10+02:00", "S4", "20260702T050000"),
        ("2026-07-02T06:00:00+02:00", "2026-07-02T06:05:00+02:00", "S5", "20260702T060000"),
    ]  # fmt: skip


WEEKDAYS_RULE = "FREQ=WEEKLY;BYDAY=MO,WE"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T09:00:00+02:00",
                "dtend": "2026-07-06T09:01:00+02:00", "rrule": "FREQ=MONTHLY"}},
            "An event that repeats monthly cannot be stored as a schedule",
            id="monthly",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T09:00:00+02:00",
                "dtend": "2026-07-06T09:01:00+02:00", "rrule": "FREQ=DAILY;BYDAY=1MO"}},
            "An event that repeats BYDAY=1MO cannot be stored as a schedule",
            id="daily-on-the-first-monday",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T09:00:00+02:00",
                "dtend": "2026-07-06T09:01:00+02:00",
                "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=3"}},
            "An event that repeats with an end cannot be stored",
            id="count",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T09:00:00+02:00",
                "dtend": "2026-07-06T09:01:00+02:00",
                "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"}},
            "repeats every few days or weeks cannot be stored",
            id="fortnightly",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T09:00:00+02:00",
                "dtend": "2026-07-06T09:01:00+02:00",
                "rrule": "FREQ=WEEKLY;BYMONTH=7"}},
            "An event that repeats FREQ=WEEKLY;BYMONTH=7 cannot be stored",
            id="custom-rule",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-02T09:00:00+02:00",
                "dtend": "2026-07-02T09:01:00+02:00"}},
            "make the event repeat daily, or weekly",
            id="one-off",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T09:00:00+02:00",
                "dtend": "2026-07-06T10:00:00+02:00", "rrule": WEEKDAYS_RULE}},
            "lasts 20 to 120 seconds",
            id="an-hour",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T09:00:00+02:00",
                "dtend": "2026-07-06T09:00:10+02:00", "rrule": WEEKDAYS_RULE}},
            "This event lasts 10 seconds",
            id="too-short",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T09:00:00+02:00",
                "dtend": "2026-07-06T09:00:25+02:00", "rrule": WEEKDAYS_RULE}},
            "This event lasts 25 seconds",
            id="between-the-apps-durations",
        ),
        pytest.param(
            {"type": "calendar/event/update", "uid": "S1",
             "recurrence_id": "20260702T073000", "recurrence_range": "THISANDFUTURE",
             "event": {
                "summary": "x", "dtstart": "2026-07-02T07:30:00+02:00",
                "dtend": "2026-07-02T08:30:00+02:00", "rrule": WEEKDAYS_RULE}},
            "This event lasts 3600 seconds",
            id="edited-to-an-hour",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T23:59:00+02:00",
                "dtend": "2026-07-07T00:01:00+02:00", "rrule": WEEKDAYS_RULE}},
            "starts and ends on the same day",
            id="spans-days",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06T09:00:30+02:00",
                "dtend": "2026-07-06T09:01:30+02:00", "rrule": WEEKDAYS_RULE}},
            "starts on a whole minute",
            id="seconds",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-06", "dtend": "2026-07-07",
                "rrule": WEEKDAYS_RULE}},
            "all-day events cannot be stored",
            id="all-day",
        ),
        pytest.param(
            {"type": "calendar/event/create", "event": {
                "summary": "x", "dtstart": "2026-07-20T09:00:00+02:00",
                "dtend": "2026-07-20T09:01:00+02:00", "rrule": WEEKDAYS_RULE}},
            "a series that begins later cannot be stored",
            id="starts-later",
        ),
        pytest.param(
            {"type": "calendar/event/update", "uid": "S1",
             "recurrence_id": "20260703T073000", "event": {
                "summary": "x", "dtstart": "2026-07-03T08:00:00+02:00",
                "dtend": "2026-07-03T08:01:00+02:00", "rrule": WEEKDAYS_RULE}},
            "edit its first run shown (Thu 07:30, device time)",
            id="edit-one-run",
        ),
        pytest.param(
            {"type": "calendar/event/delete", "uid": "S1",
             "recurrence_id": "20260703T073000"},
            "(Thu 07:30, device time): delete that run alone",
            id="delete-later-run",
        ),
        pytest.param(
            {"type": "calendar/event/delete", "uid": "S1",
             "recurrence_id": "20260703T073000", "recurrence_range": "THISANDFUTURE"},
            "delete its first run shown (Thu 07:30)",
            id="delete-later-runs",
        ),
        pytest.param(
            {"type": "calendar/event/delete", "uid": "S9"},
            "no schedule with id S9",
            id="unknown-schedule",
        ),
    ],
)  # fmt: skip
async def test_what_the_cloud_cannot_express_is_refused(
    hass: HomeAssistant,
    calendar_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
    message: dict[str, Any],
    expected: str,
) -> None:
    """A translated error, and not one write reaches the cloud."""
    before = _schedules(cloud, PATIO_ID)
    writes = _schedule_writes(cloud)
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {"entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"), **message}
    )
    answer = await ws.receive_json()
    assert not answer["success"]
    assert expected in answer["error"]["message"]
    assert _schedules(cloud, PATIO_ID) == before
    assert _schedule_writes(cloud) == writes


# Thursday 07:30:20 in Berlin: the patio's weekday run S1 (07:30, 45 s) is
# under way, and its recurrence id is that start.
DURING_RUN = "2026-07-02T05:30:20+00:00"
RUN_UNDER_WAY = "20260702T073000"


async def _call_during_the_run(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    ws_client: WebSocketGenerator,
    message: dict[str, Any],
) -> dict[str, Any]:
    """Send a calendar message while S1 runs (connected before: tokens age)."""
    ws = await ws_client(hass)
    freezer.move_to(DURING_RUN)
    await ws.send_json_auto_id(
        {"entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"), **message}
    )
    answer: dict[str, Any] = await ws.receive_json()
    return answer


async def test_a_run_under_way_edits_the_whole_schedule(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    calendar_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
) -> None:
    """ "This and all future events" from the run shown first, though it began."""
    answer = await _call_during_the_run(
        hass,
        freezer,
        hass_ws_client,
        {
            "type": "calendar/event/update",
            "uid": "S1",
            "recurrence_id": RUN_UNDER_WAY,
            "recurrence_range": "THISANDFUTURE",
            "event": {
                "summary": "Morning",
                "dtstart": "2026-07-02T07:45:00+02:00",
                "dtend": "2026-07-02T07:46:00+02:00",
                "rrule": WEEKDAYS_RULE,
            },
        },
    )
    assert answer["success"], answer
    first = _schedules(cloud, PATIO_ID)[0]
    assert (first["id"], first["hour"], first["minute"], first["duration"]) == (
        "S1", 7, 45, 60,
    )  # fmt: skip


async def test_a_run_under_way_deletes_the_whole_schedule(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    calendar_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
) -> None:
    answer = await _call_during_the_run(
        hass,
        freezer,
        hass_ws_client,
        {
            "type": "calendar/event/delete",
            "uid": "S1",
            "recurrence_id": RUN_UNDER_WAY,
            "recurrence_range": "THISANDFUTURE",
        },
    )
    assert answer["success"], answer
    assert "S1" not in [item["id"] for item in _schedules(cloud, PATIO_ID)]


async def test_deleting_only_a_run_under_way_names_the_run_that_can_be_skipped(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    calendar_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    cloud: Cloud,
) -> None:
    writes = _schedule_writes(cloud)
    answer = await _call_during_the_run(
        hass,
        freezer,
        hass_ws_client,
        {"type": "calendar/event/delete", "uid": "S1", "recurrence_id": RUN_UNDER_WAY},
    )
    assert not answer["success"]
    message = answer["error"]["message"]
    assert "(Fri 07:30, device time): delete that run alone" in message
    assert "delete its first run shown (Thu 07:30)" in message
    assert _schedule_writes(cloud) == writes


def test_a_skipped_one_off_schedule_has_no_run() -> None:
    """A one-off schedule runs once at its next time, unless that run is skipped."""
    now = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)
    one_off = Schedule("S5", hour=17, minute=0, duration=30, enabled=True)
    runs = list(schedule_runs(one_off, now, UTC))
    assert [run.start for run in runs] == [datetime(2026, 7, 2, 17, 0, tzinfo=UTC)]
    skipped = Schedule(
        "S5", hour=17, minute=0, duration=30, enabled=True, skip_next=True
    )
    assert list(schedule_runs(skipped, now, UTC)) == []
