"""Every fault in the background phase: the message rounds and spray-record reads.

One test per fault, in the fault matrix's background column. The entry runs
with the recorder, so that the spray records become statistics; both devices
mist once (their records are read a minute after the poll sees the end),
then the fault strikes while a message is filed for the account, a message
round runs and both records are read. A failed background read must leave
every entity, event and statistic as it was; only a fault that also breaks
the poll may change what the entities show, and the outcome says so. Once
the fault clears, the next round fires the message once and the next mist's
read imports every record.

The real clock runs, as in test_fault_matrix.py: HA's timers are fired with
``tick``. A read that failed waits for the device's six-hourly turn, which
the real clock does not reach, so recovery is shown by the next mist's read.
The first import's backfill is shortened to three days (as the request time
limit is shortened): the same rows and paths, a tenth of the recorder's work.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.moogo.const import (
    DOMAIN,
    HISTORY_AFTER_MIST_DELAY,
    HISTORY_READ_SPACING,
    UPDATE_INTERVAL,
)
from custom_components.moogo.event import ACCOUNT_MESSAGES
from custom_components.moogo.history import KINDS, MISTING_TIME, MISTS, statistic_id
from custom_components.moogo.messages import FIRST_ROUND_DELAY, ROUND_INTERVAL
from tests.common import DEVICE_NAMES, EMAIL, GARDEN_ID, Cloud, tick

from .common import (
    EntryFacts,
    assert_entry_survived,
    complete_reauth,
    entry_view,
    reauth_flows,
)
from .conftest import Guard
from .matrix import BACKGROUND_PATHS, FAULTS, Fault, phase
from .test_fault_matrix import (
    LATENCY,
    SLOW,
    Case,
    after_lockout,
    finish,
    loaded_entry,
    short_limits,
)

BACKGROUND = phase("background")
# The message the account gets while the fault lasts (a share names no device).
FILED_DURING_FAULT = "Alex shared a device with you"
# The longest a round waits for the hour's request budget, and a minute more.
NEXT_ROUND = timedelta(hours=1, minutes=1)
MIST_SECONDS = 40
# A first import backfills 30 days: 1,442 rows a device, a second of the
# recorder's time each. Three days keep the same path (more rows than the
# 48 h a later read recomputes) at a tenth of the cost.
SHORT_BACKFILL = timedelta(days=3)
NO_ROW = "no statistics row"

type Rows = dict[str, list[tuple[float, float | None, float | None]]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_db_url: str, enable_custom_integrations: None
) -> None:
    """Load this repository's integration; the database is ready before ``hass``."""


@pytest.fixture(autouse=True)
def _quiet_recorder() -> Iterator[None]:
    """Keep the recorder's SQL out of the log: thousands of records a test to scan."""
    logger = logging.getLogger("sqlalchemy.engine")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


# -- the fault, on the background reads' endpoints where it can be ------------


async def inject(case: Case) -> None:
    """Break the cloud the way the background phase says, then start counting."""
    sim = case.cloud.sim
    scoped: dict[str, Any] = {"paths": list(BACKGROUND_PATHS)}
    match case.fault.key:
        case "timeout":
            sim.faults.update(scoped | {"path_latency": LATENCY})
        case "slow_answers":
            sim.faults.update(scoped | {"path_latency": SLOW})
        case "http_5xx":
            sim.faults.update(scoped | {"http_status": 503})
        case "redirect":
            sim.faults.update(scoped | {"http_status": 307})
        case "throttled":
            sim.faults.update(scoped | {"http_status": 429})
        case "repeating_pages":
            sim.configure(page_size_limit=1)
            sim.faults.update(scoped | {"repeating_pages": True})
        case (
            "html_error"
            | "truncated_json"
            | "null_data"
            | "garbled_total"
            | "no_schedule_switch"
            | "odd_next_run"
        ):
            sim.faults.update(scoped | {case.fault.key: True})
        case "one_device_failing":
            # The Garden's record alone: its other paths are the poll's (the
            # refresh phase), and its detail is read only on its own turn.
            sim.faults.update(
                {"http_status": 500, "paths": [f"/v1/devices/{GARDEN_ID}/logs"]}
            )
        case (
            "connection_refused"
            | "token_revoked"
            | "password_changed"
            | "rate_limit"
            | "device_offline"
            | "unusable_sign_in"
        ):
            # Account, connection and device faults strike every request.
            await case.inject()
        case _:  # pragma: no cover - a new fault needs a branch here
            raise AssertionError(f"unknown fault {case.fault.key}")
    sim.reset_counts()


