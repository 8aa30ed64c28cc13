"""One device count's worker (``python -m benchmarks.hour JOB``) and its simulated hour.

HA and an in-process simulator share a faked clock (freezegun, as HA's
``freezer`` fixture); HA's timers fire in steps while the simulator changes
devices behind HA's back, each change timed until HA's state shows it.
HA runs its recorder, so that spray history is imported as in a default
installation, and the message centre is read; both start with the entry's
start-up, which is counted apart from the hour.
"""

from __future__ import annotations

# Before anything of HA binds utcnow: HA's test plugin makes it visible to
# freezegun, for the simulated hour.
import pytest_homeassistant_custom_component.patch_time  # type: ignore[import-untyped]  # noqa: F401

# isort: split

import asyncio
from collections import Counter
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
from zoneinfo import ZoneInfo

import freezegun
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.runner import configure_event_loop
from pytest_homeassistant_custom_component.common import async_fire_time_changed  # type: ignore[import-untyped]

from moogo_sim import MoogoSimulator
from moogo_sim.state import SprayEpisode

from .cloud import EMAIL, device_id, populate, seed_spray_history
from .worker import entity_id, home_assistant, make_entry, real_time, setup

#: When the hour begins: a summer morning, clear of the fleet's schedules
#: (06:30 and 19:xx local) also during the start-up before it.
START = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)
#: Schedules the devices run by themselves, known to HA from the start:
#: (seconds after START, device number), 45 s each, apart from the plan's
#: rounds of changes.
RUNS = ((900, 0), (1500, 1), (2520, 2))
HOUR = 3600
LIST = "GET /v1/devices"
LOGS = "GET /v1/devices/{device_id}/logs"
MESSAGES = "GET /v1/users/{user_id}/messages"
#: The start-up lasts at least this long (simulated seconds after setup began).
FIRST_MINUTES = 600
#: Simulated seconds an edit is followed for: its re-read comes sooner, and
#: the next 30-second poll later (even after a step of 5 s).
EDIT_WINDOW = 20
type Shown = Callable[[str], bool]


@dataclass
class Probe:
    """A change made in the simulator, and when HA's state showed it."""

    kind: str
    at: float
    entity: str
    shown: Shown
    seen: float | None = None


def start_up_seconds(devices: int) -> int:
    """Return how long before the hour the entry is set up.

    Long enough for history's first read of every device, with two minutes
    to spare, so that the hour is one of an entry that runs: at least
    ``FIRST_MINUTES``.
    """
    # The integration's own spacing of spray-record reads (older code: 30 s).
    from custom_components.moogo import const  # noqa: PLC0415 - after its path is set

    spacing = getattr(const, "HISTORY_READ_SPACING", timedelta(seconds=30))
    return max(FIRST_MINUTES, int(spacing.total_seconds()) * devices + 120)


def _background(endpoint: str) -> bool:
    """Tell whether history or the message centre made the request: no edit does."""
    return endpoint == LOGS or endpoint.startswith(MESSAGES)


def _shows(value: float, state: str) -> bool:
    with suppress(ValueError):
        return float(state) == value
    return False


