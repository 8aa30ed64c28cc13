"""One device count in a fresh process: ``python -m benchmarks.worker``.

Each device count runs in its own interpreter, so that no run inherits the
heap (and the garbage-collector work) of the one before, and the figures of
``--devices 200`` alone equal those of 200 within a full run. Prints the
results as one JSON document on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from importlib import metadata
import json
import logging
from pathlib import Path
import sys
from typing import Any


def build_parser() -> argparse.ArgumentParser:
    """Return the worker's argument parser (the parent fills it in)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("--devices", type=int, required=True)
    parser.add_argument("--latency", type=float, required=True)
    parser.add_argument("--reaction-delay", type=float, required=True)
    parser.add_argument("--refreshes", type=int, required=True)
    parser.add_argument("--slow-refreshes", type=int, required=True)
    parser.add_argument("--no-drift", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--integration-root", type=Path, default=None)
    return parser


def _log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def integration_info() -> dict[str, Any]:
    """Where the measured integration came from, and its polling constants."""
    from custom_components.moogo import const  # noqa: PLC0415

    versions: dict[str, str | None] = {}
    for package in (
        "homeassistant",
        "pytest-homeassistant-custom-component",
        "aiohttp",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "integration_path": str(Path(const.__file__).resolve().parent),
        "update_interval_s": const.UPDATE_INTERVAL.total_seconds(),
        "slow_update_interval_s": const.SLOW_UPDATE_INTERVAL.total_seconds(),
        "max_concurrent_requests": getattr(const, "MAX_CONCURRENT_REQUESTS", None),
        "versions": versions,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run one device count and print its results."""
    args = build_parser().parse_args(argv)
    if args.integration_root is not None:
        # Before anything imports custom_components.
        sys.path.insert(0, str(args.integration_root.resolve()))
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    # Every setup would warn that moogo is a custom integration.
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)

    from .scenario import Options, run  # noqa: PLC0415

    options = Options(
        latency=args.latency,
        reaction_delay=args.reaction_delay,
        refreshes=args.refreshes,
        slow_refreshes=args.slow_refreshes,
        drift=not args.no_drift,
        memory=not args.no_memory,
    )
    result = asyncio.run(run(args.devices, options, _log))
    result["integration"] = integration_info()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
