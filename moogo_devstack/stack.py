"""A Home Assistant process and a small client of its REST API."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import shutil
import signal
import sys
from typing import Any, Self

import aiohttp

REPO_ROOT = Path(__file__).resolve().parents[1]
ONBOARDING_EXTRAS = frozenset(
    {"google_translate", "met", "radio_browser", "shopping_list"}
)
INTEGRATION_DIR = REPO_ROOT / "custom_components" / "moogo"
BLUEPRINTS_DIR = REPO_ROOT / "blueprints" / "automation" / "moogo"

# Only what the demo uses, listed (no default_config): default_config would
# add components whose requirements cannot install here (voice packages need
# a compiler) or whose programs are missing (ffmpeg), each logging errors.
# HTTP settings live in HA's storage (see write_http_settings): YAML ``http:``
# raises a deprecation repair on every fresh demo.
CONFIGURATION = """\
# Written by moogo_devstack: a minimal Home Assistant for the Moogo integration.
homeassistant:
  name: Moogo demo
  time_zone: America/Los_Angeles
  country: US
  unit_system: metric
# The web UI and its API.
frontend:
config:
api:
# History, so that more-info dialogs show graphs of the readings.
recorder:
  purge_keep_days: 3
history:
logbook:
# Automations, scripts and scenes, in the files their editors write to (as in
# a new installation), so the editors and the Moogo blueprints work.
automation: !include automations.yaml
script: !include scripts.yaml
scene: !include scenes.yaml
# A forecast for the blueprint "pause misting when rain is forecast": its
# hours 2 to 5 are rainy while "Rain forecast (demo)" is on.
input_boolean:
  demo_rain_forecast:
    name: Rain forecast (demo)
    icon: mdi:weather-pouring
template:
  - weather:
      - name: Demo forecast
        unique_id: moogo_demo_forecast
        condition: "{{ 'rainy' if is_state('input_boolean.demo_rain_forecast', 'on') else 'sunny' }}"
        temperature: "{{ 26 }}"
        humidity: "{{ 55 }}"
        forecast_hourly: >-
          {% set wet = is_state('input_boolean.demo_rain_forecast', 'on') %}
          {% set start = now().replace(minute=0, second=0, microsecond=0) %}
          {% set ns = namespace(hours=[]) %}
          {% for hour in range(1, 25) %}
            {% set rain = wet and 2 <= hour <= 5 %}
            {% set ns.hours = ns.hours + [{
              'datetime': (start + timedelta(hours=hour)).isoformat(),
              'condition': 'rainy' if rain else 'sunny',
              'precipitation_probability': 80 if rain else 5,
              'temperature': 24}] %}
          {% endfor %}
          {{ ns.hours }}
logger:
  default: warning
  logs:
    custom_components.moogo: debug
"""

# The HTTP settings HA would otherwise take from YAML: loopback only, on the
# demo's port; stored as HA stores confirmed ("stable") settings.
HTTP_STORAGE_VERSION = (2, 2)


def write_http_settings(config_dir: Path, port: int) -> None:
    """Store loopback-only HTTP settings on ``port`` before HA starts."""
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    settings = {
        "server_host": ["127.0.0.1"],
        "server_port": port,
        "cors_allowed_origins": ["https://cast.home-assistant.io"],
        "login_attempts_threshold": -1,
        "ip_ban_enabled": True,
        "ssl_profile": "modern",
        "use_x_frame_options": True,
        "created_at": "2026-01-01T00:00:00+00:00",
        "error": None,
        "error_message": None,
    }
    major, minor = HTTP_STORAGE_VERSION
    document = {
        "version": major,
        "minor_version": minor,
        "key": "http",
        "data": {"stable": settings, "pending": None, "yaml_migration_done": True},
    }
    (storage / "http").write_text(json.dumps(document, indent=2))


def hass_program() -> Path:
    """Return the ``hass`` of the Home Assistant release the real-HA runs use.

    scripts/setup installs it into its own venv (``MOOGO_HA_VENV``), apart from
    the older release that pytest-homeassistant-custom-component pins in the
    test venv; without that venv, the test venv's own ``hass`` is used.
    """
    if venv := os.environ.get("MOOGO_HA_VENV"):
        program = Path(venv) / "bin" / "hass"
        if program.exists():
            return program
    return Path(sys.executable).with_name("hass")


# The files configuration.yaml includes, with what each holds when empty.
INCLUDED_FILES = {
    "automations.yaml": "[]\n",
    "scripts.yaml": "{}\n",
    "scenes.yaml": "[]\n",
}


def write_config(
    config_dir: Path, port: int, *, extra: str = "", link_integration: bool = True
) -> None:
    """Create the config folder with the integration linked in (idempotent).

    ``extra`` is appended to configuration.yaml. Without ``link_integration``
    custom_components/moogo is left to whoever installs it (the Marketplace),
    and so are the Moogo blueprints.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION + extra)
    for name, empty in INCLUDED_FILES.items():
        # The user's automations, scripts and scenes are never overwritten.
        if not (config_dir / name).exists():
            (config_dir / name).write_text(empty)
    write_http_settings(config_dir, port)
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    if not link_integration:
        return
    copy_blueprints(config_dir)
    link = custom / "moogo"
    if link.is_symlink() or link.exists():
        if link.resolve() == INTEGRATION_DIR:
            return
        link.unlink()
    link.symlink_to(INTEGRATION_DIR, target_is_directory=True)


