"""Benchmark the Moogo integration in a Home Assistant test instance.

Real-time runs and a simulated hour against the simulator, one worker
process per device count and side (--compare: a git ref's code, then the
working tree); writes bench-results/ and, asked to, docs/performance.md.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
import json
from pathlib import Path
import subprocess
import sys
from time import perf_counter
from typing import Any

from . import report

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "bench-results"  # ignored by git
#: What each worker is told: flag, type, default, help.
NUMBERS: list[tuple[str, type[float | int], float, str]] = [
    ("--latency", float, 0.05, "seconds added to every request in real time"),
    ("--reaction-delay", float, 3.0, "seconds until a device reacts to start/stop"),
    ("--refreshes", int, 20, "timed refreshes"),
    ("--seed", int, 13, "seed of the simulated hour's changes"),
    ("--step", float, 1.0, "simulated seconds per step of the hour"),
]
FLAGS = [
    ("--no-drift", "keep readings constant in the real-time runs"),
    ("--no-memory", "skip the memory measurement"),
    ("--no-hour", "skip the simulated hour"),
]


def parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    add = parser.add_argument
    counts = lambda text: sorted({max(int(n), 1) for n in text.split(",")})  # noqa: E731
    add("--devices", type=counts, default=[1, 10, 50, 200], help="default: 1,10,50,200")
    add("--hour-devices", type=counts, help="device counts of the hour (default: all)")
    for flag, kind, default, text in NUMBERS:
        add(flag, type=kind, default=default, help=f"{text} (default: {default:g})")
    for flag, text in FLAGS:
        add(flag, action="store_true", help=text)
    add("--update-docs", action="store_true", help="rewrite docs/performance.md")
    add("--label", default="", help="a note stored with the results and the docs")
    # Filled in by scripts/bench: --compare REF, and what only git knows.
    hidden = ("--compare-root", "--compare-label", "--revision", "--host-os")
    for flag in (*hidden, "--command"):
        add(flag, default="", help=argparse.SUPPRESS)
    return parser


def _worker(options: dict[str, Any], devices: int, root: str) -> dict[str, Any]:
    sys.stderr.write(f"== {devices} device(s), {root or 'working tree'}\n")
    job = json.dumps({**options, "devices": devices, "integration_root": root})
    command = [sys.executable, "-m", "benchmarks.hour", job]
    output = subprocess.check_output(command, cwd=REPO, text=True)  # noqa: S603
    result: dict[str, Any] = json.loads(output.splitlines()[-1])
    return result


def main() -> None:
    """Run the benchmark."""
    args = parser().parse_args()
    began, started, load = perf_counter(), datetime.now(UTC), report.machine()["load"]
    keys = [flag[2:].replace("-", "_") for flag, *_ in NUMBERS + FLAGS]
    options = {key: getattr(args, key) for key in keys}
    sides = [("working tree", "")]
    if args.compare_root:
        sides.insert(0, (args.compare_label or args.compare_root, args.compare_root))
    results: dict[str, Any] = {"sides": []}
    for label, root in sides:
        runs = []
        for devices in args.devices:
            hour = not args.no_hour and devices in (args.hour_devices or [devices])
            runs.append(_worker({**options, "no_hour": not hour}, devices, root))
        code = str(Path(runs[0]["path"]).parent.relative_to(REPO, walk_up=True))
        results["sides"].append({"label": label, "path": code, "runs": runs})
    meta = {key: getattr(args, key) for key in ("revision", "label", "host_os")}
    results["meta"] = meta | {
        "started": started.isoformat(timespec="seconds"),
        "duration_s": perf_counter() - began,
        "command": args.command or "python -m benchmarks " + " ".join(sys.argv[1:]),
        "versions": runs[0]["versions"],
        "options": options,
        "load_before": load,
        "machine": report.machine(),
    }
    OUTPUT.mkdir(exist_ok=True)
    json_path = OUTPUT / f"bench-{started:%Y%m%dT%H%M%SZ}.json"
    for path in (json_path, OUTPUT / "latest.json"):
        path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    chart = OUTPUT / "performance.png"
    report.chart(results, chart)
    sys.stdout.write(report.text(results) + f"\n\nresults: {json_path}\n")
    if args.update_docs:
        report.update_docs(results, chart, REPO)
        sys.stdout.write("docs:    docs/performance.md, docs/images/performance.png\n")


if __name__ == "__main__":
    main()
