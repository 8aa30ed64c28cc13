"""Home Assistant test instances and the probes the benchmark measures with.

Everything here uses real time (no freezer): latencies are real round trips
over 127.0.0.1 to the simulator process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
import gc
import tempfile
from time import perf_counter, process_time, thread_time
from typing import Any
from unittest.mock import patch

from aiohttp import ThreadedResolver
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_EMAIL,
    CONF_PASSWORD,
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, frame, translation
from homeassistant.loader import DATA_CUSTOM_COMPONENTS
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.moogo.api import Device, MoogoClient
from custom_components.moogo.const import (
    CONF_API_URL,
    CONF_TOKEN,
    DOMAIN,
    SLOW_UPDATE_INTERVAL,
)
from custom_components.moogo.coordinator import MoogoCoordinator

from .cloud import CloudInfo


class _PlainResolver(ThreadedResolver):
    """The system resolver, closable the way HA closes its own resolver.

    HA's resolver needs zeroconf and the network integration; the simulator
    is addressed by IP, so nothing is ever resolved.
    """

    async def real_close(self) -> None:
        """Close (HA calls this when it stops)."""
        await self.close()


@asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """Yield a running HA test instance that loads this checkout's integration.

    Set up as pytest-homeassistant-custom-component's ``hass`` fixture does,
    with its session-wide resolver patch. Storage is real, in a temporary
    configuration folder: the plugin's in-memory storage mock serialises
    registries inside the event loop, which real HA does in its executor, and
    would add stalls that production does not have. On exit every loaded
    entry is unloaded and HA stops.
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
            # What the enable_custom_integrations fixture does.
            hass.data.pop(DATA_CUSTOM_COMPONENTS, None)
            try:
                yield hass
            finally:
                for entry in hass.config_entries.async_entries():
                    if entry.state is ConfigEntryState.LOADED:
                        await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)


def make_entry(info: CloudInfo, token: Any = None) -> MockConfigEntry:
    """Return the benchmark account's config entry, with a stored token if given."""
    data: dict[str, Any] = {
        CONF_EMAIL: info.email,
        CONF_PASSWORD: info.password,
        CONF_API_URL: info.url,
    }
    if token is not None:
        data[CONF_TOKEN] = token
    return MockConfigEntry(
        domain=DOMAIN, title=info.email, unique_id=info.user_id, data=data
    )


def coordinator_of(entry: MockConfigEntry) -> MoogoCoordinator:
    """Return the loaded entry's coordinator."""
    coordinator = entry.runtime_data
    if not isinstance(coordinator, MoogoCoordinator):
        raise TypeError("the entry has no Moogo coordinator")
    return coordinator


@dataclass(frozen=True)
class Stall:
    """The longest stalls of a stretch of time (seconds)."""

    #: Wall clock: how much later than asked the ticker woke up, at worst.
    wall: float
    #: Of a gap, the time the loop's thread ran code: its CPU time minus
    #: garbage-collector passes (so neither the OS running other processes
    #: nor collections of the whole heap count); the worst gap.
    code: float
    #: The longest single garbage-collector pass.
    gc: float
    #: Full collections (generation 2, the whole heap) meanwhile.
    full_gcs: int = 0


class StallMonitor:
    """Measures event-loop stalls with a ticker that wants to wake every 5 ms.

    A stall is how much later than asked a wake-up happens: meanwhile nothing
    else on the loop (no other integration, no websocket) runs. On a shared
    machine the wall-clock figure also holds time when the OS ran other
    processes, and any figure may hold a garbage-collector pass over HA's
    whole heap; so each gap's CPU time and GC time are recorded as well.
    """

    def __init__(self, interval: float = 0.005) -> None:
        """Prepare a monitor; ``start()`` runs it."""
        self.interval = interval
        self._max_wall = 0.0
        self._max_code = 0.0
        self._max_gc = 0.0
        self._gc_in_gap = 0.0
        self._full_gcs = 0
        self._gc_started: float | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking on the running loop (outside HA's task tracking)."""
        self._task = asyncio.create_task(self._tick(), name="bench stall monitor")
        gc.callbacks.append(self._on_gc)

    async def stop(self) -> None:
        """Stop ticking."""
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = perf_counter()
        elif self._gc_started is not None:
            pause = perf_counter() - self._gc_started
            self._gc_started = None
            self._gc_in_gap += pause
            self._max_gc = max(self._max_gc, pause)
            if info.get("generation") == 2:
                self._full_gcs += 1

    async def _tick(self) -> None:
        last, last_cpu = perf_counter(), thread_time()
        while True:
            await asyncio.sleep(self.interval)
            now, cpu = perf_counter(), thread_time()
            wall = now - last - self.interval
            # The part of the lateness spent running code (not GC, not other
            # processes): never more than the lateness itself.
            code = min(cpu - last_cpu - self._gc_in_gap, wall)
            self._max_wall = max(self._max_wall, wall)
            self._max_code = max(self._max_code, code)
            self._gc_in_gap = 0.0
            last, last_cpu = now, cpu

    async def take(self) -> Stall:
        """Return the longest stalls since the last call, and reset.

        Waits a few ticks first, so a stall that just ended is counted.
        """
        await asyncio.sleep(self.interval * 4)
        stall = Stall(
            wall=max(self._max_wall, 0.0),
            code=max(self._max_code, 0.0),
            gc=self._max_gc,
            full_gcs=self._full_gcs,
        )
        self._max_wall = self._max_code = self._max_gc = 0.0
        self._full_gcs = 0
        return stall


class FirstStates:
    """Records when each entity gets its first state."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Listen to state changes from now on."""
        self.first: dict[str, float] = {}
        self._unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_state)

    @callback
    def _on_state(self, event: Event[EventStateChangedData]) -> None:
        if event.data["new_state"] is not None:
            self.first.setdefault(event.data["entity_id"], perf_counter())

    def close(self) -> None:
        """Stop listening."""
        self._unsub()