class Hour:
    """One HA instance against one in-process simulator, on a faked clock."""

    hass: HomeAssistant

    def __init__(self, sim: MoogoSimulator, frozen: Any, job: dict[str, Any]) -> None:
        """Start the hour now; ``hass`` is set once HA runs."""
        self.sim, self.frozen, self.probes = sim, frozen, list[Probe]()
        self.tick = timedelta(seconds=job["step"])
        self.rng = random.Random(job["seed"])  # noqa: S311 - seeded, not secret
        #: Setup has just run; ``start`` moves to the hour's beginning after the start-up.
        self.setup_at = self.start = sim.now()
        #: Requests since setup began by endpoint, at these simulated seconds after it.
        self.since_setup: dict[int, Counter[str]] = {}
        self._marks = [FIRST_MINUTES, HOUR]
        #: Counted before the simulator's counts were reset.
        self._requests_reset = Counter[str]()

    @property
    def now(self) -> float:
        """Simulated seconds since the start."""
        return self.sim.now() - self.start

    def state(self, entity: str) -> str:
        """Return what HA shows for ``entity``."""
        return getattr(self.hass.states.get(entity), "state", "")

    async def step(self) -> None:
        """Let one step of simulated time pass and run what falls due."""
        self.frozen.tick(self.tick)
        async_fire_time_changed(self.hass)
        await self.hass.async_block_till_done(wait_background_tasks=True)
        while self._marks and self._marks[0] <= self.sim.now() - self.setup_at:
            counts = self._requests_reset + Counter(self.sim.request_counts)
            self.since_setup[self._marks.pop(0)] = counts
        for probe in self.probes:
            due = probe.seen is None and probe.at <= self.now
            if due and probe.shown(self.state(probe.entity)):
                probe.seen = self.now - probe.at

    def watch(self, kind: str, entity: str, shown: Shown, at: float = 0) -> None:
        """Time until ``entity`` shows a change made now (or at ``at``)."""
        self.probes.append(Probe(kind, max(at, self.now), entity, shown))

    def change(self, action: str, number: int) -> None:
        """Change device ``number`` in the simulator, behind HA's back."""
        device = self.sim.device(device_id(number))
        sensor = partial(entity_id, self.hass, "sensor", number)
        binary = partial(entity_id, self.hass, "binary_sensor", number)
        if action == "mist":
            spray, last = (
                entity_id(self.hass, "switch", number, "spray"),
                sensor("last_mist_end"),
            )
            device.start_spraying(self.sim.now(), 0)
            end, before = self.now + device.spraying_seconds, self.state(last)
            self.watch("spray on", spray, "on".__eq__)
            self.watch("mist end, device's own", spray, "off".__eq__, end)
            self.watch("last mist", last, before.__ne__, end)
        elif action == "empty":
            # The tank runs dry while the device mists: shown once it stops.
            device.water_level = 0
            ends = max(item.ends_at for item in device.episodes) - self.start
            self.watch("tank level", binary("water_empty"), "on".__eq__, ends)
        elif action == "scheduled":
            device.episodes.append(SprayEpisode(self.sim.now(), 45))
            spray = entity_id(self.hass, "switch", number, "spray")
            self.watch("mist end, a schedule's", spray, "off".__eq__, self.now + 45)
        elif action in {"offline", "online"}:
            self.sim.set_online(device.device_id, action == "online")
            device.water_level = 1
            shown = "on" if action == "online" else "off"
            self.watch("online state", binary("online"), shown.__eq__)
        elif action == "weather":
            device.temperature = round(30 + self.rng.random() * 5, 1)
            device.humidity = self.rng.randrange(70, 95)
            for key in ("temperature", "humidity"):
                value = partial(_shows, getattr(device, key))
                self.watch("temperature, humidity", sensor(key), value)
        elif action == "schedule":
            device.schedules[0].status = 1 - device.schedules[0].status
            enabled = str(sum(item.status for item in device.schedules))
            self.watch(
                "schedule from the app", sensor("enabled_schedules"), enabled.__eq__
            )

    def plan(self, devices: int) -> list[tuple[float, str, int]]:
        """Return six rounds of changes and six schedule edits made in the app.

        A round on a random device, 9 minutes apart: its own mist, its tank empty
        after it, offline and back, new weather. The edits fall in the first
        1,700 s, so that a 30-minute cadence shows them within the hour.
        """
        plan: list[tuple[float, str, int]] = []
        for round_ in range(6):
            number = self.rng.randrange(devices)
            begin = 30 + round_ * 540 + self.rng.uniform(0, 30)
            plan += [(begin, "mist", number), (begin + 30, "empty", number)]
            for offset, action in ((95, "offline"), (155, "online"), (205, "weather")):
                plan.append((begin + offset + self.rng.uniform(0, 30), action, number))
        for number in self.rng.sample(range(devices), min(6, devices)):
            plan.append((self.rng.uniform(60, 1700), "schedule", number))
        plan += [(at, "scheduled", number % devices) for at, number in RUNS]
        return sorted(plan)

    async def until(self, done: Callable[[], bool], limit: float) -> None:
        """Step until ``done()`` or ``limit`` more simulated seconds passed."""
        end = self.now + limit
        while not done() and self.now < end:
            await self.step()

    async def after_list_poll(self) -> None:
        """Step until a device-list poll (and what follows it) has just run."""
        polled = self.sim.request_counts.get(LIST, 0)
        await self.until(lambda: self.sim.request_counts.get(LIST, 0) > polled, 60)

    async def call(self, domain: str, service: str, data: dict[str, Any]) -> None:
        """Call a HA action as a dashboard does, and wait until it is done."""
        await self.hass.services.async_call(domain, service, data, blocking=True)

    async def start_up(self, devices: int) -> dict[str, Any]:
        """Step from setup (just done) until the hour begins; return its requests.

        The start-up window: from setup until history read every device's
        record once (the backfill, one device at a time), at least
        ``FIRST_MINUTES``. No device changes meanwhile, so the first read of
        each device is the first ``devices`` reads of the logs.
        """
        setup = self.sim.request_counts
        backfilled: float | None = None
        window: dict[str, int] | None = None
        while self.now < start_up_seconds(devices):
            await self.step()
            if backfilled is None and self.sim.request_counts.get(LOGS, 0) >= devices:
                backfilled = self.now
            if window is None and backfilled is not None and self.now >= FIRST_MINUTES:
                window = self.sim.request_counts
        if window is None:  # the backfill did not end before the hour
            window = self.sim.request_counts
        self._requests_reset += Counter(self.sim.request_counts)
        self.sim.reset_counts()
        self.start = self.sim.now()
        return {
            "setup": dict(sorted(setup.items())),
            "setup_total": sum(setup.values()),
            "backfill_min": None if backfilled is None else backfilled / 60,
            "requests": dict(sorted(window.items())),
            "total": sum(window.values()),
        }

    async def run(self, devices: int) -> dict[str, Any]:
        """Run the hour, then three mists from HA's switch and three edits."""
        plan = self.plan(devices)
        while self.now < HOUR:
            while plan and plan[0][0] <= self.now:
                self.change(*plan.pop(0)[1:])
            await self.step()
        counts = self.sim.request_counts
        for n in self.rng.sample(range(devices), min(3, devices)):
            await self.after_list_poll()
            switch = entity_id(self.hass, "switch", n, "spray")
            await self.call("switch", "turn_on", {"entity_id": switch})
            end = self.sim.device(device_id(n)).episodes[-1].ends_at - self.start
            self.watch("mist end, HA's switch", switch, "off".__eq__, end)
            await self.until(lambda: self.probes[-1].seen is not None, 400)
        number = entity_id(self.hass, "number", 0, "mist_duration")
        device = getattr(er.async_get(self.hass).async_get(number), "device_id", "")
        schedule = {"device_id": device, "time": "21:15", "duration": 30}
        rain = entity_id(self.hass, "switch", 0, "pause_in_rain")
        edits = {}
        for name, domain, service, data in (
            ("number", "number", "set_value", {"entity_id": number, "value": 45}),
            ("switch", "switch", "toggle", {"entity_id": rain}),
            ("add_schedule", "moogo", "add_schedule", schedule),
        ):
            await self.after_list_poll()
            self.sim.reset_counts()
            await self.call(domain, service, data)
            await self.until(lambda: False, EDIT_WINDOW)
            edits[name] = {
                key: value
                for key, value in self.sim.request_counts.items()
                if not _background(key)
            }
        kinds = {probe.kind for probe in self.probes}
        total = sum(counts.values())
        return {
            "requests": dict(sorted(counts.items())),
            "total": total,
            "per_device": total / devices,
            "edits": edits,
            "edit_total": {key: sum(value.values()) for key, value in edits.items()},
            "freshness": {
                k: [p.seen for p in self.probes if p.kind == k] for k in kinds
            },
        }


