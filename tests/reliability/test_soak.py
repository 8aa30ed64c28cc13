"""A bounded soak: 2,000 polls of 20 devices with 5 % random faults.

Time comes from the test clock (the freezer): each refresh advances it by one
update interval, so slow data (schedules, configuration) is fetched every ten
minutes of simulated time exactly as in production, and the simulated day
and a half takes well under a minute of real time.

What is measured: refreshes that succeeded and failed, logins, the longest
streak of polls a device stayed unavailable, and the Python heap between the
end of the first and of the last quarter. Asserted: every failure is one the
simulator injected, no login beyond setup's, no device stays unavailable once
its requests succeed, and nothing grows with the number of refreshes (heap,
objects, tasks, timers, connections, the coordinator's own bookkeeping).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
import gc
import logging
import re
import sys
import time

import freezegun.api
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    get_scheduled_timer_handles,
)

from custom_components.moogo.const import CONF_API_URL, DOMAIN, UPDATE_INTERVAL
from moogo_sim import MoogoSimulator
from tests.common import LOGIN_ROUTE

from .common import has_traceback, temperature_entity
from .report import COLLECTOR

REFRESHES = 2000
DEVICES = 20
ERROR_RATE = 0.05
SEED = 20261124
SOAK_EMAIL = "soak@example.com"
SOAK_PASSWORD = "Soak-Secret-Pass-5"
# Heap blocks (pymalloc) the last three quarters may add in total: caches
# that fill once are done by the end of the first quarter, so a leak of a
# single small object per refresh (1,500 blocks) already fails.
MAX_BLOCK_GROWTH = 1_500
MAX_OBJECT_GROWTH = 1_000
# A device is unavailable in a poll only if that poll's list or its own
# detail request failed; with 5 % faults, long streaks are vanishingly rare.
MAX_STREAK = 6
NOISY_LOGGERS = ("", "custom_components.moogo", "moogo_sim", "homeassistant", "aiohttp")


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Run the soak without asyncio's debug mode (HA's plugin turns it on).

    Debug mode records a traceback for every callback scheduled; over the
    ~45,000 HTTP exchanges of the soak that alone costs minutes. The matrix
    and the other tests keep it on.
    """
    return