@dataclass
class SetupResult:
    """How a config entry setup went."""

    entry: MockConfigEntry
    #: Seconds from the start of the setup to the last entity's first state.
    seconds: float
    entities: int
    entities_with_state: int
    unavailable: int
    stall: Stall


async def setup_entry(
    hass: HomeAssistant, entry: MockConfigEntry, monitor: StallMonitor
) -> SetupResult:
    """Set up ``entry`` and time it until every enabled entity has a state."""
    entry.add_to_hass(hass)
    states = FirstStates(hass)
    await monitor.take()
    start = perf_counter()
    try:
        if not await hass.config_entries.async_setup(entry.entry_id):
            raise RuntimeError(f"setup failed: {entry.state}")
        await hass.async_block_till_done()
    finally:
        states.close()
    stall = await monitor.take()
    enabled = [
        item.entity_id
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if not item.disabled
    ]
    seen = [
        states.first[entity_id] for entity_id in enabled if entity_id in states.first
    ]
    unavailable = sum(
        1
        for entity_id in enabled
        if (state := hass.states.get(entity_id)) is None
        or state.state == STATE_UNAVAILABLE
    )
    return SetupResult(
        entry=entry,
        seconds=(max(seen) - start) if seen else float("nan"),
        entities=len(enabled),
        entities_with_state=len(seen),
        unavailable=unavailable,
        stall=stall,
    )


@dataclass
class RefreshSamples:
    """Wall times, CPU times and stalls of a series of coordinator refreshes."""

    #: Until every entity has been updated with the new data.
    seconds: list[float] = field(default_factory=list)
    #: Until ``async_refresh()`` returned (the same unless the coordinator
    #: spreads entity updates over later loop iterations).
    returned: list[float] = field(default_factory=list)
    #: CPU time of the whole process (HA's loop and its executor threads).
    cpu: list[float] = field(default_factory=list)
    stalls: list[Stall] = field(default_factory=list)
    failed: int = 0


#: Longest wait for the entity updates of one refresh to finish.
_UPDATES_TIMEOUT = 30.0


async def timed_refreshes(
    coordinator: MoogoCoordinator,
    count: int,
    monitor: StallMonitor,
    before_each: Callable[[], bool] | None = None,
) -> RefreshSamples:
    """Run ``count`` refreshes one after another, timing each one.

    The time covers what the coordinator does for a scheduled poll: fetch,
    build the snapshot and update every entity. The end is when a listener
    registered after all entities (so updated last) has been called.
    """
    updated = asyncio.Event()

    @callback
    def _updated() -> None:
        updated.set()

    remove = coordinator.async_add_listener(_updated)
    samples = RefreshSamples()
    try:
        for _ in range(count):
            if before_each is not None and not before_each():
                break
            await monitor.take()
            updated.clear()
            start, cpu = perf_counter(), process_time()
            await coordinator.async_refresh()
            samples.returned.append(perf_counter() - start)
            async with asyncio.timeout(_UPDATES_TIMEOUT):
                await updated.wait()
            samples.seconds.append(perf_counter() - start)
            samples.cpu.append(process_time() - cpu)
            samples.stalls.append(await monitor.take())
            if not coordinator.last_update_success:
                samples.failed += 1
    finally:
        remove()
    return samples


