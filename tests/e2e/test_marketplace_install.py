"""Installed the way users of Home Assistant 2026.11 install it: through the Marketplace.

A real ``hass`` (the newest release, requirements-ha.txt) starts without
Moogo. Its Marketplace is switched, in its own options, to a download profile
that points at a local stand-in for GitHub (tests/e2e/github_stand_in.py).
From there it installs this checkout's release asset, Home Assistant
restarts, Moogo is added through its config flow against the simulator and a
Spray switch works; then the Marketplace removes it again and nothing of ours
is left in custom_components.

Adding the repository as a *custom repository* is refused offline: the
Marketplace's ``marketplace/repositories/add`` (and ``.../detect``) require
a connected GitHub account, and connecting one goes through GitHub's device
login on github.com itself (aiogithubapi's fixed OAuth URLs), which no
profile redirects. The test checks that refusal, then takes the path every
user without a GitHub account takes: the repository as the catalog lists
it. The steps after that (download, extraction, checks, removal) are the
ones a custom repository goes through as well.

The duration and what the stand-in served go to
``artifacts/marketplace-install.json``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
import io
import json
from pathlib import Path
import time
from typing import Any
import zipfile

import pytest

from moogo_devstack import HomeAssistantApi, HomeAssistantProcess
from moogo_sim import DEMO_EMAIL, DEMO_PASSWORD, MoogoSimulator

from .conftest import (
    ARTIFACTS,
    HA_PASSWORD,
    HA_USER,
    eventually,
    free_port,
    moogo_errors,
)
from .github_stand_in import (
    FULL_NAME,
    PROFILE_ID,
    RELEASE_ASSET,
    REPOSITORY_ID,
    VERSION,
    GitHubStandIn,
    write_profile_integration,
)

pytestmark = pytest.mark.timeout(600)

SPRAY = "switch.patio_mister_spray"


@dataclass
class MarketplaceHome:
    """Home Assistant without Moogo, the stand-in and the simulator."""

    hass: HomeAssistantProcess
    api: HomeAssistantApi
    stand_in: GitHubStandIn
    sim: MoogoSimulator

    @property
    def custom_components(self) -> Path:
        """The config folder's custom_components."""
        return self.hass.config_dir / "custom_components"

    def log_text(self) -> str:
        """Home Assistant's log of every start so far (a start rotates it to .1)."""
        logs = (
            self.hass.log_file.with_name(f"{self.hass.log_file.name}.1"),
            self.hass.log_file,
        )
        return "".join(log.read_text(errors="replace") for log in logs if log.exists())

    async def restart(self) -> None:
        """Stop Home Assistant cleanly and start it again, logged in."""
        await self.hass.stop(self.api)
        await self.api.close()
        await self.hass.start()
        self.api = HomeAssistantApi(self.hass.url)
        await self.api.login(HA_USER, HA_PASSWORD)


@pytest.fixture
async def marketplace_home(
    socket_enabled: None, tmp_path: Path
) -> AsyncIterator[MarketplaceHome]:
    """Start the stand-in, the simulator and an onboarded HA without Moogo."""
    stand_in = GitHubStandIn()
    await stand_in.start(free_port())
    sim = MoogoSimulator.seeded_demo(reaction_delay=1)
    await sim.start(port=free_port())
    config_dir = tmp_path / "config"
    hass = HomeAssistantProcess(
        config_dir,
        free_port(),
        extra_configuration=write_profile_integration(config_dir, stand_in.profile),
        link_integration=False,
    )
    home = MarketplaceHome(hass, HomeAssistantApi(hass.url), stand_in, sim)
    try:
        await hass.start()
        await home.api.onboard("Marketplace", HA_USER, HA_PASSWORD)
        yield home
    finally:
        await home.hass.stop(home.api)
        await home.api.close()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "home-assistant-marketplace-install.log").write_text(
            home.log_text()
        )
        await sim.stop()
        await stand_in.stop()


