"""Spray records in Home Assistant's long-term statistics, against the simulator."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
import logging
import random
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.components.recorder.statistics import (
    list_statistic_ids,
    statistics_during_period,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.moogo.const import (
    DOMAIN,
    HISTORY_AFTER_MIST_DELAY,
    HISTORY_BACKFILL,
    HISTORY_READ_INTERVAL,
    HISTORY_READ_SPACING,
    UPDATE_INTERVAL,
)
from custom_components.moogo.history import MISTING_TIME, MISTS, statistic_id
from moogo_sim import FaultConfig
from tests.common import GARDEN_ID, PATIO_ID, Cloud, advance

LOGS_ROUTE = "GET /v1/devices/{device_id}/logs"
#: A Wednesday afternoon; neither device's six-hourly turn falls between
#: 18:00 and 18:30 (the Patio's are at xx:36, the Garden's at xx:45).
NOW = datetime(2026, 7, 1, 18, 20, 11, tzinfo=UTC)
HOUR = timedelta(hours=1)
FIRST_HOUR = NOW.replace(minute=0, second=0) - HISTORY_BACKFILL
DAY = 86400

EXPECTED_METADATA = {
    "has_sum": True,
    "mean_type": 0,
    "name": "Patio misting time",
    "source": DOMAIN,
    "statistics_unit_of_measurement": "s",
    "unit_class": "duration",
}

type Hours = dict[datetime, tuple[float, float]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_db_url: str, enable_custom_integrations: None
) -> None:
    """Load this repository's integration; the database is ready before ``hass``.

    ``recorder_mock`` asks for the database URL, which must come before
    ``hass`` is set up: tests that want the recorder then just ask for it.
    """


@pytest.fixture
def seeded(cloud: Cloud, freezer: FrozenDateTimeFactory) -> Cloud:
    """The cloud at ``NOW`` with a week of mists on both devices, and odd records."""
    freezer.move_to(NOW)
    draws = random.Random(7)  # noqa: S311 - test data
    for device_id in (PATIO_ID, GARDEN_ID):
        for days_ago in range(7, 0, -1):
            for _ in range(draws.choice((2, 3))):
                ended_at = NOW.timestamp() - days_ago * DAY + draws.randrange(DAY)
                cloud.sim.add_spray_record(
                    device_id, ended_at, draws.choice((45, 60, 90))
                )
    # Two in the current hour, so its row is filled before the hour ends.
    cloud.sim.add_spray_record(PATIO_ID, NOW.timestamp() - 600, 60)
    cloud.sim.add_spray_record(PATIO_ID, NOW.timestamp() - 300, 30)
    # Older than the backfill (yet inside the dates asked), and a record with
    # a length that is no length: neither counts.
    cloud.sim.add_spray_record(PATIO_ID, FIRST_HOUR.timestamp() - 6 * 3600, 80)
    cloud.sim.add_spray_record(PATIO_ID, NOW.timestamp() - 2 * DAY, -5)
    return cloud


@pytest.fixture
async def entry(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    seeded: Cloud,
    config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """The integration, set up on the seeded cloud with the recorder running."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


def _history_reads(cloud: Cloud) -> int:
    return cloud.sim.request_counts.get(LOGS_ROUTE, 0)


async def _read_both(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let both devices' reads go out, one spacing apart, and land."""
    for _ in range(2):
        await advance(hass, freezer, HISTORY_READ_SPACING)
    await async_wait_recording_done(hass)


def _expected(cloud: Cloud, device_id: str) -> tuple[Hours, Hours]:
    """The simulator's own record per hour: (seconds, mists) with running sums."""
    seconds: dict[datetime, float] = {}
    mists: dict[datetime, float] = {}
    for record in cloud.sim.device(device_id).spray_records:
        hour = datetime.fromtimestamp(record.ended_at, UTC).replace(
            minute=0, second=0, microsecond=0
        )
        if hour >= FIRST_HOUR and record.seconds >= 0:
            seconds[hour] = seconds.get(hour, 0.0) + record.seconds
            mists[hour] = mists.get(hour, 0.0) + 1
    return _with_sums(seconds), _with_sums(mists)


def _with_sums(states: Mapping[datetime, float]) -> Hours:
    total = 0.0
    hours: Hours = {}
    for hour in sorted(states):
        total += states[hour]
        hours[hour] = (states[hour], total)
    return hours


async def _imported(hass: HomeAssistant, device_id: str) -> tuple[Hours, Hours]:
    """The recorder's rows of a device, the hours without mists left out."""
    found: list[Hours] = []
    for kind in (MISTING_TIME, MISTS):
        rows = await _rows(hass, statistic_id(device_id, kind))
        found.append(
            {
                datetime.fromtimestamp(row["start"], UTC): (row["state"], row["sum"])
                for row in rows
                if row["state"]
            }
        )
    return found[0], found[1]


async def _rows(hass: HomeAssistant, statistic: str) -> list[dict[str, Any]]:
    stats = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        FIRST_HOUR - timedelta(days=30),
        None,
        {statistic},
        "hour",
        None,
        {"state", "sum"},
    )
    return [dict(row) for row in stats.get(statistic, [])]


