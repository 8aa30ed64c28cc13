"""A local stand-in for the GitHub hosts the Marketplace of Home Assistant 2026.11 uses.

The Marketplace names its hosts only in download profiles
(``homeassistant/components/marketplace/profiles.py``): the GitHub REST API,
the host of archives and release assets, the host of single raw files, and
the catalog. A profile that points at this server sends the very same paths
here, so the Marketplace installs this repository exactly as it would from
GitHub, with nothing of ours or of Home Assistant patched.

What it serves, for one repository at one version (the manifest version,
which is also the release tag):

- catalog: ``<section>/data.json``; the integration section lists only this
  repository, every other section (plugins, themes, templates, removed and
  critical repositories) is empty;
- raw files: ``<owner>/<repo>/<ref>/<path>`` straight from git;
- release asset ``moogo.zip`` and the tag's source archive, both made with
  ``git archive`` from this checkout; the asset is made by the very command
  ``.github/workflows/release.yml`` runs, so the test installs what a release
  ships;
- the REST API: nothing; every request is answered 404 and recorded, so the
  test can tell that an install without a GitHub account never needs it.

The checkout's tracked files are archived as they are on disk (``git stash
create`` snapshots uncommitted edits without touching the work tree);
untracked files are not part of it, as in a commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from pathlib import Path
import subprocess
import time
from typing import Any

from aiohttp import web

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((REPO_ROOT / "custom_components/moogo/manifest.json").read_text())
HACS = json.loads((REPO_ROOT / "hacs.json").read_text())
# The repository as users add it: the one the manifest's documentation names.
FULL_NAME = MANIFEST["documentation"].removeprefix("https://github.com/")
VERSION = MANIFEST["version"]
# Any id GitHub could give it; the Marketplace keys repositories by it.
REPOSITORY_ID = "1070000001"
PROFILE_ID = "moogo_e2e_stand_in"
RELEASE_ASSET = HACS["filename"]
# Who runs the endpoints; the Marketplace shows it when the profile is chosen.
OPERATOR = "the Moogo end-to-end tests (127.0.0.1)"


def _git(*args: str) -> bytes:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own checkout
        [  # noqa: S607 - git from PATH: the chroot's or the CI image's
            "git",
            "-c",
            f"safe.directory={REPO_ROOT}",
            "-c",
            "user.name=moogo-e2e",
            "-c",
            "user.email=moogo-e2e@127.0.0.1",
            "-C",
            str(REPO_ROOT),
            *args,
        ],
        check=True,
        capture_output=True,
    ).stdout


def checkout_snapshot() -> str:
    """A commit of the checkout's tracked files as they are now."""
    return (
        _git("stash", "create").strip() or _git("rev-parse", "HEAD").strip()
    ).decode()


def release_asset(commit: str) -> bytes:
    """moogo.zip as the release workflow builds it: the integration folder's contents."""
    return _git("archive", "--format=zip", f"{commit}:custom_components/moogo")


def source_archive(commit: str) -> bytes:
    """The tag's archive as GitHub serves it: everything below one top folder."""
    top = f"{FULL_NAME.split('/')[1]}-{VERSION}/"
    return _git("archive", "--format=zip", f"--prefix={top}", commit)


@dataclass
class Served:
    """One request the stand-in answered."""

    endpoint: str
    path: str
    status: int
    size: int