def copy_blueprints(config_dir: Path) -> None:
    """Put the repository's Moogo blueprints where Home Assistant imports them to.

    Copied again at every start, so edits in the repository show up; other
    blueprints, and files the repository does not have, are left alone.
    """
    target = config_dir / "blueprints" / "automation" / "moogo"
    target.mkdir(parents=True, exist_ok=True)
    for blueprint in BLUEPRINTS_DIR.glob("*.yaml"):
        shutil.copyfile(blueprint, target / blueprint.name)


def frontend_installed() -> bool:
    """Whether HA's frontend package is in hass's venv (else hass installs it)."""
    venv = hass_program().parent.parent
    return any(venv.glob("lib/python3*/site-packages/hass_frontend"))


def _die_with_parent() -> None:
    """Have the kernel stop ``hass`` if the demo process dies without cleanup."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


PR_SET_PDEATHSIG = 1
# How long hass may take to follow a SIGTERM before it is killed.
SIGNAL_GRACE = 10.0

# Requirements of HA's voice pipeline (assist_pipeline, which HA always loads
# with the assist_satellite platform) that have no wheel for this Python and
# need a C++ compiler: HA would try to build them on every start, log errors
# and raise an "Invalid config" notification. Skipped, HA imports the builds
# already in the environment; voice is not part of the demo.
UNBUILDABLE_REQUIREMENTS = ("pymicro-vad", "pyspeex-noise")


@dataclass
class HomeAssistantProcess:
    """The real ``hass`` program, started on loopback with a given config folder."""

    config_dir: Path
    port: int
    extra_configuration: str = ""
    link_integration: bool = True
    process: asyncio.subprocess.Process | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        """Base URL of the web server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        """Where Home Assistant writes its log."""
        return self.config_dir / "home-assistant.log"

    async def start(self, within: float = 300) -> None:
        """Start ``hass`` and wait until its HTTP API answers."""
        write_config(
            self.config_dir,
            self.port,
            extra=self.extra_configuration,
            link_integration=self.link_integration,
        )
        hass = hass_program()
        venv = hass.parent.parent
        self.process = await asyncio.create_subprocess_exec(
            str(hass),
            "--config",
            str(self.config_dir),
            "--log-file",
            str(self.log_file),
            "--skip-pip-packages",
            ",".join(UNBUILDABLE_REQUIREMENTS),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            # Packages Home Assistant installs at run time go to its own venv.
            env={
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                "VIRTUAL_ENV": str(venv),
                "PATH": f"{hass.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            },
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        deadline = asyncio.get_running_loop().time() + within
        async with aiohttp.ClientSession() as session:
            while True:
                if self.process.returncode is not None:
                    raise RuntimeError(
                        f"hass exited with {self.process.returncode}; see {self.log_file}"
                    )
                try:
                    # A view that needs no login: asking /api/ without a token
                    # would count as a failed login and leave a "login attempt
                    # failed" notification. 400 = onboarding not done yet.
                    async with session.get(f"{self.url}/auth/providers") as response:
                        if response.status in (200, 400):
                            return
                except aiohttp.ClientError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"hass did not answer within {within} s")
                await asyncio.sleep(0.5)

    async def stop(
        self, api: HomeAssistantApi | None = None, grace: float = 60
    ) -> int | None:
        """Stop ``hass`` so that it saves its state, killing it only if it hangs.

        Once Home Assistant runs, the ``homeassistant.stop`` action shuts it
        down cleanly, so it is used whenever a logged-in ``api`` is at hand.
        Mid start-up neither that action nor SIGTERM stops it (seen: it
        carries on starting), so then it gets a SIGTERM and, soon after, is
        killed: a demo stopped before it was ready has nothing worth saving.
        """
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else None
        if api is not None and api.token and await api.is_running():
            with contextlib.suppress(aiohttp.ClientError, RuntimeError):
                await api.call("homeassistant", "stop", {})
        else:
            self.process.send_signal(signal.SIGTERM)
            grace = min(grace, SIGNAL_GRACE)
        try:
            return await asyncio.wait_for(self.process.wait(), grace)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()


class HomeAssistantApi:
    """The parts of Home Assistant's HTTP API a user's browser and scripts use."""

    def __init__(self, url: str) -> None:
        """Prepare a client of the server at ``url``."""
        self.url = url
        self.client_id = f"{url}/"
        self.token: str | None = None
        self._session = aiohttp.ClientSession()

    async def __aenter__(self) -> Self:
        """Enter ``async with``."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the HTTP session."""
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._session.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send an authorised request and return the decoded JSON answer."""
        async with self._session.request(
            method, f"{self.url}{path}", headers=self._headers(), **kwargs
        ) as response:
            if response.status >= 400:
                text = await response.text()
                raise RuntimeError(
                    f"{method} {path} -> HTTP {response.status}: {text[:300]}"
                )
            if response.content_type == "application/json":
                return await response.json()
            return await response.text()

    async def _exchange_code(self, code: str) -> None:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": self.client_id,
        }
        async with self._session.post(f"{self.url}/auth/token", data=data) as response:
            response.raise_for_status()
            self.token = (await response.json())["access_token"]

    async def onboard(self, name: str, username: str, password: str) -> None:
        """Create the owner and finish every onboarding step, as the web UI does."""
        async with self._session.get(f"{self.url}/api/onboarding") as response:
            # Once onboarding is complete, Home Assistant removes the view.
            onboarding = await response.json() if response.status == 200 else []
        if not onboarding:
            await self.login(username, password)
            return
        steps = {step["step"]: step["done"] for step in onboarding}
        if not steps.get("user"):
            result = await self.request(
                "POST",
                "/api/onboarding/users",
                json={
                    "client_id": self.client_id,
                    "name": name,
                    "username": username,
                    "password": password,
                    "language": "en",
                },
            )
            await self._exchange_code(result["auth_code"])
        else:
            await self.login(username, password)
        if not steps.get("core_config"):
            await self.request("POST", "/api/onboarding/core_config")
            await self._remove_onboarding_extras()
        if not steps.get("analytics"):
            await self.request("POST", "/api/onboarding/analytics")
        if not steps.get("integration"):
            await self.request(
                "POST",
                "/api/onboarding/integration",
                json={
                    "client_id": self.client_id,
                    "redirect_uri": f"{self.client_id}?auth_callback=1",
                },
            )

    async def _remove_onboarding_extras(self) -> None:
        """Delete the entries onboarding adds (weather, radio, TTS, shopping list).

        They are not part of the demo, and their requirements (speech
        processing among them) need a compiler this environment lacks, which
        stalls every later start of Home Assistant while it retries them.
        """
        # Onboarding starts their config flows in the background.
        removed: set[str] = set()
        for _ in range(40):
            entries = await self.request("GET", "/api/config/config_entries/entry")
            for entry in entries:
                if entry["domain"] in ONBOARDING_EXTRAS:
                    await self.remove_entry(entry["entry_id"])
                    removed.add(entry["domain"])
            if removed == ONBOARDING_EXTRAS:
                return
            await asyncio.sleep(0.25)

    async def login(self, username: str, password: str) -> None:
        """Log in through the login flow the web UI uses."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.client_id}?auth_callback=1",
            },
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={
                "client_id": self.client_id,
                "username": username,
                "password": password,
            },
        )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"login refused: {result.get('errors')}")
        await self._exchange_code(result["result"])

    async def websocket_command(self, payload: dict[str, Any]) -> Any:
        """Send one command over the WebSocket API and return its result."""
        async with self._session.ws_connect(f"{self.url}/api/websocket") as socket:
            await socket.receive_json()  # auth_required
            await socket.send_json({"type": "auth", "access_token": self.token})
            auth = await socket.receive_json()
            if auth.get("type") != "auth_ok":
                raise RuntimeError("WebSocket authentication failed")
            await socket.send_json({"id": 1, **payload})
            while True:
                message = await socket.receive_json()
                if message.get("id") == 1 and message.get("type") == "result":
                    if not message.get("success"):
                        raise RuntimeError(
                            f"{payload['type']} failed: {message.get('error')}"
                        )
                    return message.get("result")

    async def start_flow(self, handler: str) -> dict[str, Any]:
        """Start a config flow, as the "Add integration" dialog does."""
        flow: dict[str, Any] = await self.request(
            "POST", "/api/config/config_entries/flow", json={"handler": handler}
        )
        return flow

    async def submit_flow(self, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Submit one step of a config flow."""
        result: dict[str, Any] = await self.request(
            "POST", f"/api/config/config_entries/flow/{flow_id}", json=data
        )
        return result

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        """List the config entries of a domain."""
        entries: list[dict[str, Any]] = await self.request(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        return entries

    async def remove_entry(self, entry_id: str) -> None:
        """Delete a config entry."""
        await self.request("DELETE", f"/api/config/config_entries/entry/{entry_id}")

    async def states(self) -> dict[str, dict[str, Any]]:
        """All entity states by entity id."""
        return {
            state["entity_id"]: state
            for state in await self.request("GET", "/api/states")
        }

    async def is_running(self) -> bool:
        """Whether Home Assistant has finished starting (answers within 5 s)."""
        try:
            async with asyncio.timeout(5):
                config = await self.request("GET", "/api/config")
        except TimeoutError, aiohttp.ClientError, RuntimeError:
            return False
        return isinstance(config, dict) and config.get("state") == "RUNNING"

    async def call(self, domain: str, service: str, data: dict[str, Any]) -> Any:
        """Call an action and wait for it."""
        return await self.request(
            "POST", f"/api/services/{domain}/{service}", json=data
        )