async def _statistic_ids(hass: HomeAssistant) -> set[str]:
    found = await get_instance(hass).async_add_executor_job(list_statistic_ids, hass)
    return {item["statistic_id"] for item in found if item["source"] == DOMAIN}


async def test_backfill_goes_out_one_device_at_a_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seeded: Cloud,
    entry: MockConfigEntry,
) -> None:
    """No read at start-up; then one device per spacing, each read once."""
    assert _history_reads(seeded) == 0

    reads = []
    for _ in range(4):
        await advance(hass, freezer, HISTORY_READ_SPACING)
        reads.append(_history_reads(seeded))

    assert reads == [1, 2, 2, 2]


async def test_the_seeded_week_is_imported_hour_by_hour(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seeded: Cloud,
    entry: MockConfigEntry,
) -> None:
    """Every hour's misting time and mists, and the sums, are the cloud's."""
    await _read_both(hass, freezer)

    for device_id in (PATIO_ID, GARDEN_ID):
        assert await _imported(hass, device_id) == _expected(seeded, device_id)
    rows = await _rows(hass, statistic_id(PATIO_ID, MISTING_TIME))
    # One row per hour from the backfill's start to the current hour.
    assert len(rows) == 30 * 24 + 1
    assert rows[0]["start"] == FIRST_HOUR.timestamp()
    assert rows[-1]["state"] == 90.0
    found = await get_instance(hass).async_add_executor_job(list_statistic_ids, hass)
    metadata = {item["statistic_id"]: item for item in found}
    patio = metadata["moogo:mgpatio0001_misting_time"]
    assert {key: patio[key] for key in EXPECTED_METADATA} == EXPECTED_METADATA
    assert metadata["moogo:mggarden002_mists"]["name"] == "Garden mists"
    assert metadata["moogo:mggarden002_mists"]["unit_class"] is None


async def test_no_mist_is_counted_twice(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seeded: Cloud,
    entry: MockConfigEntry,
) -> None:
    """A reload, a record listed late in an imported hour, and reads that overlap."""
    await _read_both(hass, freezer)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await _read_both(hass, freezer)
    # Both were imported on this turn: the recorder says so after the reload.
    assert _history_reads(seeded) == 2

    # A device that was offline reports a mist of three hours ago.
    seeded.sim.add_spray_record(PATIO_ID, NOW.timestamp() - 3 * 3600 + 120, 75)
    await advance(hass, freezer, HISTORY_READ_INTERVAL)
    await _read_both(hass, freezer)
    assert _history_reads(seeded) == 4
    seconds, mists = await _imported(hass, PATIO_ID)
    assert (seconds, mists) == _expected(seeded, PATIO_ID)
    true_total = sum(
        record.seconds
        for record in seeded.sim.device(PATIO_ID).spray_records
        if record.ended_at >= FIRST_HOUR.timestamp() and record.seconds >= 0
    )
    assert seconds[max(seconds)][1] == true_total

    # Read again: the range overlaps everything read before, nothing moves.
    rows_before = await _rows(hass, statistic_id(PATIO_ID, MISTING_TIME))
    await advance(hass, freezer, HISTORY_READ_INTERVAL)
    await _read_both(hass, freezer)
    assert _history_reads(seeded) == 6
    rows_after = await _rows(hass, statistic_id(PATIO_ID, MISTING_TIME))
    assert rows_after[: len(rows_before)] == rows_before
    assert {row["sum"] for row in rows_after[len(rows_before) :]} == {true_total}
    assert await _imported(hass, GARDEN_ID) == _expected(seeded, GARDEN_ID)


async def test_a_mist_end_reads_that_device_soon_after(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seeded: Cloud,
    entry: MockConfigEntry,
) -> None:
    """Polls read no history; a mist's end does, once, a minute later."""
    await _read_both(hass, freezer)
    seeded.sim.reset_counts()
    for _ in range(10):
        await advance(hass, freezer, UPDATE_INTERVAL)
    assert _history_reads(seeded) == 0

    seeded.sim.device(PATIO_ID).start_spraying(seeded.sim.now(), 0)  # 60 s
    await advance(hass, freezer, UPDATE_INTERVAL)
    await advance(hass, freezer, timedelta(seconds=60))  # the poll sees it end
    assert _history_reads(seeded) == 0

    await advance(hass, freezer, HISTORY_AFTER_MIST_DELAY)
    await async_wait_recording_done(hass)

    assert _history_reads(seeded) == 1
    assert await _imported(hass, PATIO_ID) == _expected(seeded, PATIO_ID)


