"""The real-time runs of one device count, and the HA instance both parts use.

Only HA's public surface and the coordinator's ``client`` are used, so that
a git ref's code runs as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
import gc
import statistics
import sys
import tempfile
from time import perf_counter, process_time, thread_time, time
import tracemalloc
from typing import Any
from unittest.mock import patch

from aiohttp import ThreadedResolver
from homeassistant.components.recorder import get_instance
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    entity_registry as er,
    frame,
    recorder as recorder_helper,
    translation,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.loader import DATA_CUSTOM_COMPONENTS
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

from .cloud import EMAIL, LOGIN, PASSWORD, Cloud, cloud_process, device_id

type Coordinator = DataUpdateCoordinator[Any]


class _PlainResolver(ThreadedResolver):
    """The system resolver, closable as HA closes its own (which needs zeroconf)."""

    async def real_close(self) -> None:
        """Close (HA calls this when it stops)."""
        await self.close()


@asynccontextmanager
async def home_assistant(*, recorder: bool = False) -> AsyncIterator[HomeAssistant]:
    """Yield a HA test instance (as the plugin's ``hass`` fixture) with real storage.

    The plugin's in-memory storage serialises registries inside the loop,
    which real HA does in its executor: it would add stalls production lacks.
    ``recorder``: with HA's recorder on an SQLite file in the config folder,
    as a default installation has it (the integration imports spray history
    only then).
    """
    resolver = patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        side_effect=lambda hass: _PlainResolver(),
    )
    with tempfile.TemporaryDirectory(prefix="moogo-bench-") as config_dir, resolver:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            frame.async_setup(hass)
            await translation.async_load_integrations(hass, {"homeassistant"})
            hass.data.pop(DATA_CUSTOM_COMPONENTS, None)  # enable_custom_integrations
            try:
                if recorder:
                    await _start_recorder(hass)
                yield hass
            finally:
                for entry in hass.config_entries.async_entries():
                    if entry.state is ConfigEntryState.LOADED:
                        await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)


async def _start_recorder(hass: HomeAssistant) -> None:
    """Set up the recorder with its default database, and wait until it is ready."""
    recorder_helper.async_initialize_recorder(hass)  # what HA's bootstrap does first
    if not await async_setup_component(hass, "recorder", {"recorder": {}}):
        raise RuntimeError("the recorder did not set up")
    if not await get_instance(hass).async_db_ready:
        raise RuntimeError("the recorder's database is not ready")


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
    values = (getattr(data, name, None) for name in dir(data))
    found = [item for item in values if isinstance(item, DataUpdateCoordinator)]
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
        self.wall = self.code = self.gc = self._gc_in_gap = self._gc_start = 0.0
        self._task = asyncio.create_task(self._tick())
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = perf_counter()
            return
        pause = perf_counter() - self._gc_start
        self._gc_in_gap += pause
        self.gc = max(self.gc, pause)

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
        self.wall = self.code = self.gc = 0.0
        return {key: round(max(value, 0) * 1000, 1) for key, value in taken.items()}

    def stop(self) -> None:
        """Stop ticking."""
        gc.callbacks.remove(self._on_gc)
        self._task.cancel()


async def setup(
    hass: HomeAssistant, entry: MockConfigEntry, monitor: StallMonitor | None = None
) -> dict[str, Any]:
    """Set up ``entry``; seconds until every enabled entity has its first state."""
    entry.add_to_hass(hass)
    if monitor:
        await monitor.take()
    start = time()
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"setup failed: {entry.state}")
    await hass.async_block_till_done()
    registry = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    states = [hass.states.get(item.entity_id) for item in registry if not item.disabled]
    shown = [state.last_changed.timestamp() for state in states if state]
    return {
        "seconds": max(shown) - start if shown else None,
        "entities": len(states),
        "stall": await monitor.take() if monitor else None,
    }


async def refreshes(
    coordinator: Coordinator, count: int, monitor: StallMonitor, cloud: Cloud
) -> dict[str, Any]:
    """Time ``count`` refreshes, and within each the push to all entities."""
    seconds: list[float] = []
    cpu: list[float] = []
    pushes: list[float] = []
    stalls: list[dict[str, float]] = []
    update = coordinator.async_update_listeners
    await cloud.reset_counts()

    def timed() -> None:
        start = perf_counter()
        update()
        pushes.append(perf_counter() - start)

    with patch.object(coordinator, "async_update_listeners", timed):
        for _ in range(count):
            await monitor.take()
            start, cpu_start = perf_counter(), process_time()
            await coordinator.async_refresh()
            seconds.append(perf_counter() - start)
            cpu.append(process_time() - cpu_start)
            stalls.append(await monitor.take())
    return {
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "samples_s": [round(value, 4) for value in seconds],
        "per_refresh": await cloud.total() / count,
        "cpu_median_ms": statistics.median(cpu) * 1000,
        "push_ms": statistics.median(pushes) * 1000 if pushes else None,
        "stall": {key: max(item[key] for item in stalls) for key in stalls[0]},
    }


async def turn_on(hass: HomeAssistant, coordinator: Coordinator) -> dict[str, Any]:
    """Time device 0's Spray ``turn_on`` and its confirmation (a read saw it mist)."""
    switch = entity_id(hass, "switch", 0, "spray")
    times: dict[str, float] = {}
    confirmed = asyncio.Event()

    def read(call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def probed(*args: Any) -> Any:
            found = await call(*args)
            for item in found if isinstance(found, list) else [found]:
                # Code from before the glossary rename calls it "spraying".
                misting = getattr(item, "misting", getattr(item, "spraying", None))
                if item.device_id == device_id(0) and misting:
                    times.setdefault("reported", perf_counter())
            return found

        return probed

    def publish(update: Callable[[], None]) -> Callable[[], None]:
        def probed() -> None:
            if "reported" in times and not confirmed.is_set():
                times["confirmed"] = perf_counter()
                confirmed.set()
            update()

        return probed

    client = coordinator.client  # type: ignore[attr-defined]
    with (
        patch.object(client, "get_device", read(client.get_device)),
        patch.object(client, "get_devices", read(client.get_devices)),
        patch.object(
            coordinator,
            "async_update_listeners",
            publish(coordinator.async_update_listeners),
        ),
    ):
        start, wall = perf_counter(), time()
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, True)
        returned, state = perf_counter(), hass.states.get(switch)
        with suppress(TimeoutError):
            await asyncio.wait_for(confirmed.wait(), 35)
    on = (
        state.last_changed.timestamp() - wall if state and state.state == "on" else None
    )
    return {
        "returned_s": returned - start,
        "shown_s": on,
        "confirmed_s": times["confirmed"] - returned if confirmed.is_set() else None,
    }


def _full_gc() -> float:
    """Milliseconds of one full collection (after one that frees the garbage)."""
    gc.collect()
    start = perf_counter()
    gc.collect()
    return (perf_counter() - start) * 1000


async def real_time(opts: dict[str, Any]) -> dict[str, Any]:
    """First setup, refreshes, command; a restart; memory: three HA instances."""
    result: dict[str, Any] = {}
    devices = opts["devices"]
    async with cloud_process(opts) as cloud:
        monitor = StallMonitor()
        async with home_assistant() as hass:
            gc_before = _full_gc()
            entry = make_entry(cloud.url, cloud.user_id, {})
            result["setup"] = await setup(hass, entry, monitor)
            coordinator = coordinator_of(entry)
            await coordinator.async_refresh()  # warms connections and caches
            fast = await refreshes(coordinator, opts["refreshes"], monitor, cloud)
            result["fast"] = fast
            sys.stderr.write(f"  fast refresh median {fast['median_s']:.3f} s\n")
            result["heap"] = {"gc_ms": f"{gc_before:.0f} / {_full_gc():.0f}"}
            await cloud.reset_counts()
            result["command"] = await turn_on(hass, coordinator)
            result["command"]["total"] = await cloud.total()
            stored = dict(entry.data)
        gc.collect()
        async with home_assistant() as hass:
            await cloud.reset_counts()
            entry = make_entry(cloud.url, cloud.user_id, stored)
            result["restart"] = await setup(hass, entry, monitor)
            result["restart"]["logins"] = (await cloud.counts()).get(LOGIN, 0)
        monitor.stop()
        gc.collect()
        if not opts["no_memory"]:
            async with home_assistant() as hass:
                # HA and the integration's modules exist before tracing: what is
                # traced is the entry's own data (snapshot, entities, registries).
                gc.collect()
                tracemalloc.start()
                entry = make_entry(cloud.url, cloud.user_id, stored)
                await setup(hass, entry)
                for _ in range(2):
                    await coordinator_of(entry).async_refresh()
                gc.collect()
                retained = tracemalloc.get_traced_memory()[0]
                tracemalloc.stop()
            result["memory_kib_per_device"] = retained / devices / 1024
    return result