@dataclass
class GitHubStandIn:
    """The server, its request log and the profile that points at it."""

    commit: str = field(default_factory=checkout_snapshot)
    requests: list[Served] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    url: str = ""

    def __post_init__(self) -> None:
        """Build the archives once; every download serves the same bytes."""
        self.asset = release_asset(self.commit)
        self.archive = source_archive(self.commit)

    @property
    def profile(self) -> dict[str, Any]:
        """The download profile's fields (profiles.DownloadProfile)."""
        return {
            "id": PROFILE_ID,
            "operator": OPERATOR,
            "api": f"{self.url}/api",
            "github": f"{self.url}/github",
            "raw": f"{self.url}/raw",
            "catalog": f"{self.url}/catalog",
        }

    async def start(self, port: int) -> None:
        """Serve on 127.0.0.1:port."""
        app = web.Application()
        app.router.add_get("/catalog/{section}/data.json", self._catalog)
        app.router.add_get("/raw/{owner}/{repo}/{ref}/{path:.+}", self._raw)
        app.router.add_get(
            "/github/{owner}/{repo}/releases/download/{tag}/{name}", self._asset
        )
        app.router.add_get(
            "/github/{owner}/{repo}/archive/refs/tags/{tag}.zip", self._archive
        )
        app.router.add_route("*", "/{tail:.*}", self._not_served)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def downloads(self) -> list[Served]:
        """What was answered with content, in order."""
        return [served for served in self.requests if served.status == 200]

    def _answer(
        self, request: web.Request, endpoint: str, body: bytes | None, kind: str
    ) -> web.Response:
        status = 200 if body is not None else 404
        self.requests.append(
            Served(endpoint, request.path_qs, status, len(body) if body else 0)
        )
        if body is None:
            return web.json_response({"message": "Not Found"}, status=404)
        return web.Response(body=body, content_type=kind)

    def _is_ours(self, request: web.Request) -> bool:
        owner, repo = request.match_info["owner"], request.match_info["repo"]
        return f"{owner}/{repo}".lower() == FULL_NAME.lower()

    def catalog_entry(self) -> dict[str, Any]:
        """What the catalog knows of this repository (V2 integration data)."""
        return {
            "full_name": FULL_NAME,
            "description": "Moogo misting devices in Home Assistant",
            "domain": MANIFEST["domain"],
            "manifest_name": MANIFEST["name"],
            "manifest": {"name": HACS["name"]},
            "etag_repository": f'W/"{self.commit}"',
            "last_fetched": time.time(),
            "last_updated": "2026-12-01T00:00:00Z",
            "last_version": VERSION,
            "last_commit": self.commit[:7],
            "stargazers_count": 0,
            "topics": ["moogo"],
        }

    async def _catalog(self, request: web.Request) -> web.Response:
        section = request.match_info["section"]
        data: Any
        if section == "integration":
            data = {REPOSITORY_ID: self.catalog_entry()}
        elif section in {"removed", "critical"}:
            data = []
        elif section in {"plugin", "theme", "template"}:
            data = {}
        else:
            return self._answer(request, "catalog", None, "")
        return self._answer(
            request, "catalog", json.dumps(data).encode(), "application/json"
        )

    async def _raw(self, request: web.Request) -> web.Response:
        body: bytes | None = None
        if self._is_ours(request) and request.match_info["ref"] in {
            VERSION,
            self.commit,
        }:
            try:
                body = _git("show", f"{self.commit}:{request.match_info['path']}")
            except subprocess.CalledProcessError:
                body = None
        return self._answer(request, "raw", body, "text/plain")

    async def _asset(self, request: web.Request) -> web.Response:
        body = None
        if (
            self._is_ours(request)
            and request.match_info["tag"] == VERSION
            and request.match_info["name"] == RELEASE_ASSET
        ):
            body = self.asset
        return self._answer(request, "github", body, "application/zip")

    async def _archive(self, request: web.Request) -> web.Response:
        body = None
        if self._is_ours(request) and request.match_info["tag"] == VERSION:
            body = self.archive
        return self._answer(request, "github", body, "application/zip")

    async def _not_served(self, request: web.Request) -> web.Response:
        endpoint = request.path.split("/", 2)[1] if request.path != "/" else ""
        return self._answer(request, endpoint or "?", None, "")


# Registers the stand-in's profile inside Home Assistant, beside the
# Marketplace's own, through the table the Marketplace reads them from
# (profiles.PROFILES); choosing it is then the user's step in the
# Marketplace's options. Written into the test's config folder only.
PROFILE_INTEGRATION = '''\
"""Adds the Moogo e2e tests' download profile to the Marketplace (test only)."""

from homeassistant.components.marketplace.profiles import PROFILES, DownloadProfile
from homeassistant.config_entries import ConfigEntryState

DOMAIN = "moogo_e2e_profile"
PROFILE = DownloadProfile(**{profile!r})


async def async_setup(hass, config):
    """Register the profile; reload a Marketplace that started before it existed."""
    PROFILES[PROFILE.id] = PROFILE
    for entry in hass.config_entries.async_entries("marketplace"):
        manager = getattr(entry, "runtime_data", None)
        if (
            entry.options.get("profile") == PROFILE.id
            and entry.state
            in (ConfigEntryState.LOADED, ConfigEntryState.SETUP_IN_PROGRESS)
            and manager is not None
            and manager.configuration.profile.id != PROFILE.id
        ):
            hass.config_entries.async_schedule_reload(entry.entry_id)
    return True
'''


def write_profile_integration(config_dir: Path, profile: dict[str, Any]) -> str:
    """Put the profile's integration in config_dir; return its YAML line."""
    folder = config_dir / "custom_components" / "moogo_e2e_profile"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "domain": "moogo_e2e_profile",
                "name": "Moogo e2e download profile",
                "codeowners": [],
                "dependencies": [],
                "documentation": "https://example.invalid",
                "requirements": [],
                "version": "1.0.0",
            }
        )
    )
    (folder / "__init__.py").write_text(PROFILE_INTEGRATION.format(profile=profile))
    return "moogo_e2e_profile:\n"
