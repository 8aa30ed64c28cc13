"""The Marketplace of the newest Home Assistant accepts our hacs.json and manifest."""

from __future__ import annotations

import json
import os
from pathlib import Path
import subprocess

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def test_marketplace_validators_accept_hacs_json_and_manifest() -> None:
    """Its own validators, run in the venv of the release that has the Marketplace."""
    venv = os.environ.get("MOOGO_HA_VENV")
    python = Path(venv or "") / "bin" / "python"
    if not venv or not python.exists():
        pytest.fail("no Home Assistant venv (MOOGO_HA_VENV): run scripts/setup")
    result = subprocess.run(  # noqa: S603 - our own script, in our own venv
        [str(python), str(HERE / "marketplace_validate.py")],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["errors"] == []
    hacs = json.loads((REPO / "hacs.json").read_text())
    assert report["checks"]["hacs.json as parsed"] == hacs
    assert report["checks"]["manifest domain"] == "moogo"
    assert report["checks"]["manifest config_flow"] is True
    assert (
        report["checks"]["release tag"]
        == json.loads((REPO / "custom_components/moogo/manifest.json").read_text())[
            "version"
        ]
    )


def test_hacs_json_minimum_is_the_release_pytest_runs() -> None:
    """The minimum hacs.json declares is the oldest release the suite tests."""
    from homeassistant.const import __version__  # noqa: PLC0415

    assert json.loads((REPO / "hacs.json").read_text())["homeassistant"] == __version__
