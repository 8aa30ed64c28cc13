"""The demo behind ``scripts/develop``: a quiet first login, a whole stop on a signal.

Runs ``python -m moogo_devstack`` (what ``scripts/develop`` execs into) as its
own process, as a supervisor or ``timeout`` would, and signals that PID only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time

import pytest

from moogo_devstack import HomeAssistantApi
from moogo_devstack.__main__ import HA_PASSWORD, HA_USER
from moogo_devstack.stack import frontend_installed

from .conftest import free_port

pytestmark = pytest.mark.timeout(600)

REPO_ROOT = Path(__file__).resolve().parents[2]
# Home Assistant tells every Core (virtualenv) installation that the method is
# deprecated; that repair is about how HA is installed, not about the demo.
HA_OWN_REPAIRS = {("homeassistant", "deprecated_method")}
MOOGO_BLUEPRINTS = {
    f"moogo/{path.name}"
    for path in (REPO_ROOT / "blueprints/automation/moogo").glob("*.yaml")
}
BLUEPRINT_AUTOMATION = "automation.moogo_tank_alerts"


@dataclass
class Demo:
    """One running demo process and what it printed."""

    process: asyncio.subprocess.Process
    port: int
    sim_port: int
    output: list[str]

    @property
    def url(self) -> str:
        """Home Assistant's address."""
        return f"http://127.0.0.1:{self.port}"


def session_processes(session_id: int) -> list[int]:
    """PIDs of every live process in a session (the demo's, with its hass)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            # After "pid (comm)": state, ppid, pgrp, session; zombies are gone.
            if int(fields[3]) == session_id and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def port_is_free(port: int) -> bool:
    """Whether nothing holds ``port`` on loopback."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


async def start_demo(state: Path, port: int, sim_port: int) -> Demo:
    """Start the demo in a session of its own and wait until it is ready."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "moogo_devstack",
        "--port",
        str(port),
        "--sim-port",
        str(sim_port),
        "--state",
        str(state),
        "--reaction-delay",
        "0",
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    demo = Demo(process, port, sim_port, [])
    assert process.stdout is not None
    async with asyncio.timeout(300):
        while not demo.output or "Press Ctrl-C" not in demo.output[-1]:
            line = await process.stdout.readline()
            if not line:
                pytest.fail(f"the demo exited early: {''.join(demo.output)}")
            demo.output.append(line.decode())
    return demo


async def stop_demo(demo: Demo, signum: signal.Signals) -> int:
    """Send ``signum`` to the demo's PID alone; return its exit code."""
    assert session_processes(demo.process.pid), "the demo is not running"
    demo.process.send_signal(signum)
    async with asyncio.timeout(120):
        code = await demo.process.wait()
    # The signal went to one PID; its children must have gone with it.
    for _ in range(50):
        if not session_processes(demo.process.pid):
            break
        await asyncio.sleep(0.2)
    assert session_processes(demo.process.pid) == []
    return code


async def save_blueprint_automation(api: HomeAssistantApi) -> None:
    """Save an automation from a Moogo blueprint, as the editor does; wait for it."""
    patio = await api.request(
        "POST",
        "/api/template",
        json={"template": "{{ device_id('switch.patio_mister_spray') }}"},
    )
    saved = await api.request(
        "POST",
        "/api/config/automation/config/moogo_tank_alerts",
        json={
            "alias": "Moogo tank alerts",
            "use_blueprint": {
                "path": "moogo/notify_when_tank_empty.yaml",
                "input": {"moogo_devices": [str(patio).strip()]},
            },
        },
    )
    assert saved == {"result": "ok"}
    for _ in range(100):
        if BLUEPRINT_AUTOMATION in await api.states():
            return
        await asyncio.sleep(0.2)
    pytest.fail(f"{BLUEPRINT_AUTOMATION} did not load")


@pytest.fixture
async def demos(tmp_path: Path) -> AsyncIterator[list[Demo]]:
    """Demos started by a test; any still running at the end are killed."""
    started: list[Demo] = []
    yield started
    for demo in started:
        if demo.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(demo.process.pid, signal.SIGKILL)
            await demo.process.wait()