async def simulated_hour(job: dict[str, Any]) -> dict[str, Any]:
    """Run the start-up and the simulated hour for the job's device count.

    Returns their figures as ``start_up`` and ``hour``.
    """
    loop = asyncio.get_running_loop()
    devices = job["devices"]
    set_up_at = START - timedelta(seconds=start_up_seconds(devices))
    with freezegun.freeze_time(set_up_at) as frozen:
        # HA binds the real monotonic clock as loop.time; the class's method
        # reads the frozen one, so HA's timers follow the faked clock.
        del loop.time
        sim = MoogoSimulator(reaction_delay=3.0)
        populate(sim, devices)
        zone = ZoneInfo(sim.devices[0].time_zone)
        for at, number in RUNS:
            run = (START + timedelta(seconds=at)).astimezone(zone)
            device = device_id(number % devices)
            sim.add_schedule(device, hour=run.hour, minute=run.minute, duration=45)
        seed_spray_history(sim, sim.now())
        await sim.start()
        try:
            async with home_assistant(recorder=True) as hass:
                await setup(hass, make_entry(sim.url, sim.account(EMAIL).user_id, {}))
                hour = Hour(sim, frozen, job)
                hour.hass = hass
                start_up = await hour.start_up(devices)
                result = {"hour": await hour.run(devices), "start_up": start_up}
                start_up["first_10_min"] = hour.since_setup[FIRST_MINUTES].total()
                # Setup's own requests are apart, as in the hour.
                first_hour = hour.since_setup[HOUR] - Counter(start_up["setup"])
                start_up["first_hour"] = first_hour.total()
                start_up["first_hour_requests"] = dict(sorted(first_hour.items()))
                return result
        finally:
            await sim.stop()
            loop.time = time.monotonic  # type: ignore[method-assign]


def main() -> None:
    """Measure one device count (a JSON job from ``benchmarks``); print JSON."""
    job = json.loads(sys.argv[1])
    if job["integration_root"]:
        sys.path.insert(0, job["integration_root"])  # before custom_components loads
    logging.basicConfig(level=logging.WARNING)
    for quiet in ("homeassistant.loader", "aiohttp_fast_zlib"):
        logging.getLogger(quiet).setLevel(logging.ERROR)
    from custom_components.moogo import const  # noqa: PLC0415

    async def run() -> dict[str, Any]:
        configure_event_loop(asyncio.get_running_loop())
        result = await real_time(job)
        if not job["no_hour"]:
            result |= await simulated_hour(job)
            start_up, hour = result["start_up"]["total"], result["hour"]["total"]
            sys.stderr.write(f"  start-up: {start_up} requests, hour: {hour}\n")
        return result

    result = asyncio.run(run())
    packages = ("homeassistant", "aiohttp", "pytest-homeassistant-custom-component")
    versions = {name: metadata.version(name) for name in packages}
    result |= {"devices": job["devices"], "path": const.__file__, "versions": versions}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