class _Counting(logging.Handler):
    """Counts records by level and keeps only those with a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.levels: Counter[str] = Counter()
        # Distinct WARNING+ messages (numbers masked), so a flood shows as one.
        self.warnings: Counter[str] = Counter()
        self.tracebacks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.levels[record.levelname] += 1
        if record.levelno < logging.WARNING:
            return
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        self.warnings[re.sub(r"\b(MG)?[0-9A-F]{6,}\b|\d+", "#", text)[:160]] += 1
        if has_traceback(record):
            self.tracebacks.append(text)


@pytest.fixture
def quiet_capture() -> Iterator[_Counting]:
    """Count records instead of keeping them.

    pytest keeps every captured record until the test ends; over 2,000
    refreshes that would be the biggest thing growing, and it is not ours.
    """
    root = logging.getLogger()
    kept = [(handler, handler.level) for handler in root.handlers]
    for handler, _ in kept:
        handler.setLevel(logging.CRITICAL + 1)
    # DEBUG records are for the matrix and the secret checks; here they
    # would only cost time.
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    counting = _Counting()
    root.addHandler(counting)
    try:
        yield counting
    finally:
        root.removeHandler(counting)
        for handler, level in kept:
            handler.setLevel(level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@dataclass
class Sample:
    """The heap and the bounded structures at one moment."""

    blocks: int
    objects: int
    tasks: int
    timers: int
    connections: int
    bookkeeping: int


@dataclass
class Soak:
    """Running totals of the soak."""

    ok: int = 0
    failed: int = 0
    streaks: dict[str, int] = field(default_factory=dict)
    longest: int = 0
    unavailable_polls: int = 0
    samples: list[Sample] = field(default_factory=list)


def _sample(hass: HomeAssistant, entry: MockConfigEntry) -> Sample:
    gc.collect()
    coordinator = entry.runtime_data
    connector = async_get_clientsession(hass).connector
    assert connector is not None
    return Sample(
        blocks=sys.getallocatedblocks(),
        objects=len(gc.get_objects()),
        tasks=len(hass._tasks) + len(hass._background_tasks),
        timers=sum(
            1 for h in get_scheduled_timer_handles(hass.loop) if not h.cancelled()
        ),
        connections=sum(len(c) for c in connector._conns.values()),
        bookkeeping=len(coordinator.commands._pending)
        + len(coordinator.commands._started)
        + len(coordinator.commands._stop_timers)
        + len(coordinator.commands._end_timers)
        + len(coordinator._unavailable)
        + len(coordinator.reader._listed)
        + len(coordinator.reader._slow_due),
    )


@pytest.mark.freeze_time("2026-07-01T00:00:00+00:00", real_asyncio=True)
async def test_soak(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    socket_enabled: None,
    quiet_capture: _Counting,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2,000 refreshes, 20 devices, 5 % faults: correct, bounded, recovering."""
    sim = MoogoSimulator(reaction_delay=0)
    account = sim.add_account(SOAK_EMAIL, SOAK_PASSWORD)
    device_ids = [
        sim.add_device(SOAK_EMAIL, name=f"Soak {n:02d}").device_id
        for n in range(DEVICES)
    ]
    await sim.start()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=SOAK_EMAIL,
        unique_id=account.user_id,
        data={
            CONF_EMAIL: SOAK_EMAIL,
            CONF_PASSWORD: SOAK_PASSWORD,
            CONF_API_URL: sim.url,
        },
    )
    entry.add_to_hass(hass)
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        coordinator = entry.runtime_data
        temperatures = {d: temperature_entity(hass, d) for d in device_ids}
        sim.faults.update({"error_rate": ERROR_RATE, "seed": SEED})
        sim.reset_counts()
        soak = Soak(streaks=dict.fromkeys(device_ids, 0))
        # freezegun walks the call stack on every clock read to honour its
        # ignore list; the soak reads the clock ~100 times per request.
        monkeypatch.setattr(freezegun.api, "call_stack_inspection_limit", 0)
        started = time.process_time()
        for number in range(1, REFRESHES + 1):
            freezer.tick(UPDATE_INTERVAL)
            await coordinator.async_refresh()
            if coordinator.last_update_success:
                soak.ok += 1
            else:
                soak.failed += 1
            for device_id, entity_id in temperatures.items():
                if hass.states.get(entity_id).state == STATE_UNAVAILABLE:
                    soak.streaks[device_id] += 1
                    soak.unavailable_polls += 1
                    soak.longest = max(soak.longest, soak.streaks[device_id])
                else:
                    soak.streaks[device_id] = 0
            if number % (REFRESHES // 4) == 0:
                soak.samples.append(_sample(hass, entry))
        cpu_seconds = time.process_time() - started
        monkeypatch.undo()
        injected = sim.total_requests
        logins = sim.request_counts.get(LOGIN_ROUTE, 0)

        # The fault clears: one poll brings every device back.
        sim.reset_faults()
        freezer.tick(UPDATE_INTERVAL)
        await coordinator.async_refresh()
        assert coordinator.last_update_success
        assert all(
            hass.states.get(e).state != STATE_UNAVAILABLE for e in temperatures.values()
        )
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        await sim.stop()

    first, *_, last = soak.samples
    growth = {
        "blocks": last.blocks - first.blocks,
        "objects": last.objects - first.objects,
    }
    # Every refresh is accounted for, and every failure was injected: the
    # list request failed (5 % of refreshes) and nothing else ends a refresh.
    assert soak.ok + soak.failed == REFRESHES
    assert 0 < soak.failed < REFRESHES * ERROR_RATE * 2
    assert logins == 0, "5xx answers must never cause a login"
    assert soak.longest <= MAX_STREAK
    assert not quiet_capture.tracebacks, quiet_capture.tracebacks
    # Nothing grows with the number of refreshes.
    assert growth["blocks"] <= MAX_BLOCK_GROWTH, soak.samples
    assert growth["objects"] <= MAX_OBJECT_GROWTH, soak.samples
    for attribute in ("tasks", "timers", "bookkeeping"):
        assert getattr(last, attribute) <= getattr(first, attribute) + 2, soak.samples
    assert last.connections <= DEVICES + 1, soak.samples

    COLLECTOR.record_section(
        "soak",
        [
            (
                "refreshes",
                f"{REFRESHES}",
                f"{DEVICES} devices, one every 30 s of test clock",
            ),
            (
                "simulated time",
                f"{REFRESHES * UPDATE_INTERVAL.total_seconds() / 3600:.1f} h",
                "freezer",
            ),
            ("requests", f"{injected}", f"error_rate={ERROR_RATE}, seed={SEED}"),
            ("refreshes ok", f"{soak.ok}", ""),
            (
                "refreshes failed",
                f"{soak.failed}",
                "only when the device list itself failed",
            ),
            ("logins", f"{logins}", "0 allowed: no 401 was injected"),
            (
                "device polls unavailable",
                f"{soak.unavailable_polls}",
                f"of {REFRESHES * DEVICES}",
            ),
            (
                "longest unavailable streak",
                f"{soak.longest} polls ({soak.longest * 30} s)",
                f"<= {MAX_STREAK}",
            ),
            (
                "back after the faults stop",
                "all 20 devices at the next poll",
                "asserted",
            ),
            (
                "heap growth, quarter 1 -> 4",
                f"{growth['blocks']:+d} blocks",
                f"<= {MAX_BLOCK_GROWTH}",
            ),
            (
                "object growth, quarter 1 -> 4",
                f"{growth['objects']:+d} objects",
                f"<= {MAX_OBJECT_GROWTH}",
            ),
            (
                "tasks / timers / open connections at the end",
                f"{last.tasks} / {last.timers} / {last.connections}",
                "same as after quarter 1",
            ),
            (
                "log records (INFO and up)",
                ", ".join(f"{k} {v}" for k, v in sorted(quiet_capture.levels.items())),
                "no traceback at WARNING or above",
            ),
            *[
                (f"{count} x", message, "")
                for message, count in quiet_capture.warnings.most_common(5)
            ],
            ("CPU time", f"{cpu_seconds:.0f} s", "without asyncio debug mode"),
        ],
    )