async def test_install_through_the_marketplace_use_and_remove(
    marketplace_home: MarketplaceHome,
) -> None:
    """Marketplace install, restart, config flow, Spray switch, Marketplace removal."""
    home = marketplace_home
    started = time.monotonic()
    assert not (home.custom_components / "moogo").exists()
    version = await home.api.request("GET", "/api/config")
    assert version["version"] == _pinned_release()

    # Settings > System > Marketplace > options: the stand-in's profile.
    await _choose_download_profile(home.api)
    await home.api.websocket_command({"type": "marketplace/warning/accept"})

    # "Add custom repository" needs a GitHub account (see the module docstring).
    with pytest.raises(RuntimeError, match="github_not_connected"):
        await home.api.websocket_command(
            {
                "type": "marketplace/repositories/add",
                "repository": f"https://github.com/{FULL_NAME}",
                "category": "integration",
            }
        )

    # The catalog from the stand-in lists Moogo; the panel shows it.
    listed = await eventually(
        lambda: _repository(home.api),
        lambda repository: repository is not None,
        within=60,
        what="Moogo in the Marketplace's list",
    )
    assert listed is not None
    assert listed["name"] == "Moogo"
    assert listed["domain"] == "moogo"
    assert listed["available_version"] == VERSION
    assert listed["can_install"] is True
    assert listed["installed"] is False

    # Download: the release asset, extracted into custom_components/moogo.
    await home.api.websocket_command(
        {"type": "marketplace/repository/install", "repository": REPOSITORY_ID}
    )
    installed = await _repository(home.api)
    assert installed is not None
    assert installed["installed"] is True
    assert installed["installed_version"] == VERSION
    assert _tree(home.custom_components / "moogo") == _zip_members(home.stand_in.asset)
    downloaded = [served.path for served in home.stand_in.downloads()]
    assert f"/github/{FULL_NAME}/releases/download/{VERSION}/{RELEASE_ASSET}" in (
        downloaded
    )
    assert f"/raw/{FULL_NAME}/{VERSION}/hacs.json" in downloaded
    # Nothing needed the GitHub REST API.
    assert [s for s in home.stand_in.requests if s.endpoint == "api"] == []

    # Restart, as the Marketplace's repair asks; then add Moogo as a user does.
    served_before = len(home.stand_in.requests)
    await home.restart()
    # The restarted Marketplace reads its catalog from the chosen profile again.
    await eventually(
        _async_value(lambda: home.stand_in.requests[served_before:]),
        lambda after: any(s.path == "/catalog/integration/data.json" for s in after),
        within=60,
        what="the catalog read again through the stand-in after the restart",
    )
    flow = await home.api.start_flow("moogo")
    created = await home.api.submit_flow(
        flow["flow_id"],
        {
            "email": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
            "advanced": {"api_url": home.sim.url},
        },
    )
    assert created["type"] == "create_entry"
    states = await eventually(
        home.api.states,
        lambda s: SPRAY in s and s[SPRAY]["state"] != "unavailable",
        what="Moogo entities from the installed copy",
    )
    assert states[SPRAY]["state"] == "off"
    patio = next(device for device in home.sim.devices if device.name == "Patio Mister")

    async def misting() -> bool:
        return home.sim.is_spraying(patio.device_id)

    await home.api.call("switch", "turn_on", {"entity_id": SPRAY})
    await eventually(misting, bool, what="patio spraying")
    await home.api.call("switch", "turn_off", {"entity_id": SPRAY})
    await eventually(misting, lambda on: not on, what="patio stopped")

    # Removal: the Marketplace refuses while an entry uses Moogo, then removes it.
    with pytest.raises(RuntimeError, match="repository_in_use"):
        await home.api.websocket_command(
            {"type": "marketplace/repository/uninstall", "repository": REPOSITORY_ID}
        )
    await home.api.remove_entry(created["result"]["entry_id"])
    await home.api.websocket_command(
        {"type": "marketplace/repository/uninstall", "repository": REPOSITORY_ID}
    )
    removed = await _repository(home.api)
    assert removed is not None
    assert removed["installed"] is False
    left = sorted(path.name for path in home.custom_components.iterdir())
    assert left == ["moogo_e2e_profile"]  # the test's own profile, nothing of ours
    assert moogo_errors(home.log_text()) == []

    _record(home, time.monotonic() - started)


def _async_value[T](read: Callable[[], T]) -> Callable[[], Awaitable[T]]:
    async def probe() -> T:
        return read()

    return probe


def _pinned_release() -> str:
    requirements = (
        Path(__file__).resolve().parents[2] / "requirements-ha.txt"
    ).read_text()
    for line in requirements.splitlines():
        if line.startswith("homeassistant=="):
            return line.removeprefix("homeassistant==").strip()
    pytest.fail("requirements-ha.txt pins no homeassistant")


async def _choose_download_profile(api: HomeAssistantApi) -> None:
    """The Marketplace's options flow, as its Configure button opens it."""
    entries = await api.entries("marketplace")
    assert [entry["state"] for entry in entries] == ["loaded"]
    form = await api.request(
        "POST",
        "/api/config/config_entries/options/flow",
        json={"handler": entries[0]["entry_id"]},
    )
    assert form["type"] == "form"
    profile_field = next(f for f in form["data_schema"] if f["name"] == "profile")
    assert PROFILE_ID in profile_field["selector"]["select"]["options"]
    done = await api.request(
        "POST",
        f"/api/config/config_entries/options/flow/{form['flow_id']}",
        json={"profile": PROFILE_ID},
    )
    assert done["type"] == "create_entry"
    # The options flow reloads the Marketplace with the new profile.
    await eventually(
        lambda: api.entries("marketplace"),
        lambda found: [entry["state"] for entry in found] == ["loaded"],
        what="the Marketplace reloaded",
    )


async def _repository(api: HomeAssistantApi) -> dict[str, Any] | None:
    """Moogo as the Marketplace panel lists it, if it does."""
    try:
        repositories = await api.websocket_command(
            {"type": "marketplace/repositories/list", "categories": ["integration"]}
        )
    except RuntimeError:  # reloading: not loaded for a moment
        return None
    return next((r for r in repositories if r["id"] == REPOSITORY_ID), None)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _zip_members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if not info.is_dir()
        }


def _record(home: MarketplaceHome, seconds: float) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    report = {
        "seconds_from_onboarded_to_removed": round(seconds, 1),
        "commit_archived": home.stand_in.commit,
        "served": [asdict(served) for served in home.stand_in.requests],
    }
    (ARTIFACTS / "marketplace-install.json").write_text(json.dumps(report, indent=2))