# -- what the background reads leave behind ----------------------------------


def _account_entity(hass: HomeAssistant, entry: ConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{entry.unique_id}_{ACCOUNT_MESSAGES.key}"
    )
    assert entity_id is not None
    return entity_id


def _states(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, Any]:
    """Every entity of the entry but the account's messages: state and attributes."""
    account = _account_entity(hass, entry)
    shown: dict[str, Any] = {}
    for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        state = hass.states.get(item.entity_id)
        if item.entity_id != account and state is not None:
            shown[item.entity_id] = (state.state, dict(state.attributes))
    return shown


async def _rows(hass: HomeAssistant) -> Rows:
    """Every statistics row of both devices: (start, state, sum)."""
    ids = {
        statistic_id(device_id, kind) for device_id in DEVICE_NAMES for kind in KINDS
    }
    found = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        dt_util.utcnow() - SHORT_BACKFILL - timedelta(days=1),
        None,
        ids,
        "hour",
        None,
        {"state", "sum"},
    )
    return {
        name: [
            (row["start"], row.get("state"), row.get("sum"))
            for row in found.get(name, [])
        ]
        for name in ids
    }


def _imported(cloud: Cloud, rows: Rows, device_id: str) -> bool:
    """Whether the newest sums are the simulator's whole record of the device."""
    records = cloud.sim.device(device_id).spray_records
    totals = {
        MISTING_TIME: float(sum(record.seconds for record in records)),
        MISTS: float(len(records)),
    }
    newest_sums = {
        kind: found[-1][2] if (found := rows[statistic_id(device_id, kind)]) else None
        for kind in totals
    }
    return newest_sums == totals


def _history_views(cloud: Cloud, before: Rows, after: Rows) -> dict[str, str]:
    """Per device: no row written, its whole record imported, or neither."""
    views: dict[str, str] = {}
    for device_id in sorted(DEVICE_NAMES, key=DEVICE_NAMES.__getitem__):
        names = [statistic_id(device_id, kind) for kind in KINDS]
        if all(before[name] == after[name] for name in names):
            views[device_id] = NO_ROW
        elif _imported(cloud, after, device_id):
            views[device_id] = "history imported"
        else:
            views[device_id] = "statistics rewritten wrongly"
    return views


def _history_view(views: dict[str, str]) -> str:
    if len(set(views.values())) == 1:
        return next(iter(views.values()))
    return ", ".join(f"{DEVICE_NAMES[d]}: {view}" for d, view in views.items())


def _poll_view(case: Case, entry: ConfigEntry, before: dict[str, Any]) -> str:
    """The entities as they were, or what the poll made of them (as in refresh)."""
    hass = case.hass
    if _states(hass, entry) == before:
        return "entities as they were"
    view = entry_view(hass, entry)
    if reauth_flows(hass, entry):
        return f"ConfigEntryAuthFailed: reauth flow; {view}"
    if not entry.runtime_data.last_update_success:
        return f"UpdateFailed: {view}"
    return f"refreshed: {view}"


# -- driving the reads -------------------------------------------------------


async def _read_records(hass: HomeAssistant) -> None:
    """Let the queued spray-record reads go out, one spacing apart, and land."""
    for _ in range(3):
        await tick(hass, HISTORY_READ_SPACING)
    await async_wait_recording_done(hass)


async def _mists_end(case: Case) -> None:
    """Both devices mist and stop; a poll sees each end: a record read is due."""
    hass, sim = case.hass, case.cloud.sim
    for device_id in DEVICE_NAMES:
        sim.device(device_id).start_spraying(sim.now() - MIST_SECONDS, 0, 3600)
    await tick(hass, UPDATE_INTERVAL)
    for device_id in DEVICE_NAMES:
        sim.device(device_id).stop_spraying(sim.now(), 0)
    await tick(hass, UPDATE_INTERVAL)


def _failed_reads(case: Case, since: int, text: str) -> int:
    return sum(
        text in record.getMessage() for record in case.guard.caplog.records[since:]
    )


