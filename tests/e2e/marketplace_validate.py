"""Runs the Marketplace's own checks on hacs.json and manifest.json.

Run by tests/e2e/test_marketplace_validators.py with the Python of the newest
Home Assistant's venv (MOOGO_HA_VENV), since the Marketplace exists only from
2026.11 on and pytest runs the older release. Prints one JSON object: every
check by name with the value it checked, and whatever the checks logged or
raised.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
import sys
from typing import Any

from homeassistant.components.marketplace.repositories import integration
from homeassistant.components.marketplace.repositories.base import RepositoryManifest
from homeassistant.components.marketplace.utils import validate

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "moogo"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def main() -> None:
    """Check, collect, print."""
    logged = _Collect()
    logging.getLogger("homeassistant.components.marketplace").addHandler(logged)
    hacs: dict[str, Any] = json.loads((REPO / "hacs.json").read_text())
    manifest: dict[str, Any] = json.loads((INTEGRATION / "manifest.json").read_text())
    full_name = manifest["documentation"].removeprefix("https://github.com/")
    checks: dict[str, Any] = {}
    errors: list[str] = []

    def check(name: str, run: Any) -> None:
        try:
            checks[name] = run()
        except Exception as error:  # noqa: BLE001 - every failure is reported
            errors.append(f"{name}: {type(error).__name__}: {error}")

    # hacs.json: each key through the validator the Marketplace reads it with;
    # a key it does not know would be dropped silently.
    check("hacs.json keys the Marketplace reads", lambda: sorted(hacs))
    unknown = set(hacs) - set(validate.REPOSITORY_MANIFEST_VALUES)
    if unknown:
        errors.append(f"hacs.json keys the Marketplace ignores: {sorted(unknown)}")
    for key, value in hacs.items():
        if key in validate.REPOSITORY_MANIFEST_VALUES:
            check(
                f"hacs.json {key}",
                lambda k=key, v=value: validate.REPOSITORY_MANIFEST_VALUES[k](v),
            )
    parsed = RepositoryManifest.from_dict(hacs)
    check("hacs.json as parsed", lambda: parsed.manifest)
    if parsed.manifest != hacs:
        errors.append(f"hacs.json parsed as {parsed.manifest}, not {hacs}")

    # manifest.json: the domain names the install folder, the loader needs a
    # version, and the details the panel shows.
    check("manifest domain", lambda: integration._validated_domain(manifest["domain"]))
    for key, schema in validate.INTEGRATION_MANIFEST_VALUES.items():
        check(f"manifest {key}", lambda k=key, s=schema: s(manifest[k]))
    if not integration._is_loadable_version(manifest["version"]):
        errors.append(f"manifest version {manifest['version']!r} is not loadable")
    check(
        "installed manifest loadable",
        lambda: integration._check_loadable_manifest(INTEGRATION, manifest["domain"]),
    )
    # A release tag equals the manifest version, and ends up in download URLs.
    check("release tag", lambda: validate.valid_ref(manifest["version"]))
    if not validate.VALID_FULL_NAME.match(full_name):
        errors.append(f"repository name {full_name!r} is not valid")
    checks["repository"] = full_name

    errors.extend(f"logged: {message}" for message in logged.messages)
    sys.stdout.write(json.dumps({"checks": checks, "errors": errors}, default=str))


if __name__ == "__main__":
    main()
