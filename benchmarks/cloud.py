"""The simulated cloud for the benchmark, served from a child process.

The simulator runs in its own process so that its request handling does not
share Home Assistant's event loop (a real cloud does not either): refresh
times and event-loop stalls then belong to Home Assistant and the
integration alone. The child is ``python -m benchmarks.cloud``; the parent
drives it through :class:`CloudProcess` and the simulator's ``/_admin/``
endpoints (request counters, logins).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
import json
import sys
from types import TracebackType
from typing import Any, Self

import aiohttp

from moogo_sim import MoogoSimulator

BENCH_EMAIL = "bench@moogo.example"
BENCH_PASSWORD = "bench-password"  # noqa: S105 - a local simulator account
LOGIN_ROUTE = "POST /v1/user/login"

#: How often the child changes every device's readings (``--drift``).
_DRIFT_PERIOD = 1.0
_STARTUP_TIMEOUT = 30.0


# -- child side --------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Return the child's argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.cloud",
        description="Serve a Moogo simulator with N online devices for the benchmark.",
    )
    parser.add_argument("--devices", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--reaction-delay", type=float, default=3.0)
    parser.add_argument(
        "--drift",
        action="store_true",
        help="change temperature and humidity of every device once a second",
    )
    return parser


def populate(sim: MoogoSimulator, devices: int) -> list[str]:
    """Create the benchmark account with ``devices`` online devices.

    Every device has two schedules and slightly different readings, like a
    real fleet; the ids are stable from run to run.
    """
    sim.add_account(BENCH_EMAIL, BENCH_PASSWORD)
    ids: list[str] = []
    for number in range(devices):
        device = sim.add_device(
            BENCH_EMAIL,
            device_id=f"MGBENCH{number:05d}",
            name=f"Bench Mister {number + 1}",
            temperature=20.0 + (number % 50) / 10,
            humidity=40 + number % 30,
            rssi=-50 - number % 40,
            spraying_seconds=60,
        )
        sim.add_schedule(
            device.device_id, hour=6, minute=30, duration=60, repeat_set="1,2,3,4,5"
        )
        sim.add_schedule(device.device_id, hour=19, minute=number % 60, duration=90)
        ids.append(device.device_id)
    return ids


async def _drift(sim: MoogoSimulator) -> None:
    """Nudge every device's readings, so each refresh brings real changes."""
    step = 0
    while True:
        await asyncio.sleep(_DRIFT_PERIOD)
        step += 1
        for index, device in enumerate(sim.devices):
            device.temperature = round(20.0 + ((index + step) % 50) / 10, 1)
            device.humidity = 40 + (index + step) % 30


async def serve(args: argparse.Namespace) -> None:
    """Serve until stdin closes: the parent closes it, or exits."""
    sim = MoogoSimulator(reaction_delay=args.reaction_delay)
    device_ids = populate(sim, args.devices)
    sim.faults.latency = args.latency
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    await sim.start("127.0.0.1", 0)
    drift = asyncio.create_task(_drift(sim)) if args.drift else None
    announcement = {
        "url": sim.url,
        "email": BENCH_EMAIL,
        "password": BENCH_PASSWORD,
        "user_id": sim.account(BENCH_EMAIL).user_id,
        "device_ids": device_ids,
    }
    # One line on stdout, at once: the parent waits for it.
    sys.stdout.write(json.dumps(announcement) + "\n")
    sys.stdout.flush()
    try:
        await stdin.read()
    finally:
        if drift is not None:
            drift.cancel()
        await sim.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks.cloud``."""
    asyncio.run(serve(build_parser().parse_args(argv)))
    return 0


# -- parent side -------------------------------------------------------------


@dataclass(frozen=True)
class CloudInfo:
    """What the child announces once it listens."""

    url: str
    email: str
    password: str
    user_id: str
    device_ids: list[str]


class CloudProcess:
    """A simulator child process, driven through its admin endpoints."""

    def __init__(
        self,
        devices: int,
        *,
        latency: float,
        reaction_delay: float,
        drift: bool = True,
    ) -> None:
        """Describe the cloud; ``async with`` starts and stops it."""
        self._args = [
            "--devices",
            str(devices),
            "--latency",
            str(latency),
            "--reaction-delay",
            str(reaction_delay),
        ]
        if drift:
            self._args.append("--drift")
        self._process: asyncio.subprocess.Process | None = None
        self._session: aiohttp.ClientSession | None = None
        self._info: CloudInfo | None = None

    @property
    def info(self) -> CloudInfo:
        """URL, credentials and device ids; RuntimeError before start."""
        if self._info is None:
            raise RuntimeError("cloud not started")
        return self._info

    async def __aenter__(self) -> Self:
        """Start the child and wait until it listens."""
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.cloud",
            *self._args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        stdout = self._process.stdout
        if stdout is None:
            raise RuntimeError("no pipe to the simulator process")
        try:
            async with asyncio.timeout(_STARTUP_TIMEOUT):
                line = await stdout.readline()
            announced = json.loads(line)
        except TimeoutError, ValueError:
            await self._terminate()
            raise RuntimeError("the simulator process did not start") from None
        self._info = CloudInfo(**announced)
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the child."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self._terminate()

    async def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            async with asyncio.timeout(5):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()

    async def _admin(self, method: str, path: str) -> Any:
        if self._session is None:
            raise RuntimeError("cloud not started")
        async with self._session.request(
            method, f"{self.info.url}/_admin/{path}"
        ) as response:
            response.raise_for_status()
            return await response.json()

    async def counts(self) -> dict[str, int]:
        """Return the API requests since the last reset, per ``"METHOD /route"``."""
        data = await self._admin("GET", "counters")
        return {str(key): int(value) for key, value in data["counts"].items()}

    async def reset_counts(self) -> None:
        """Forget the request counts."""
        await self._admin("POST", "counters/reset")


if __name__ == "__main__":
    sys.exit(main())