async def run_background(case: Case) -> tuple[str, str]:
    """A message round and the records' reads meet the fault; then they recover."""
    hass, cloud = case.hass, case.cloud
    sim = cloud.sim
    # Old messages (two in a list, so that repeating pages show) and records.
    for number in (1, 2):
        sim.add_message(EMAIL, f"Old news {number}", box="messages")
    for device_id in DEVICE_NAMES:
        sim.add_spray_record(device_id, sim.now() - 7200, 45)
    entry = case.entry = await loaded_entry(case)
    account = _account_entity(hass, entry)
    fired: list[str] = []
    seen: set[str] = set()

    @callback
    def _fired(event: Event[EventStateChangedData]) -> None:
        # The state is the time of the last event: a new time is a new event
        # (a reload shows the last one again, unavailable in between).
        new = event.data["new_state"]
        if new is None or new.state in {STATE_UNAVAILABLE, STATE_UNKNOWN} | seen:
            return
        seen.add(new.state)
        fired.append(new.attributes["title"])

    stop_listening = async_track_state_change_event(hass, account, _fired)
    try:
        return await _fault_and_recovery(case, entry, fired)
    finally:
        stop_listening()


async def _fault_and_recovery(
    case: Case, entry: ConfigEntry, fired: list[str]
) -> tuple[str, str]:
    hass, cloud = case.hass, case.cloud
    sim = cloud.sim
    # The first round sees the lists as they are; both records are imported.
    await tick(hass, FIRST_ROUND_DELAY)
    await _read_records(hass)
    await _mists_end(case)
    before_states, before_rows = _states(hass, entry), await _rows(hass)
    # The mists' records are new to the recorder: a read has something to import.
    assert not any(_imported(cloud, before_rows, d) for d in DEVICE_NAMES)
    facts = EntryFacts.of(entry)
    fired.clear()

    await inject(case)
    sim.add_message(EMAIL, FILED_DURING_FAULT, box="messages")
    since = len(case.guard.caplog.records)
    await tick(hass, ROUND_INTERVAL)  # the round, and both mists' reads queued
    await _read_records(hass)
    case.count_logins()

    messages = "message fired" if fired else "no event"
    assert fired in ([], [FILED_DURING_FAULT])
    if not fired:
        # The round ran and failed (a debug record per list), not skipped.
        assert _failed_reads(case, since, "list failed") >= 1
    views = _history_views(cloud, before_rows, await _rows(hass))
    for device_id, view in views.items():
        if view == NO_ROW:
            # Its read went out and failed, rather than never coming.
            assert _failed_reads(case, since, f"Spray history of {device_id} failed")
    history = _history_view(views)
    observed = f"{_poll_view(case, entry, before_states)}; {messages}; {history}"
    observed += case.issue_suffix(entry)
    assert_entry_survived(hass, facts)

    fired_in_fault = bool(fired)
    await case.clear()
    recovery = ""
    if case.fault.key == "rate_limit":
        recovery = await after_lockout(case) + "; "
    elif reauth_flows(hass, entry):
        await complete_reauth(hass, entry)
        recovery = "reauth answered with the new password: loaded; "
    await tick(hass, NEXT_ROUND)
    assert fired == [FILED_DURING_FAULT]
    recovery += "next round: " + ("no repeat" if fired_in_fault else "message fired")
    await _mists_end(case)
    await tick(hass, HISTORY_AFTER_MIST_DELAY)
    await _read_records(hass)
    rows = await _rows(hass)
    assert all(_imported(cloud, rows, device_id) for device_id in DEVICE_NAMES), rows
    recovery += "; next mist's read: history imported"
    # Fired once: a later round leaves it alone.
    await tick(hass, NEXT_ROUND)
    assert fired == [FILED_DURING_FAULT]
    return observed, recovery


@pytest.mark.parametrize(
    "fault", [pytest.param(f, id=f"{f.key}-{BACKGROUND.key}") for f in FAULTS]
)
async def test_background_fault(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    cloud: Cloud,
    guard: Guard,
    fault: Fault,
) -> None:
    """Inject on the background reads, observe, clear, recover; then every invariant."""
    case = Case(hass, cloud, guard, fault, BACKGROUND)
    with (
        short_limits(),
        patch("custom_components.moogo.history.HISTORY_BACKFILL", SHORT_BACKFILL),
    ):
        try:
            observed, recovery = await run_background(case)
        finally:
            case.stack.close()
    await finish(case, observed, recovery)