def age_slow_data(coordinator: MoogoCoordinator) -> bool:
    """Make every device's schedules and configuration one slow interval older.

    Stands in for ten minutes passing, so that the next refresh is a slow
    one; False when the coordinator's data has no such timestamp.
    """
    data = coordinator.data
    devices = {}
    for device_id, item in data.devices.items():
        updated = getattr(item, "slow_updated_at", None)
        if updated is None:
            return False
        devices[device_id] = replace(
            item, slow_updated_at=updated - SLOW_UPDATE_INTERVAL
        )
    coordinator.data = replace(data, devices=devices)
    return True


@dataclass
class CommandResult:
    """What one switch.turn_on of the Spray switch took."""

    #: The service call (blocking=True) returned after this many seconds.
    returned: float
    #: The switch showed "on" this many seconds after the call started.
    shown: float | None
    #: The state was "on" when the call returned.
    shown_on_return: bool
    #: The coordinator had the cloud's confirmation, seconds after the call started.
    confirmed: float | None


class _ConfirmationProbe:
    """Watches the client's answers and the coordinator's updates for one device.

    The client's device reads and the coordinator's ``async_update_listeners``
    are wrapped (instance attributes, removed again by ``close()``) only to
    take times: when the cloud first reports the device spraying, and when
    the coordinator next publishes its data, i.e. has confirmed the command.
    Publishing starts the entity updates; how the coordinator spreads them
    does not count against it.
    """

    def __init__(self, coordinator: MoogoCoordinator, device_id: str) -> None:
        self._coordinator = coordinator
        self._client: MoogoClient = coordinator.client
        self._device_id = device_id
        self.reported_at: float | None = None
        self.confirmed_at: float | None = None
        self.confirmed = asyncio.Event()
        get_device = self._client.get_device
        get_devices = self._client.get_devices
        update_listeners = coordinator.async_update_listeners

        async def probed_get_device(device_id: str) -> Device:
            device: Device = await get_device(device_id)
            self._note([device])
            return device

        async def probed_get_devices() -> list[Device]:
            devices: list[Device] = await get_devices()
            self._note(devices)
            return devices

        @callback
        def probed_update_listeners() -> None:
            if self.reported_at is not None and self.confirmed_at is None:
                self.confirmed_at = perf_counter()
                self.confirmed.set()
            update_listeners()

        # Instance attributes shadow the methods until close() removes them.
        self._client.__dict__["get_device"] = probed_get_device
        self._client.__dict__["get_devices"] = probed_get_devices
        coordinator.__dict__["async_update_listeners"] = probed_update_listeners

    def _note(self, devices: list[Device]) -> None:
        if self.reported_at is not None:
            return
        for device in devices:
            if device.device_id == self._device_id and device.misting:
                self.reported_at = perf_counter()

    def close(self) -> None:
        for name in ("get_device", "get_devices"):
            self._client.__dict__.pop(name, None)
        self._coordinator.__dict__.pop("async_update_listeners", None)


async def measure_turn_on(
    hass: HomeAssistant,
    coordinator: MoogoCoordinator,
    device_id: str,
    *,
    confirm_timeout: float,
    reset_counts: Callable[[], Awaitable[None]],
) -> CommandResult:
    """Call switch.turn_on on a device's Spray switch and time what follows."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "switch", DOMAIN, f"{device_id}_spray"
    )
    if entity_id is None:
        raise RuntimeError(f"no Spray switch for {device_id}")
    state = hass.states.get(entity_id)
    if state is None or state.state != "off":
        raise RuntimeError(f"{entity_id} is not off before the command: {state}")
    shown_at: float | None = None

    @callback
    def _on_state(event: Event[EventStateChangedData]) -> None:
        nonlocal shown_at
        new_state = event.data["new_state"]
        if (
            shown_at is None
            and event.data["entity_id"] == entity_id
            and new_state is not None
            and new_state.state == "on"
        ):
            shown_at = perf_counter()

    await reset_counts()
    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, _on_state)
    probe = _ConfirmationProbe(coordinator, device_id)
    try:
        start = perf_counter()
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": entity_id}, blocking=True
        )
        returned = perf_counter() - start
        current = hass.states.get(entity_id)
        shown_on_return = current is not None and current.state == "on"
        try:
            async with asyncio.timeout(confirm_timeout):
                await probe.confirmed.wait()
        except TimeoutError:
            pass
    finally:
        probe.close()
        unsub()
    return CommandResult(
        returned=returned,
        shown=None if shown_at is None else shown_at - start,
        shown_on_return=shown_on_return,
        confirmed=None if probe.confirmed_at is None else probe.confirmed_at - start,
    )
