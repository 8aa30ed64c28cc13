"""The real-time runs of one device count, and what the simulated hour shares.

Refreshes, setup, restart, a command, memory and event-loop stalls against
the simulator in its own process; ``benchmarks.hour`` runs this in a fresh
process per device count. Only HA's public surface is used, so that any
version of the integration can be measured.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from datetime import timedelta
import gc
import statistics
import tempfile
from time import perf_counter, process_time, thread_time
import tracemalloc
from typing import Any
from unittest.mock import patch

from aiohttp import ThreadedResolver
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, frame, translation
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.loader import DATA_CUSTOM_COMPONENTS
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

from .cloud import EMAIL, LOGIN, PASSWORD, CloudProcess, device_id

type Log = Callable[[str], None]
type Coordinator = DataUpdateCoordinator[Any]


class _PlainResolver(ThreadedResolver):
    """The system resolver, closable as HA closes its own (which needs zeroconf)."""

    async def real_close(self) -> None:
        """Close (HA calls this when it stops)."""
        await self.close()


@asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """Yield a HA test instance (as the plugin's ``hass`` fixture) with real storage.

    The plugin's in-memory storage serialises registries inside the loop,
    which real HA does in its executor: it would add stalls production lacks.
    """
    with (
        tempfile.TemporaryDirectory(prefix="moogo-bench-") as config_dir,
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            side_effect=lambda hass: _PlainResolver(),
        ),
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            frame.async_setup(hass)
            await translation.async_load_integrations(hass, {"homeassistant"})
            hass.data.pop(DATA_CUSTOM_COMPONENTS, None)  # enable_custom_integrations
            try:
                yield hass
            finally:
                for entry in hass.config_entries.async_entries():
                    if entry.state is ConfigEntryState.LOADED:
                        await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)


def make_entry(url: str, user_id: str, stored: dict[str, Any]) -> MockConfigEntry:
    """Return the benchmark account's entry; ``stored``: what a first setup kept."""
    from custom_components.moogo.const import CONF_API_URL, DOMAIN  # noqa: PLC0415

    data = {**stored, CONF_EMAIL: EMAIL, CONF_PASSWORD: PASSWORD, CONF_API_URL: url}
    return MockConfigEntry(domain=DOMAIN, title=EMAIL, unique_id=user_id, data=data)


def coordinator_of(entry: MockConfigEntry) -> Coordinator:
    """Return the entry's coordinator, or of several the one polling most often."""
    data = entry.runtime_data
    if isinstance(data, DataUpdateCoordinator):
        return data
    found = [
        value
        for name in dir(data)
        if isinstance(value := getattr(data, name, None), DataUpdateCoordinator)
    ]
    return min(found, key=lambda item: item.update_interval or timedelta.max)


def entity_id(hass: HomeAssistant, platform: str, number: int, key: str) -> str:
    """Return the entity id of device ``number``'s entity ``key``."""
    unique_id = f"{device_id(number)}_{key}"
    found = er.async_get(hass).async_get_entity_id(platform, "moogo", unique_id)
    if found is None:
        raise RuntimeError(f"no {platform} entity {unique_id}")
    return found


class StallMonitor:
    """A task that asks to wake every 5 ms; a stall is how much later it wakes.

    Per gap it also takes the loop thread's CPU time minus garbage-collector
    passes ("code"), so neither other processes nor a collection of HA's
    whole heap count there; the longest collector pass is kept apart.
    """

    def __init__(self) -> None:
        """Start ticking on the running loop."""
        self.wall = self.code = self.gc = self._gc_in_gap = 0.0
        self.full_gcs, self._gc_start = 0, 0.0
        self._task = asyncio.create_task(self._tick())
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = perf_counter()
            return
        pause = perf_counter() - self._gc_start
        self._gc_in_gap += pause
        self.gc = max(self.gc, pause)
        self.full_gcs += info.get("generation") == 2

    async def _tick(self) -> None:
        last, last_cpu = perf_counter(), thread_time()
        while True:
            await asyncio.sleep(0.005)
            now, cpu = perf_counter(), thread_time()
            wall = now - last - 0.005
            self.wall = max(self.wall, wall)
            self.code = max(self.code, min(cpu - last_cpu - self._gc_in_gap, wall))
            self._gc_in_gap, last, last_cpu = 0.0, now, cpu

    async def take(self) -> dict[str, float]:
        """Longest stalls since the last call (ms), after letting one just ended count."""
        await asyncio.sleep(0.02)
        taken = {"wall_ms": self.wall, "code_ms": self.code, "gc_ms": self.gc}
        taken = {key: round(max(value, 0) * 1000, 1) for key, value in taken.items()}
        taken["full_gcs"] = self.full_gcs
        self.wall = self.code = self.gc = 0.0
        self.full_gcs = 0
        return taken

    def stop(self) -> None:
        """Stop ticking."""
        gc.callbacks.remove(self._on_gc)
        self._task.cancel()


async def setup(
    hass: HomeAssistant, entry: MockConfigEntry, monitor: StallMonitor | None
) -> dict[str, Any]:
    """Set up ``entry``; seconds until every enabled entity has its first state."""
    entry.add_to_hass(hass)
    first: dict[str, float] = {}

    @callback
    def _on_state(event: Event[EventStateChangedData]) -> None:
        first.setdefault(event.data["entity_id"], perf_counter())

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, _on_state)
    if monitor:
        await monitor.take()
    start = perf_counter()
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"setup failed: {entry.state}")
    await hass.async_block_till_done()
    unsub()
    registry = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    enabled = [item.entity_id for item in registry if not item.disabled]
    seen = [first[item] for item in enabled if item in first]
    return {
        "seconds": max(seen) - start if seen else None,
        "entities": len(enabled),
        "with_state": len(seen),
        "stall": await monitor.take() if monitor else None,
    }


