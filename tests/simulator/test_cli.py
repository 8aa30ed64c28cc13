"""``python -m moogo_sim``: as a real subprocess and in-process."""

from __future__ import annotations

import asyncio
from pathlib import Path
import re
import signal
import socket
import sys

import aiohttp
import pytest

from moogo_sim import DEMO_EMAIL, DEMO_PASSWORD, MoogoSimulator
from moogo_sim.__main__ import create_simulator, parse_args, serve

REPO_ROOT = Path(__file__).resolve().parents[2]
BANNER = re.compile(
    r"^Moogo simulator on (http://127\.0\.0\.1:(\d+)) "
    r"\(demo account demo@moogo\.example / demo-password\)$"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _round_trip(session: aiohttp.ClientSession, url: str) -> list[int]:
    """Log in, list devices, start and stop the first one; return runStatuses."""
    async with session.post(
        f"{url}/v1/user/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    ) as resp:
        token = (await resp.json())["data"]["token"]
    headers = {"token": token}
    async with session.get(f"{url}/v1/devices", headers=headers) as resp:
        device_id = (await resp.json())["data"]["items"][0]["deviceId"]
    statuses = []
    for command in ("start", "stop"):
        async with session.post(
            f"{url}/v1/devices/{device_id}/{command}", json={}, headers=headers
        ) as resp:
            assert (await resp.json())["code"] == 0
        async with session.get(
            f"{url}/v1/devices/{device_id}", headers=headers
        ) as resp:
            statuses.append((await resp.json())["data"]["runStatus"])
    return statuses


async def test_cli_subprocess_round_trip_and_sigint(socket_enabled: None) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "moogo_sim",
        "--port",
        str(port),
        "--reaction-delay",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(30):
            line = (await process.stdout.readline()).decode().strip()
        match = BANNER.match(line)
        assert match, line
        assert int(match.group(2)) == port

        async with aiohttp.ClientSession() as session:
            assert await _round_trip(session, match.group(1)) == [1, 0]

        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(15):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr


async def test_serve_in_process(socket_enabled: None) -> None:
    args = parse_args(
        ["--port", "0", "--reaction-delay", "0", "--devices", "1", "--ms-timestamps"]
    )
    lines: list[str] = []
    announced = asyncio.Event()
    stop = asyncio.Event()
    previous = signal.getsignal(signal.SIGINT)

    def announce(line: str) -> None:
        lines.append(line)
        announced.set()

    task = asyncio.create_task(serve(args, announce=announce, stop_event=stop))
    async with asyncio.timeout(10):
        await announced.wait()
    match = BANNER.match(lines[0])
    assert match, lines
    async with aiohttp.ClientSession() as session:
        assert await _round_trip(session, match.group(1)) == [1, 0]
    stop.set()

    assert await task == 0
    # The signal handlers of the surrounding program are back.
    assert signal.getsignal(signal.SIGINT) is previous


def test_create_simulator_applies_flags() -> None:
    args = parse_args(
        [
            "--devices",
            "3",
            "--latency",
            "0.05",
            "--error-rate",
            "0.25",
            "--seed",
            "9",
            "--ms-timestamps",
            "--token-ttl",
            "120",
            "--reaction-delay",
            "4",
        ]
    )

    sim = create_simulator(args)

    assert isinstance(sim, MoogoSimulator)
    assert len(sim.devices_of(DEMO_EMAIL)) == 6
    assert (sim.faults.latency, sim.faults.error_rate, sim.faults.seed) == (
        0.05,
        0.25,
        9,
    )
    assert sim.faults.ms_timestamps is True
    assert sim.auth.token_ttl == 120
    assert sim.reaction_delay == 4
    assert (args.host, args.port) == ("127.0.0.1", 8089)
    # The demo's three devices span two pages unless told otherwise.
    assert sim.page_size_limit == 2


def test_page_size_limit_flag() -> None:
    uncapped = create_simulator(parse_args(["--page-size-limit", "0"]))
    wider = create_simulator(parse_args(["--page-size-limit", "50"]))

    assert (uncapped.page_size_limit, wider.page_size_limit) == (None, 50)


@pytest.mark.parametrize(
    "argv",
    [
        ["--error-rate", "2"],
        ["--latency", "-1"],
        ["--devices", "-3"],
        ["--port", "x"],
        ["--page-size-limit", "-1"],
    ],
)
def test_bad_flags_exit_with_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)

    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err
