"""The benchmark's fleet, and the simulator serving it from a child process.

In the real-time runs the simulator has its own process, so that its work
does not land on Home Assistant's event loop (a real cloud's does not either).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import count, product
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from moogo_sim import MoogoSimulator

EMAIL = "bench@moogo.example"
PASSWORD = "bench-password"  # noqa: S105 - a local simulator account
LOGIN = "POST /v1/user/login"


def device_id(number: int) -> str:
    """Return the stable id of the benchmark's device ``number``."""
    return f"MGBENCH{number:05d}"


def populate(sim: MoogoSimulator, devices: int) -> None:
    """Give the benchmark account ``devices`` online devices, two schedules each."""
    sim.add_account(EMAIL, PASSWORD)
    for n in range(devices):
        sim.add_device(
            EMAIL,
            device_id=device_id(n),
            name=f"Bench Mister {n + 1}",
            temperature=20.0 + (n % 50) / 10,
            humidity=40 + n % 30,
            rssi=-50 - n % 40,
            spraying_seconds=60,
        )
        sim.add_schedule(device_id(n), hour=6, minute=30, duration=60)
        sim.add_schedule(device_id(n), hour=19, minute=n % 60, duration=90)


def seed_spray_history(sim: MoogoSimulator, until: float, days: int = 7) -> None:
    """Record the mists each device's schedules ran in the ``days`` before ``until``.

    So that history's first read of a device imports a week of mists, as an
    account in use has.
    """
    end = datetime.fromtimestamp(until, UTC)
    for device in sim.devices:
        zone = ZoneInfo(device.time_zone)
        today = end.astimezone(zone).date()
        days_back = (today - timedelta(days=back) for back in range(days + 1))
        for day, schedule in product(days_back, device.schedules):
            start = datetime.combine(day, time(schedule.hour, schedule.minute), zone)
            ended = start + timedelta(seconds=schedule.duration)
            if schedule.status and end - timedelta(days=days) <= start and ended <= end:
                sim.add_spray_record(
                    device.device_id, ended.timestamp(), schedule.duration
                )


async def _serve(job: dict[str, Any], pipe: Connection) -> None:
    """Serve until killed; with drift, every reading changes every second."""
    sim = MoogoSimulator(reaction_delay=job["reaction_delay"])
    populate(sim, job["devices"])
    sim.faults.latency = job["latency"]
    await sim.start("127.0.0.1", 0)
    pipe.send((sim.url, sim.account(EMAIL).user_id))
    for step in count(1):
        await asyncio.sleep(1)
        for index, device in enumerate([] if job["no_drift"] else sim.devices):
            device.temperature = round(20.0 + ((index + step) % 50) / 10, 1)
            device.humidity = 40 + (index + step) % 30


def _child(job: dict[str, Any], pipe: Connection) -> None:
    asyncio.run(_serve(job, pipe))


@dataclass
class Cloud:
    """The child's address, and its request counters (admin endpoints)."""

    url: str
    user_id: str

    async def _admin(self, method: str, path: str) -> Any:
        async with aiohttp.request(method, f"{self.url}/_admin/{path}") as response:
            response.raise_for_status()
            return await response.json()

    async def counts(self) -> dict[str, int]:
        """Return the API requests since the last reset, by endpoint."""
        return dict((await self._admin("GET", "counters"))["counts"])

    async def total(self) -> int:
        """Return how many API requests came since the last reset."""
        return sum((await self.counts()).values())

    async def reset_counts(self) -> None:
        """Forget the request counts."""
        await self._admin("POST", "counters/reset")


@asynccontextmanager
async def cloud_process(job: dict[str, Any]) -> AsyncIterator[Cloud]:
    """Serve the fleet of a worker's ``job`` from a child process while inside."""
    ours, theirs = multiprocessing.Pipe()
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter, no HA state
    process = spawn.Process(target=_child, args=(job, theirs))
    process.start()
    theirs.close()  # so that a child that dies ends the wait below
    try:
        yield Cloud(*await asyncio.to_thread(ours.recv))
    finally:
        process.kill()
        await asyncio.to_thread(process.join)
