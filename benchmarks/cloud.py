"""The benchmark's fleet, and the simulator serving it from a child process.

In the real-time runs the simulator has its own process, so that its work
does not land on Home Assistant's event loop (a real cloud's does not
either). ``python -m benchmarks.cloud`` is that child; :class:`CloudProcess`
drives it from the parent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any, Self

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
    for number in range(devices):
        sim.add_device(
            EMAIL,
            device_id=device_id(number),
            name=f"Bench Mister {number + 1}",
            temperature=20.0 + (number % 50) / 10,
            humidity=40 + number % 30,
            rssi=-50 - number % 40,
            spraying_seconds=60,
        )
        sim.add_schedule(
            device_id(number), hour=6, minute=30, duration=60, repeat_set="1,2,3,4,5"
        )
        sim.add_schedule(device_id(number), hour=19, minute=number % 60, duration=90)


async def _drift(sim: MoogoSimulator) -> None:
    """Change every device's readings once a second: each refresh brings news."""
    step = 0
    while True:
        await asyncio.sleep(1)
        step += 1
        for index, device in enumerate(sim.devices):
            device.temperature = round(20.0 + ((index + step) % 50) / 10, 1)
            device.humidity = 40 + (index + step) % 30


async def _serve(args: argparse.Namespace) -> None:
    """Serve until the parent closes stdin."""
    sim = MoogoSimulator(reaction_delay=args.reaction_delay)
    populate(sim, args.devices)
    sim.faults.latency = args.latency
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    await sim.start("127.0.0.1", 0)
    drift = asyncio.create_task(_drift(sim)) if args.drift else None
    info = {"url": sim.url, "user_id": sim.account(EMAIL).user_id}
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    try:
        await stdin.read()
    finally:
        if drift is not None:
            drift.cancel()
        await sim.stop()


class CloudProcess:
    """The simulator child process, counted through its admin endpoints."""

    def __init__(self, devices: int, latency: float, reaction: float, drift: bool):
        """Describe the child; ``async with`` starts and stops it."""
        self.args = [f"--devices={devices}", f"--latency={latency}"]
        self.args += [f"--reaction-delay={reaction}", *(["--drift"] * drift)]
        self.url = self.user_id = ""
        self._process: asyncio.subprocess.Process | None = None
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        """Start the child and wait until it listens."""
        self._process = process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "benchmarks.cloud", *self.args),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None  # noqa: S101 - asked for a pipe
        async with asyncio.timeout(30):
            info = json.loads(await process.stdout.readline())
        self.url, self.user_id = info["url"], info["user_id"]
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the child: it ends when its stdin closes."""
        if self._session is not None:
            await self._session.close()
        if (process := self._process) is not None and process.stdin is not None:
            process.stdin.close()
            await process.wait()

    async def _admin(self, method: str, path: str) -> Any:
        assert self._session is not None  # noqa: S101 - inside ``async with``
        url = f"{self.url}/_admin/{path}"
        async with self._session.request(method, url) as response:
            response.raise_for_status()
            return await response.json()

    async def counts(self) -> dict[str, int]:
        """Return the API requests since the last reset, by endpoint."""
        return dict((await self._admin("GET", "counters"))["counts"])

    async def total(self) -> int:
        """Return the number of API requests since the last reset."""
        return sum((await self.counts()).values())

    async def reset_counts(self) -> None:
        """Forget the request counts."""
        await self._admin("POST", "counters/reset")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cloud")
    parser.add_argument("--devices", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--reaction-delay", type=float, default=3.0)
    parser.add_argument("--drift", action="store_true")
    asyncio.run(_serve(parser.parse_args()))