async def test_a_failing_history_changes_nothing_until_it_answers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seeded: Cloud,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Entities stay as they were; one warning per device; the next turn imports."""
    states = {state.entity_id: state for state in hass.states.async_all()}
    seeded.sim.faults = FaultConfig(error_rate=1.0, paths=["/logs"])

    await _read_both(hass, freezer)
    assert _history_reads(seeded) == 2
    assert {state.entity_id: state for state in hass.states.async_all()} == states
    assert entry.state is ConfigEntryState.LOADED
    await advance(hass, freezer, HISTORY_READ_SPACING)  # no retry before the turn
    assert _history_reads(seeded) == 2
    await advance(hass, freezer, HISTORY_READ_INTERVAL)
    await _read_both(hass, freezer)
    assert _history_reads(seeded) == 4

    assert await _statistic_ids(hass) == set()
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "Spray history" in record.getMessage()
    ]
    assert len(warnings) == 2, warnings

    seeded.sim.reset_faults()
    await advance(hass, freezer, HISTORY_READ_INTERVAL)
    await _read_both(hass, freezer)
    assert await _imported(hass, PATIO_ID) == _expected(seeded, PATIO_ID)
    assert await _imported(hass, GARDEN_ID) == _expected(seeded, GARDEN_ID)


async def test_without_the_recorder_nothing_is_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seeded: Cloud,
    config_entry: MockConfigEntry,
) -> None:
    """No recorder: no history request, at start, after a mist or on a turn."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    seeded.sim.device(PATIO_ID).start_spraying(seeded.sim.now(), 0)
    await advance(hass, freezer, UPDATE_INTERVAL)
    await advance(hass, freezer, timedelta(minutes=3))
    await advance(hass, freezer, HISTORY_READ_INTERVAL)
    await advance(hass, freezer, HISTORY_READ_SPACING)
    assert _history_reads(seeded) == 0

    await hass.config_entries.async_remove(config_entry.entry_id)
    assert "recorder" not in hass.config.components


async def test_a_device_gone_from_the_account_loses_its_statistics(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seeded: Cloud,
    entry: MockConfigEntry,
) -> None:
    """HA removes the device, and its statistics go with it; a mist's read too."""
    await _read_both(hass, freezer)
    assert len(await _statistic_ids(hass)) == 4
    seeded.sim.device(GARDEN_ID).start_spraying(seeded.sim.now(), 0)
    await advance(hass, freezer, UPDATE_INTERVAL)
    await advance(hass, freezer, timedelta(seconds=90))  # ended: a read is due

    seeded.sim.remove_device(GARDEN_ID)
    seeded.sim.reset_counts()
    await advance(hass, freezer, UPDATE_INTERVAL)
    await advance(hass, freezer, HISTORY_AFTER_MIST_DELAY)
    await async_wait_recording_done(hass)

    assert (
        dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, GARDEN_ID), entry.entry_id
        )
        is None
    )
    assert _history_reads(seeded) == 0
    assert await _statistic_ids(hass) == {
        statistic_id(PATIO_ID, MISTING_TIME),
        statistic_id(PATIO_ID, MISTS),
    }


async def test_a_device_removed_while_unloaded_loses_its_statistics(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seeded: Cloud,
    entry: MockConfigEntry,
) -> None:
    """Removed at the first poll of the next start, before anyone listens.

    The Patio's mists of meanwhile come in on its next turn.
    """
    await _read_both(hass, freezer)
    # A mist ends; the entry unloads before its read, which then never comes.
    seeded.sim.device(PATIO_ID).start_spraying(seeded.sim.now(), 0)
    await advance(hass, freezer, UPDATE_INTERVAL)
    await advance(hass, freezer, timedelta(seconds=60))
    assert await hass.config_entries.async_unload(entry.entry_id)
    seeded.sim.remove_device(GARDEN_ID)
    seeded.sim.reset_counts()
    seeded.sim.add_spray_record(PATIO_ID, seeded.sim.now(), 45)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _read_both(hass, freezer)

    assert await _statistic_ids(hass) == {
        statistic_id(PATIO_ID, MISTING_TIME),
        statistic_id(PATIO_ID, MISTS),
    }
    # The Patio's turn had not come since its import: not read again yet.
    assert _history_reads(seeded) == 0
    await advance(hass, freezer, HISTORY_READ_INTERVAL)
    await async_wait_recording_done(hass)
    assert _history_reads(seeded) == 1
    assert await _imported(hass, PATIO_ID) == _expected(seeded, PATIO_ID)


async def test_removing_the_entry_removes_its_statistics(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seeded: Cloud,
    entry: MockConfigEntry,
) -> None:
    """The account's devices leave Home Assistant, their statistics too."""
    await _read_both(hass, freezer)
    assert len(await _statistic_ids(hass)) == 4

    await hass.config_entries.async_remove(entry.entry_id)
    await async_wait_recording_done(hass)

    assert await _statistic_ids(hass) == set()
