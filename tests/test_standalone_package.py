"""The client installs and runs on its own, as the ``aiomoogo`` distribution.

The test does what a library user does: build the wheel from this repository
(``pip wheel``; pip fetches the build backend, hatchling, from the package
registry), install it into a brand-new virtual environment that has no Home
Assistant (pip fetches aiohttp), and run the session example with it against
the simulator. The example is copied out of the checkout first, so that the
``examples/aiomoogo`` link beside it cannot stand in for the installed package.
"""

from __future__ import annotations

import asyncio
from email.parser import Parser
import os
from pathlib import Path
import shutil
import subprocess
import sys
import zipfile

import pytest

from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD

REPO_ROOT = Path(__file__).resolve().parent.parent
API_DIR = REPO_ROOT / "custom_components" / "moogo" / "api"
EXAMPLE = REPO_ROOT / "examples" / "session_injection.py"
OTHER_EMAIL = "second@example.com"
OTHER_PASSWORD = "second-Pass-9"
# Generous: pip may have to download the backend and aiohttp on a cold cache.
PIP_TIMEOUT = 600


def _clean_env() -> dict[str, str]:
    """The environment without anything that points Python at this checkout."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }


def _run(*command: str | Path, cwd: Path) -> str:
    result = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [str(part) for part in command],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from the repository root."""
    out = tmp_path_factory.mktemp("wheelhouse")
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, REPO_ROOT,
        cwd=out,
    )  # fmt: skip
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed: aiohttp, nothing of HA."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=venv.parent)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", wheel, cwd=venv.parent)
    return python


def test_wheel_holds_the_integration_client_files_under_aiomoogo(wheel: Path) -> None:
    assert wheel.name == "aiomoogo-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        package_files = {
            name.removeprefix("aiomoogo/"): archive.read(name)
            for name in archive.namelist()
            if name.startswith("aiomoogo/")
        }
        metadata = Parser().parsestr(
            archive.read("aiomoogo-0.1.0.dist-info/METADATA").decode()
        )
    # One copy of the code: the wheel's modules are the integration's api/ files.
    shipped = {
        path.name: path.read_bytes()
        for path in API_DIR.iterdir()
        if path.suffix == ".py" or path.name == "py.typed"
    }
    assert package_files == shipped
    assert "__init__.py" in package_files
    assert "py.typed" in package_files
    assert metadata["Name"] == "aiomoogo"
    assert metadata.get_all("Requires-Dist") == ["aiohttp>=3.12"]


def test_fresh_environment_imports_the_client_without_home_assistant(
    fresh_python: Path,
) -> None:
    out = _run(
        fresh_python,
        "-c",
        "import importlib.util, aiomoogo\n"
        "from aiomoogo import MoogoClient\n"
        "print(MoogoClient.__module__, aiomoogo.__file__)\n"
        "print(importlib.util.find_spec('homeassistant'))\n",
        cwd=fresh_python.parent,
    )
    module, location, home_assistant = out.split()
    assert module == "aiomoogo.client"
    assert Path(location).is_relative_to(fresh_python.parent.parent)
    assert "site-packages" in location
    assert home_assistant == "None"


async def test_example_runs_with_the_installed_wheel(
    moogo_simulator: MoogoSimulator, fresh_python: Path, tmp_path: Path
) -> None:
    moogo_simulator.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    moogo_simulator.add_device(OTHER_EMAIL, name="Second Yard")
    example = tmp_path / EXAMPLE.name
    shutil.copy(EXAMPLE, example)
    process = await asyncio.create_subprocess_exec(
        fresh_python,
        example,
        "--url", moogo_simulator.url,
        "--email", TEST_EMAIL, "--password", TEST_PASSWORD,
        "--other-email", OTHER_EMAIL, "--other-password", OTHER_PASSWORD,
        cwd=tmp_path,
        env=_clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    out = stdout.decode()
    assert process.returncode == 0, stderr.decode()
    site_packages = next(fresh_python.parent.parent.glob("lib/python*/site-packages"))
    assert f"Client package: aiomoogo from {site_packages / 'aiomoogo'}" in out
    for heading in (
        "=== Pattern 1: client-managed session",
        "=== Pattern 2: injected session (the Home Assistant pattern) ===",
        "=== Pattern 3: several clients sharing one session ===",
        "=== Pattern 4: real use with authentication ===",
    ):
        assert heading in out
    assert f"{OTHER_EMAIL} sees: Second Yard" in out
    assert "devices in common: 0" in out
    assert "logins after restoring the token: 0" in out
    assert "Home Assistant imported: no" in out
    assert out.rstrip().endswith("All four patterns ran.")
    assert stderr.decode() == ""
