"""One benchmark run for one device count.

Three Home Assistant instances, one after another, against one simulator:

1. a first setup (with a login), timed refreshes, and a command;
2. a restart: a new instance with the entry data the first one stored;
3. the memory measurement (tracemalloc slows everything, so it runs alone).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
import gc
import statistics
from time import perf_counter
import tracemalloc
from typing import Any

from homeassistant.runner import configure_event_loop

from custom_components.moogo.const import (
    CONF_TOKEN,
    SLOW_UPDATE_INTERVAL,
    UPDATE_INTERVAL,
)

from .cloud import LOGIN_ROUTE, CloudInfo, CloudProcess
from .harness import (
    RefreshSamples,
    Stall,
    StallMonitor,
    age_slow_data,
    coordinator_of,
    home_assistant,
    make_entry,
    measure_turn_on,
    setup_entry,
    timed_refreshes,
)

type Log = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    """What every run shares."""

    latency: float = 0.05
    reaction_delay: float = 3.0
    refreshes: int = 20
    slow_refreshes: int = 5
    drift: bool = True
    memory: bool = True


def per_refresh(counts: dict[str, int], refreshes: int) -> dict[str, float]:
    """Average requests per refresh, by endpoint."""
    return {key: value / refreshes for key, value in sorted(counts.items())}


def per_hour(fast: dict[str, float], slow: dict[str, float] | None) -> dict[str, float]:
    """Return requests per hour by endpoint at the integration's default intervals.

    Every poll is a fast one except one per slow interval, which also reads
    the slow data (schedules, configuration).
    """
    polls = 3600 / UPDATE_INTERVAL.total_seconds()
    slow_polls = 3600 / SLOW_UPDATE_INTERVAL.total_seconds() if slow else 0.0
    hourly: defaultdict[str, float] = defaultdict(float)
    for key, value in fast.items():
        hourly[key] += value * (polls - slow_polls)
    for key, value in (slow or {}).items():
        hourly[key] += value * slow_polls
    return dict(sorted(hourly.items()))


def _stalls(stalls: list[Stall]) -> dict[str, Any]:
    """Longest stalls (wall clock, code only) and GC pass, in milliseconds."""
    if not stalls:
        return {
            "max_stall_ms": None,
            "max_stall_code_ms": None,
            "max_gc_pause_ms": None,
            "full_gc_passes": 0,
        }
    return {
        "max_stall_ms": max(stall.wall for stall in stalls) * 1000,
        "max_stall_code_ms": max(stall.code for stall in stalls) * 1000,
        "max_gc_pause_ms": max(stall.gc for stall in stalls) * 1000,
        "full_gc_passes": sum(stall.full_gcs for stall in stalls),
        "stalls_ms": [round(stall.wall * 1000, 1) for stall in stalls],
        "stalls_code_ms": [round(stall.code * 1000, 1) for stall in stalls],
        "gc_pauses_ms": [round(stall.gc * 1000, 1) for stall in stalls],
    }


def _refreshes(samples: RefreshSamples, counts: dict[str, int]) -> dict[str, Any]:
    seconds = samples.seconds
    requests = per_refresh(counts, len(seconds)) if seconds else None
    return {
        "median_s": statistics.median(seconds) if seconds else None,
        "max_s": max(seconds) if seconds else None,
        "min_s": min(seconds) if seconds else None,
        "samples_s": [round(value, 5) for value in seconds],
        "returned_median_s": statistics.median(samples.returned)
        if samples.returned
        else None,
        "cpu_median_ms": statistics.median(samples.cpu) * 1000 if samples.cpu else None,
        "cpu_samples_ms": [round(value * 1000, 2) for value in samples.cpu],
        "failed": samples.failed,
        **_stalls(samples.stalls),
        "requests": sum(requests.values()) if requests is not None else None,
        "requests_by_endpoint": requests,
    }


def _full_collection() -> tuple[int, float]:
    """Count the objects the collector tracks, and time one full collection."""
    gc.collect()
    start = perf_counter()
    gc.collect()
    return len(gc.get_objects()), perf_counter() - start


async def _first_instance(
    cloud: CloudProcess, options: Options, monitor: StallMonitor, log: Log
) -> tuple[dict[str, Any], Any]:
    """Set up with a login, poll, send a command; return results and the token."""
    info = cloud.info
    async with home_assistant() as hass:
        heap_before = _full_collection()
        await cloud.reset_counts()
        setup = await setup_entry(hass, make_entry(info), monitor)
        setup_counts = await cloud.counts()
        log(f"  first setup: {setup.seconds:.3f} s, {setup.entities} entities")
        coordinator = coordinator_of(setup.entry)
        # One unmeasured refresh warms up connections and caches.
        await coordinator.async_refresh()

        await cloud.reset_counts()
        fast = await timed_refreshes(coordinator, options.refreshes, monitor)
        fast_counts = await cloud.counts()
        log(
            f"  fast refresh: median {statistics.median(fast.seconds):.3f} s, "
            f"max {max(fast.seconds):.3f} s"
        )

        await cloud.reset_counts()
        slow = await timed_refreshes(
            coordinator,
            options.slow_refreshes,
            monitor,
            before_each=lambda: age_slow_data(coordinator),
        )
        slow_counts = await cloud.counts()
        if slow.seconds:
            log(f"  slow refresh: median {statistics.median(slow.seconds):.3f} s")
        heap_after = _full_collection()

        command = await measure_turn_on(
            hass,
            coordinator,
            info.device_ids[0],
            confirm_timeout=options.reaction_delay + 30,
            reset_counts=cloud.reset_counts,
        )
        command_counts = await cloud.counts()
        confirmed = (
            "never"
            if command.confirmed is None
            else f"{command.confirmed - command.returned:.3f} s later"
        )
        log(f"  turn_on: returned in {command.returned:.3f} s, confirmed {confirmed}")
        token = setup.entry.data.get(CONF_TOKEN)

    fast_result = _refreshes(fast, fast_counts)
    slow_result = _refreshes(slow, slow_counts)
    hourly = per_hour(
        fast_result["requests_by_endpoint"], slow_result["requests_by_endpoint"]
    )
    devices = len(info.device_ids)
    results = {
        "entities": setup.entities,
        "entities_per_device": setup.entities / devices,
        "refresh": {"fast": fast_result, "slow": slow_result},
        "requests_per_hour": {
            "total": sum(hourly.values()),
            "per_device": sum(hourly.values()) / devices,
            "by_endpoint": hourly,
            "by_endpoint_per_device": {
                key: value / devices for key, value in hourly.items()
            },
        },
        "heap": {
            "objects_before_setup": heap_before[0],
            "full_gc_before_setup_ms": heap_before[1] * 1000,
            "objects_with_entry": heap_after[0],
            "full_gc_with_entry_ms": heap_after[1] * 1000,
            "objects_per_device": (heap_after[0] - heap_before[0]) / devices,
        },
        "setup": {
            "seconds": setup.seconds,
            "entities_with_state": setup.entities_with_state,
            "unavailable": setup.unavailable,
            **_stalls([setup.stall]),
            "requests_by_endpoint": dict(sorted(setup_counts.items())),
        },
        "command": {
            "service": "switch.turn_on (Spray)",
            "returned_s": command.returned,
            "shown_s": command.shown,
            "shown_on_return": command.shown_on_return,
            "confirmed_s": command.confirmed,
            "confirmed_after_return_s": None
            if command.confirmed is None
            else command.confirmed - command.returned,
            "requests_by_endpoint": dict(sorted(command_counts.items())),
        },
    }
    return results, token


async def _restart(
    cloud: CloudProcess, token: Any, monitor: StallMonitor, log: Log
) -> dict[str, Any]:
    """Set up again in a new instance, with the entry data the first one stored."""
    async with home_assistant() as hass:
        await cloud.reset_counts()
        restart = await setup_entry(hass, make_entry(cloud.info, token), monitor)
        counts = await cloud.counts()
    log(f"  restart: {restart.seconds:.3f} s, {counts.get(LOGIN_ROUTE, 0)} login(s)")
    return {
        "seconds": restart.seconds,
        "logins": counts.get(LOGIN_ROUTE, 0),
        "token_stored": token is not None,
        "entities_with_state": restart.entities_with_state,
        "unavailable": restart.unavailable,
        **_stalls([restart.stall]),
        "requests_by_endpoint": dict(sorted(counts.items())),
    }


async def _memory(
    info: CloudInfo, token: Any, monitor: StallMonitor, log: Log
) -> dict[str, Any]:
    """Python memory the entry holds once set up and polled (tracemalloc).

    The instance exists before tracing starts and the integration's modules
    are imported already, so what is traced is the entry's own data: the
    coordinator's snapshot, entities, states and registry entries.
    """
    async with home_assistant() as hass:
        gc.collect()
        tracemalloc.start()
        start = perf_counter()
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            setup = await setup_entry(hass, make_entry(info, token), monitor)
            coordinator = coordinator_of(setup.entry)
            for _ in range(2):
                await coordinator.async_refresh()
            gc.collect()
            retained = tracemalloc.get_traced_memory()[0] - baseline
        finally:
            tracemalloc.stop()
        seconds = perf_counter() - start
    devices = len(info.device_ids)
    log(f"  memory: {retained / devices / 1024:.1f} KiB per device")
    return {
        "retained_bytes": retained,
        "per_device_kib": retained / devices / 1024,
        "seconds_traced": seconds,
    }


async def run(devices: int, options: Options, log: Log) -> dict[str, Any]:
    """Measure everything for ``devices`` devices; return JSON-ready results."""
    # As Home Assistant (and the plugin's fixtures) set up their loop.
    configure_event_loop(asyncio.get_running_loop())
    result: dict[str, Any] = {"devices": devices}
    async with CloudProcess(
        devices,
        latency=options.latency,
        reaction_delay=options.reaction_delay,
        drift=options.drift,
    ) as cloud:
        monitor = StallMonitor()
        monitor.start()
        try:
            first, token = await _first_instance(cloud, options, monitor, log)
            result.update(first)
            gc.collect()
            result["restart"] = await _restart(cloud, token, monitor, log)
            gc.collect()
            result["memory"] = (
                await _memory(cloud.info, token, monitor, log)
                if options.memory
                else None
            )
        finally:
            await monitor.stop()
    return result