async def refreshes(
    coordinator: Coordinator, count: int, monitor: StallMonitor, slow: bool = False
) -> dict[str, Any]:
    """Time ``count`` refreshes until a listener added after every entity ran."""
    updated = asyncio.Event()
    remove = coordinator.async_add_listener(updated.set)
    seconds: list[float] = []
    cpu: list[float] = []
    stalls: list[dict[str, float]] = []
    for _ in range(count):
        if slow and not _age_slow_data(coordinator):
            break
        await monitor.take()
        updated.clear()
        start, cpu_start = perf_counter(), process_time()
        await coordinator.async_refresh()
        await asyncio.wait_for(updated.wait(), 30)
        seconds.append(perf_counter() - start)
        cpu.append(process_time() - cpu_start)
        stalls.append(await monitor.take())
    remove()
    if not seconds:
        return {"median_s": None, "max_s": None, "cpu_median_ms": None}
    return {
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "samples_s": [round(value, 4) for value in seconds],
        "cpu_median_ms": statistics.median(cpu) * 1000,
        "stall": {key: max(item[key] for item in stalls) for key in stalls[0]},
    }


def _age_slow_data(coordinator: Coordinator) -> bool:
    """Make the next refresh a slow one, if the data says when slow data was read.

    Today's code keeps ``slow_updated_at`` per device; code without it gets
    no slow refreshes here (the simulated hour measures its cadence).
    """
    data = coordinator.data
    devices = getattr(data, "devices", {})
    if not devices or any(
        not hasattr(item, "slow_updated_at") for item in devices.values()
    ):
        return False
    age = timedelta(minutes=10)
    aged = {
        key: replace(item, slow_updated_at=item.slow_updated_at - age)
        for key, item in devices.items()
    }
    coordinator.data = replace(data, devices=aged)
    return True


