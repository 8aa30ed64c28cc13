"""Fixtures that run a real Home Assistant process against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
import re
import socket
import time
from typing import Any

import pytest

from moogo_devstack import HomeAssistantApi, HomeAssistantProcess
from moogo_sim import DEMO_APP_LIMITS, DEMO_PAGE_SIZE_LIMIT, MoogoSimulator

HA_USER = "e2e-owner"
HA_PASSWORD = "e2e-Owner-pass-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
FIRMWARE_INSTALL_SECONDS = 10


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class RealHome:
    """A running Home Assistant, its API client and the simulated cloud."""

    hass: HomeAssistantProcess
    api: HomeAssistantApi
    sim: MoogoSimulator

    def log_text(self) -> str:
        """Home Assistant's log so far."""
        return (
            self.hass.log_file.read_text(errors="replace")
            if self.hass.log_file.exists()
            else ""
        )


async def eventually[T](
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    *,
    within: float = 30,
    what: str = "condition",
) -> T:
    """Poll ``probe`` until ``accept`` holds; fail with the last value otherwise."""

    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; last value: {value!r}")
        await asyncio.sleep(0.25)


@pytest.fixture
def expected_lingering_timers() -> bool:
    """aiohttp's server keeps idle-connection timers for the hass process' sockets."""
    return True


@pytest.fixture
async def real_home(socket_enabled: None, tmp_path: Path) -> AsyncIterator[RealHome]:
    """Start the demo simulator and a real, onboarded Home Assistant.

    As ``scripts/develop`` serves it: the device list two devices a page, and
    the app's limits on durations and schedules.
    """
    sim = MoogoSimulator.seeded_demo(
        reaction_delay=1,
        # Long enough to see a firmware install in progress, short for a test.
        firmware_install_seconds=FIRMWARE_INSTALL_SECONDS,
        page_size_limit=DEMO_PAGE_SIZE_LIMIT,
        app_limits=DEMO_APP_LIMITS,
    )
    await sim.start(port=free_port())
    # Reused between runs: the first start installs the frontend packages.
    hass = HomeAssistantProcess(tmp_path / "config", free_port())
    api = HomeAssistantApi(hass.url)
    try:
        await hass.start()
        await api.onboard("E2E", HA_USER, HA_PASSWORD)
        yield RealHome(hass, api, sim)
    finally:
        await hass.stop(api)
        await api.close()
        ARTIFACTS.mkdir(exist_ok=True)
        if hass.log_file.exists():
            (ARTIFACTS / f"home-assistant-{tmp_path.name}.log").write_text(
                hass.log_file.read_text(errors="replace")
            )
        await sim.stop()


# How Home Assistant names this integration when it reports a deprecated use:
# "Detected that custom integration 'moogo' ...", a frame in our files, or
# our module (custom_components.moogo...) for deprecated entity members.
OURS = re.compile(r"custom_components[./]moogo|integration 'moogo'")
# Its wording for what breaks in a coming release.
DEPRECATION = re.compile(r"deprecat|will stop working|breaks in", re.IGNORECASE)


def moogo_errors(log: str) -> list[str]:
    """Errors, tracebacks and deprecation reports in HA's log about this integration.

    Other integrations' complaints about this machine (no ffmpeg, say) are
    not ours; an ERROR line or a traceback block naming our code is, and so
    is any warning in which Home Assistant says that something we do is
    deprecated or will stop working in a coming release.
    """
    found: list[str] = []
    for block in re.split(r"\n(?=\d{4}-\d{2}-\d{2} )", log):
        header = block.split("\n", 1)[0]
        if not OURS.search(block):
            continue
        if " ERROR " in header or "Traceback" in block or DEPRECATION.search(block):
            found.append(header)
    return found


Json = dict[str, Any]
