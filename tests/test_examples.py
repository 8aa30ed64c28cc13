"""The runnable examples run, exit 0 and show what they promise."""

from __future__ import annotations

import asyncio
from pathlib import Path
import subprocess
import sys

from moogo_sim import DEMO_EMAIL, DEMO_PASSWORD, MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD

REPO_ROOT = Path(__file__).resolve().parent.parent
SESSION_EXAMPLE = "examples/session_injection.py"
HEADINGS = (
    "=== Pattern 1: client-managed session (async with MoogoClient(...)) ===",
    "=== Pattern 2: injected session (the Home Assistant pattern) ===",
    "=== Pattern 3: several clients sharing one session ===",
    "=== Pattern 4: real use with authentication ===",
)


def test_session_example_runs_standalone(socket_enabled: None) -> None:
    result = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, SESSION_EXAMPLE],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    positions = [out.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    # In a checkout the package is the integration's client, through the link
    # examples/aiomoogo -> custom_components/moogo/api.
    assert f"Client package: aiomoogo from {REPO_ROOT / 'examples' / 'aiomoogo'}" in out
    # Pattern 1: the client's own session is created lazily and closed.
    assert "session before the first request: none (not created yet)" in out
    assert "session after leaving 'async with': closed" in out
    # Pattern 2: the caller's session outlives client.close().
    assert "session after client.close(): still open" in out
    assert "owner's own request on the same session: HTTP 200" in out
    # Pattern 3: two accounts on one session, nothing in common.
    assert "neighbour@moogo.example sees: Neighbour's Mister" in out
    assert "devices in common: 0" in out
    assert "cookies in the shared session: 0" in out
    assert "token in the session's default headers: False" in out
    # Pattern 4: a spray starts and stops; a restored token needs no login.
    assert "spraying after" in out
    assert "idle after" in out
    assert "logins after restoring the token: 0" in out
    assert "logins in this pattern: 1" in out
    # The client ran without Home Assistant.
    assert "Home Assistant imported: no" in out
    assert out.rstrip().endswith("All four patterns ran.")
    assert result.stderr == ""


async def _run_example(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        SESSION_EXAMPLE,
        *args,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_session_example_against_a_given_url(
    moogo_simulator: MoogoSimulator,
) -> None:
    code, out, err = await _run_example(
        "--url",
        moogo_simulator.url,
        "--email",
        TEST_EMAIL,
        "--password",
        TEST_PASSWORD,
    )
    assert code == 0, err
    for heading in HEADINGS:
        assert heading in out
    assert "skipped: give a second account" in out
    assert "logins after restoring the token: 0" in out
    assert moogo_simulator.account(TEST_EMAIL).login_count == 3
    assert TEST_PASSWORD not in out


async def test_session_example_reports_wrong_credentials(
    moogo_simulator: MoogoSimulator,
) -> None:
    code, out, err = await _run_example(
        "--url", moogo_simulator.url, "--email", TEST_EMAIL, "--password", "nope-123"
    )
    assert code == 1
    assert "Failed: MoogoAuthError" in err
    assert "nope-123" not in out + err
    assert moogo_simulator.account(TEST_EMAIL).login_count == 0


def test_session_example_imports_the_package_by_name() -> None:
    source = (REPO_ROOT / SESSION_EXAMPLE).read_text(encoding="utf-8")
    assert "from aiomoogo import" in source
    assert "importlib" not in source
    # The checkout's stand-in for the installed package is the client itself.
    link = REPO_ROOT / "examples" / "aiomoogo"
    assert link.is_symlink()
    assert link.resolve() == REPO_ROOT / "custom_components" / "moogo" / "api"


def test_session_example_demo_account_is_the_simulators() -> None:
    source = (REPO_ROOT / SESSION_EXAMPLE).read_text(encoding="utf-8")
    assert f'DEMO_EMAIL = "{DEMO_EMAIL}"' in source
    assert f'DEMO_PASSWORD = "{DEMO_PASSWORD}"' in source
