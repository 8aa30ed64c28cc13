"""The simulated hour: requests by endpoint, freshness, the cost of an edit.

HA and the simulator share one process and one faked clock (freezegun, as
HA's ``freezer`` fixture; the simulator reads ``time.time()``). HA's timers
are fired second by second for 3,600 s while the simulator changes devices
behind HA's back at seeded random times; each change is timed in simulated
seconds until an entity state shows it. Then mists from HA's switch, and
two edits (a number entity, the ``moogo.add_schedule`` action) counted
until quiet.
"""

from __future__ import annotations

# Before anything of HA binds utcnow: HA's test plugin makes it visible to
# freezegun, for the simulated hour.
import pytest_homeassistant_custom_component.patch_time  # type: ignore[import-untyped]  # noqa: F401

# isort: split

import asyncio
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from importlib import metadata
import json
import logging
import random
import sys
import time
from typing import Any

import freezegun
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.runner import configure_event_loop
from pytest_homeassistant_custom_component.common import async_fire_time_changed  # type: ignore[import-untyped]

from moogo_sim import MoogoSimulator

from . import worker
from .cloud import EMAIL, device_id, populate
from .worker import Log, entity_id, home_assistant, make_entry, setup

#: A summer evening, clear of the fleet's schedules (06:30 and 19:xx local).
START = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)
HOUR = 3600
LIST = "GET /v1/devices"
#: Simulated seconds an edit is followed for: a confirmation comes sooner.
EDIT_WINDOW = 25


type Shown = Callable[[str], bool]


@dataclass
class Probe:
    """A change made in the simulator, and when HA's state showed it."""

    kind: str
    at: float
    entity: str
    shown: Shown
    seen: float | None = None


def _shows(value: float, state: str) -> bool:
    with suppress(ValueError):
        return float(state) == value
    return False


class Hour:
    """One HA instance against one in-process simulator, on a faked clock."""

    def __init__(
        self,
        hass: HomeAssistant,
        sim: MoogoSimulator,
        frozen: Any,
        opts: dict[str, Any],
    ) -> None:
        """Start the hour now."""
        self.hass, self.sim, self.frozen = hass, sim, frozen
        self.tick = timedelta(seconds=opts["step"])
        self.rng = random.Random(opts["seed"])  # noqa: S311 - seeded, not secret
        self.start = sim.now()
        self.probes: list[Probe] = []

    @property
    def now(self) -> float:
        """Simulated seconds since the start."""
        return self.sim.now() - self.start

    def state(self, entity: str) -> str:
        """Return what HA shows for ``entity``."""
        state = self.hass.states.get(entity)
        return "" if state is None else state.state

    async def step(self) -> None:
        """Let one step of simulated time pass and run what falls due."""
        self.frozen.tick(self.tick)
        async_fire_time_changed(self.hass)
        await self.hass.async_block_till_done(wait_background_tasks=True)
        for probe in self.probes:
            if (
                probe.seen is None
                and probe.at <= self.now
                and probe.shown(self.state(probe.entity))
            ):
                probe.seen = self.now - probe.at

    def probe(self, kind: str, entity: str, shown: Shown, at: float = 0) -> None:
        """Time until ``entity`` shows a change made now (or at ``at``)."""
        self.probes.append(Probe(kind, max(at, self.now), entity, shown))

    def change(self, action: str, number: int) -> None:
        """Change device ``number`` in the simulator, behind HA's back."""
        device = self.sim.device(device_id(number))

        def watch(
            kind: str, platform: str, key: str, shown: Shown, at: float = 0
        ) -> None:
            self.probe(kind, entity_id(self.hass, platform, number, key), shown, at)

        if action == "mist":
            device.start_spraying(self.sim.now(), 0)
            end = self.now + device.spraying_seconds
            last = self.state(entity_id(self.hass, "sensor", number, "last_mist_end"))
            watch("spray on", "switch", "spray", lambda state: state == "on")
            watch(
                "mist end, device's own", "switch", "spray", lambda s: s == "off", end
            )
            watch("last mist", "sensor", "last_mist_end", lambda s: s != last, end)
        elif action == "empty":
            device.water_level = 0
            watch("tank level", "binary_sensor", "water_empty", lambda s: s == "on")
        elif action in {"offline", "online"}:
            self.sim.set_online(device.device_id, action == "online")
            device.water_level = 1
            shown = "on" if action == "online" else "off"
            watch("online state", "binary_sensor", "online", lambda s: s == shown)
        elif action == "weather":
            device.temperature = round(30 + self.rng.random() * 5, 1)
            device.humidity = self.rng.randrange(70, 95)
            for key, value in (
                ("temperature", device.temperature),
                ("humidity", device.humidity),
            ):
                watch("temperature, humidity", "sensor", key, partial(_shows, value))
        elif action == "schedule":
            device.schedules[0].status = 1 - device.schedules[0].status
            enabled = str(sum(item.status for item in device.schedules))
            watch(
                "schedule from the app", "sensor", "enabled_schedules", enabled.__eq__
            )

    def plan(self, devices: int) -> list[tuple[float, str, int]]:
        """Six rounds of changes on random devices, and schedule edits in the app.

        Each round: the device mists by itself (60 s), its water tank is
        empty after it, it goes offline and back, its weather changes; the
        next round on it begins more than 5 minutes later. Schedule edits
        fall in the first 1,700 s so a 30-minute cadence can show them.
        """
        plan: list[tuple[float, str, int]] = []
        for round_ in range(6):
            number = self.rng.randrange(devices)
            begin = 30 + round_ * 540 + self.rng.uniform(0, 30)
            plan += [(begin, "mist", number), (begin + 60, "empty", number)]
            for offset, action in ((95, "offline"), (155, "online"), (205, "weather")):
                plan.append((begin + offset + self.rng.uniform(0, 30), action, number))
        for number in self.rng.sample(range(devices), min(6, devices)):
            plan.append((self.rng.uniform(60, 1700), "schedule", number))
        return sorted(plan)

    async def until(self, done: Callable[[], bool], limit: float) -> None:
        """Step until ``done()`` or ``limit`` more simulated seconds passed."""
        end = self.now + limit
        while not done() and self.now < end:
            await self.step()

    async def after_list_poll(self) -> None:
        """Step until a device-list poll has just run (and its follow-ups)."""
        polled = self.sim.request_counts.get(LIST, 0)
        await self.until(lambda: self.sim.request_counts.get(LIST, 0) > polled, 60)
        await self.step()

    async def mist_from_switch(self, number: int) -> None:
        """Start a mist from HA's Spray switch; time until HA shows its end."""
        await self.after_list_poll()
        switch = entity_id(self.hass, "switch", number, "spray")
        data = {"entity_id": switch}
        await self.hass.services.async_call("switch", "turn_on", data, blocking=True)
        end = self.sim.device(device_id(number)).episodes[-1].ends_at - self.start
        self.probe("mist end, HA's switch", switch, lambda state: state == "off", end)
        await self.until(lambda: self.probes[-1].seen is not None, 400)

    async def edits(self) -> dict[str, dict[str, int]]:
        """Count the requests of two edits from HA, each until quiet after a poll."""
        number = entity_id(self.hass, "number", 0, "mist_duration")
        entry = er.async_get(self.hass).async_get(number)
        assert entry is not None  # noqa: S101 - set up before the hour
        schedule = {"device_id": entry.device_id, "time": "21:15", "duration": 30}
        counts = {}
        for name, domain, service, data in (
            ("number", "number", "set_value", {"entity_id": number, "value": 45}),
            ("add_schedule", "moogo", "add_schedule", schedule),
        ):
            await self.after_list_poll()
            self.sim.reset_counts()
            await self.hass.services.async_call(domain, service, data, blocking=True)
            await self.until(lambda: False, EDIT_WINDOW)
            counts[name] = self.sim.request_counts
        return counts