async def turn_on(hass: HomeAssistant, coordinator: Coordinator) -> dict[str, Any]:
    """Time ``switch.turn_on`` of device 0's Spray switch, its state and confirmation.

    Confirmed: the coordinator publishes data after the cloud first reported
    the device spraying; the client's reads and ``async_update_listeners``
    are shadowed on the instances, only to take those times.
    """
    switch = entity_id(hass, "switch", 0, "spray")
    shown: list[float] = []

    @callback
    def _on_state(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] == switch and new is not None and new.state == "on":
            shown.append(perf_counter())

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, _on_state)
    reported: list[float] = []
    confirmed = asyncio.Event()
    client = getattr(coordinator, "client", None)
    reads = {
        name: getattr(client, name, None) for name in ("get_device", "get_devices")
    }

    def probe(read: Any) -> Any:
        async def probed(*args: Any) -> Any:
            found = await read(*args)
            devices = found if isinstance(found, list) else [found]
            if any(
                item.device_id == device_id(0) and item.spraying for item in devices
            ):
                reported.append(perf_counter())
            return found

        return probed

    for name, read in reads.items():
        if read is not None:
            client.__dict__[name] = probe(read)
    update_listeners = coordinator.async_update_listeners

    @callback
    def probed_update() -> None:
        if reported and not confirmed.is_set():
            reported.append(perf_counter())
            confirmed.set()
        update_listeners()

    coordinator.__dict__["async_update_listeners"] = probed_update
    start = perf_counter()
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    returned = perf_counter()
    state = hass.states.get(switch)
    with suppress(TimeoutError):
        await asyncio.wait_for(confirmed.wait(), 35)
    unsub()
    coordinator.__dict__.pop("async_update_listeners")
    for name in reads:
        client.__dict__.pop(name, None)
    return {
        "returned_s": returned - start,
        "shown_s": shown[0] - start if shown else None,
        "shown_on_return": state is not None and state.state == "on",
        "confirmed_after_return_s": reported[-1] - returned
        if confirmed.is_set()
        else None,
    }


def _full_gc() -> tuple[int, float]:
    """Objects the collector tracks, and one full collection's milliseconds."""
    gc.collect()
    start = perf_counter()
    gc.collect()
    return len(gc.get_objects()), (perf_counter() - start) * 1000


async def real_time(devices: int, args: argparse.Namespace, log: Log) -> dict[str, Any]:
    """First setup, refreshes, command; a restart; memory: three HA instances."""
    result: dict[str, Any] = {}
    async with CloudProcess(
        devices, args.latency, args.reaction_delay, not args.no_drift
    ) as cloud:
        monitor = StallMonitor()
        async with home_assistant() as hass:
            objects, gc_before = _full_gc()
            await cloud.reset_counts()
            entry = make_entry(cloud.url, cloud.user_id, {})
            result["setup"] = await setup(hass, entry, monitor)
            log(f"  setup {result['setup']['seconds']:.3f} s")
            coordinator = coordinator_of(entry)
            await coordinator.async_refresh()  # warms connections and caches
            for kind, count in (
                ("fast", args.refreshes),
                ("slow", args.slow_refreshes),
            ):
                await cloud.reset_counts()
                result[kind] = await refreshes(
                    coordinator, count, monitor, kind == "slow"
                )
                result[kind]["requests"] = await cloud.counts()
            log(f"  fast refresh median {result['fast']['median_s']:.3f} s")
            objects_with, gc_with = _full_gc()
            result["heap"] = {
                "gc_before_ms": gc_before,
                "gc_with_entry_ms": gc_with,
                "objects_per_device": (objects_with - objects) / devices,
            }
            await cloud.reset_counts()
            result["command"] = await turn_on(hass, coordinator)
            result["command"]["requests"] = await cloud.counts()
            stored = dict(entry.data)
        gc.collect()
        async with home_assistant() as hass:
            await cloud.reset_counts()
            result["restart"] = await setup(
                hass, make_entry(cloud.url, cloud.user_id, stored), monitor
            )
            result["restart"]["logins"] = (await cloud.counts()).get(LOGIN, 0)
        monitor.stop()
        gc.collect()
        if not args.no_memory:
            async with home_assistant() as hass:
                # HA and the integration's modules exist before tracing: what is
                # traced is the entry's own data (snapshot, entities, registries).
                gc.collect()
                tracemalloc.start()
                baseline = tracemalloc.get_traced_memory()[0]
                entry = make_entry(cloud.url, cloud.user_id, stored)
                await setup(hass, entry, None)
                for _ in range(2):
                    await coordinator_of(entry).async_refresh()
                gc.collect()
                retained = tracemalloc.get_traced_memory()[0] - baseline
                tracemalloc.stop()
            result["memory_kib_per_device"] = retained / devices / 1024
    return result