async def test_fresh_demo_first_login_is_quiet_and_signals_stop_it_whole(
    socket_enabled: None, tmp_path: Path, demos: list[Demo]
) -> None:
    """No notification or repair from the demo; SIGTERM, then SIGINT, stop all."""
    state = tmp_path / "state"
    port, sim_port = free_port(), free_port()
    installs_frontend = not frontend_installed()

    demo = await start_demo(state, port, sim_port)
    demos.append(demo)
    text = "".join(demo.output)
    assert ("installs its frontend" in text) is installs_frontend
    async with HomeAssistantApi(demo.url) as api:
        # The first login, as the user makes it after the demo is ready.
        await api.login(HA_USER, HA_PASSWORD)
        notifications = await api.websocket_command(
            {"type": "persistent_notification/get"}
        )
        issues = (await api.websocket_command({"type": "repairs/list_issues"}))[
            "issues"
        ]
        config = await api.request("GET", "/api/config")
        blueprints = await api.websocket_command(
            {"type": "blueprint/list", "domain": "automation"}
        )
        await save_blueprint_automation(api)
    assert notifications == []
    assert {"automation", "script", "scene"} <= set(config["components"])
    assert blueprints.keys() >= MOOGO_BLUEPRINTS
    assert all("error" not in blueprints[path] for path in MOOGO_BLUEPRINTS)
    assert {(issue["domain"], issue["issue_id"]) for issue in issues} <= HA_OWN_REPAIRS
    # History is kept (graphs in more-info); components are listed, not
    # pulled in by default_config.
    assert {"recorder", "history", "moogo"} <= set(config["components"])
    assert "default_config" not in config["components"]
    children = session_processes(demo.process.pid)
    assert len(children) >= 2  # the demo and its hass

    assert await stop_demo(demo, signal.SIGTERM) == 0
    assert port_is_free(port)
    assert port_is_free(sim_port)

    # A warm start reuses the state and never claims to install anything.
    demo = await start_demo(state, port, sim_port)
    demos.append(demo)
    text = "".join(demo.output)
    assert "install" not in text.split("Home Assistant is ready")[0].lower()
    assert "reused the existing Moogo entry" in text
    async with HomeAssistantApi(demo.url) as api:
        await api.login(HA_USER, HA_PASSWORD)
        # The automation saved before the restart is still there, and loads.
        assert (await api.states())[BLUEPRINT_AUTOMATION]["state"] == "on"
    assert await stop_demo(demo, signal.SIGINT) == 0
    assert port_is_free(port)
    assert port_is_free(sim_port)


async def test_signal_during_start_up_stops_the_demo_whole(
    socket_enabled: None, tmp_path: Path
) -> None:
    """SIGTERM while Home Assistant is still starting leaves nothing behind."""
    port, sim_port = free_port(), free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "moogo_devstack",
        "--port",
        str(port),
        "--sim-port",
        str(sim_port),
        "--state",
        str(tmp_path / "state"),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    demo = Demo(process, port, sim_port, [])
    try:
        assert process.stdout is not None
        async with asyncio.timeout(120):
            while "Starting Home Assistant" not in "".join(demo.output):
                demo.output.append((await process.stdout.readline()).decode())
            # hass serves HTTP but is still starting (the demo is not ready).
            for _ in range(1200):
                if not port_is_free(port):
                    break
                await asyncio.sleep(0.1)
        assert "Home Assistant is ready" not in "".join(demo.output)
        assert await stop_demo(demo, signal.SIGTERM) == 0
        assert port_is_free(port)
        assert port_is_free(sim_port)
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


@pytest.mark.parametrize(
    ("busy", "expected"),
    [
        (
            "--port",
            "Port {port} (Home Assistant) is in use; choose another with --port",
        ),
        (
            "--sim-port",
            "Port {port} (the simulator) is in use; choose another with --sim-port",
        ),
    ],
)
def test_a_busy_port_is_named_with_the_option_to_choose_another(
    socket_enabled: None, tmp_path: Path, busy: str, expected: str
) -> None:
    """One line naming the port and the option, exit code 1, nothing started."""
    ports = {"--port": free_port(), "--sim-port": free_port()}
    state = tmp_path / "state"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", ports[busy]))
        holder.listen()
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "moogo_devstack",
                *(str(item) for option in ports.items() for item in option),
                "--state",
                str(state),
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(expected.format(port=ports[busy]) + " "), line
    suggested = int(line.rsplit(" ", 1)[1])
    assert suggested not in ports.values()
    assert port_is_free(suggested)
    assert not state.exists()


def test_in_env_exec_hands_the_callers_pid_to_the_command(tmp_path: Path) -> None:
    """scripts/develop's PID becomes the demo's: nothing stays between them."""
    marker = tmp_path / "started"
    shell = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            "/bin/bash",
            "-c",
            f'. scripts/_env.sh; IN_ENV_EXEC=1 in_env "touch {marker}; exec sleep 30"',
        ],
        cwd=REPO_ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)
        command = Path(f"/proc/{shell.pid}/cmdline").read_bytes().split(b"\0")
        assert command[:2] == [b"sleep", b"30"]
        shell.send_signal(signal.SIGTERM)
        assert shell.wait(timeout=10) == -signal.SIGTERM
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGKILL)
        shell.wait()