async def simulated_hour(
    devices: int, opts: dict[str, Any], log: Log
) -> dict[str, Any]:
    """Run the simulated hour for ``devices`` devices; return its figures."""
    loop = asyncio.get_running_loop()
    with freezegun.freeze_time(START) as frozen:
        # HA binds the real monotonic clock as loop.time; the class's method
        # reads the frozen one, so HA's timers follow the faked clock.
        del loop.time
        sim = MoogoSimulator(reaction_delay=3.0)
        populate(sim, devices)
        await sim.start()
        try:
            async with home_assistant() as hass:
                await setup(hass, make_entry(sim.url, sim.account(EMAIL).user_id, {}))
                sim.reset_counts()
                hour = Hour(hass, sim, frozen, opts)
                plan = hour.plan(devices)
                while hour.now < HOUR:
                    while plan and plan[0][0] <= hour.now:
                        hour.change(*plan.pop(0)[1:])
                    await hour.step()
                counts = sim.request_counts
                log(f"  hour: {sum(counts.values())} requests")
                for number in hour.rng.sample(range(devices), min(3, devices)):
                    await hour.mist_from_switch(number)
                edits = await hour.edits()
        finally:
            await sim.stop()
            loop.time = time.monotonic  # type: ignore[method-assign]
    freshness: dict[str, list[float | None]] = {}
    for probe in hour.probes:
        freshness.setdefault(probe.kind, []).append(probe.seen)
    return {
        "requests": dict(sorted(counts.items())),
        "total": sum(counts.values()),
        "per_device": sum(counts.values()) / devices,
        "edits": edits,
        "edit_total": {key: sum(value.values()) for key, value in edits.items()},
        "freshness": freshness,
    }


def main() -> None:
    """Measure one device count (a JSON job from ``benchmarks``); print JSON."""
    opts = json.loads(sys.argv[1])
    if opts["integration_root"]:
        sys.path.insert(0, opts["integration_root"])  # before custom_components loads
    logging.basicConfig(level=logging.WARNING)
    for quiet in ("homeassistant.loader", "aiohttp_fast_zlib"):
        logging.getLogger(quiet).setLevel(logging.ERROR)
    from custom_components.moogo import const  # noqa: PLC0415

    def log(message: str) -> None:
        sys.stderr.write(message + "\n")

    async def run() -> dict[str, Any]:
        configure_event_loop(asyncio.get_running_loop())
        result = await worker.real_time(opts["devices"], opts, log)
        if not opts["no_hour"]:
            result["hour"] = await simulated_hour(opts["devices"], opts, log)
        return result

    result = asyncio.run(run())
    packages = ("homeassistant", "aiohttp", "pytest-homeassistant-custom-component")
    versions = {name: metadata.version(name) for name in packages}
    result |= {"devices": opts["devices"]}
    result["integration"] = {"path": const.__file__, "versions": versions}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
