"""Command line of the benchmark: ``python -m benchmarks`` (``scripts/bench``).

One worker process per device count and side (``--compare``: the code at a
git ref, which scripts/bench extracts, then the working tree), so no run
inherits another's heap; then the JSON results, the chart, the tables and
optionally docs/performance.md.
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
#: What each worker is told: flag, type, default, help.
NUMBERS: list[tuple[str, type[float | int], float, str]] = [
    ("--latency", float, 0.05, "seconds added to every request in real time"),
    ("--reaction-delay", float, 3.0, "seconds until a device reacts to start/stop"),
    ("--refreshes", int, 20, "timed fast refreshes"),
    ("--slow-refreshes", int, 5, "timed slow refreshes"),
    ("--seed", int, 13, "seed of the simulated hour's changes"),
    ("--step", float, 1.0, "simulated seconds per step of the hour"),
]
FLAGS = [
    ("--no-drift", "keep readings constant in the real-time runs"),
    ("--no-memory", "skip the memory measurement"),
    ("--no-hour", "skip the simulated hour"),
]


def _counts(text: str) -> list[int]:
    counts = sorted({int(item) for item in text.split(",")})
    if counts[0] < 1:
        raise argparse.ArgumentTypeError("device counts must be at least 1")
    return counts


def parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Benchmark the Moogo integration in a Home Assistant test "
        "instance against the simulator: real-time runs and a simulated hour.",
    )
    add = parser.add_argument
    add(
        "--devices", type=_counts, default=[1, 10, 50, 200], help="default: 1,10,50,200"
    )
    add("--hour-devices", type=_counts, help="device counts of the simulated hour")
    for flag, kind, default, text in NUMBERS:
        add(flag, type=kind, default=default, help=f"{text} (default: {default:g})")
    for flag, text in FLAGS:
        add(flag, action="store_true", help=text)
    add("--integration-root", type=Path, help="measure DIR/custom_components")
    add("--update-docs", action="store_true", help="rewrite docs/performance.md")
    add("--label", default="", help="a note stored with the results and the docs")
    add("--output", type=Path, default=REPO / "bench-results", help="results folder")
    # Filled in by scripts/bench (--compare REF and what only git knows).
    for hidden in ("--compare-root", "--compare-label", "--revision", "--host-os"):
        add(hidden, default="", help=argparse.SUPPRESS)
    add("--command", default="", help=argparse.SUPPRESS)
    return parser


def _worker(options: dict[str, Any], devices: int, root: str) -> dict[str, Any]:
    sys.stderr.write(f"== {devices} device(s), {root or 'working tree'}\n")
    job = json.dumps({**options, "devices": devices, "integration_root": root})
    done = subprocess.run(  # noqa: S603 - our interpreter, our module
        [sys.executable, "-m", "benchmarks.hour", job],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"the run of {devices} device(s) failed ({done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> int:
    """Run the benchmark."""
    args = parser().parse_args()
    began, started, load = perf_counter(), datetime.now(UTC), report.machine()["load"]
    keys = [flag[2:].replace("-", "_") for flag, *_ in NUMBERS + FLAGS]
    options = {key: getattr(args, key) for key in keys}
    tree = str(args.integration_root.resolve()) if args.integration_root else ""
    sides = [(tree or "working tree", tree)]
    if args.compare_root:
        sides.insert(0, (args.compare_label or args.compare_root, args.compare_root))
    results: dict[str, Any] = {"sides": []}
    for label, root in sides:
        runs = []
        for devices in args.devices:
            hour = not args.no_hour and devices in (args.hour_devices or [devices])
            runs.append(_worker({**options, "no_hour": not hour}, devices, root))
        path = Path(runs[0]["integration"]["path"]).parent
        relative = str(path.relative_to(REPO, walk_up=True))
        results["sides"].append({"label": label, "path": relative, "runs": runs})
    results["meta"] = {
        "started": started.isoformat(timespec="seconds"),
        "duration_s": perf_counter() - began,
        "command": args.command or "python -m benchmarks " + " ".join(sys.argv[1:]),
        "revision": args.revision,
        "label": args.label,
        "host_os": args.host_os,
        "machine": report.machine(),
        "load_before": load,
        "versions": runs[0]["integration"]["versions"],
        "options": options,
    }
    results["targets"] = report.targets(results)
    args.output.mkdir(parents=True, exist_ok=True)
    json_path = args.output / f"bench-{started:%Y%m%dT%H%M%SZ}.json"
    for path in (json_path, args.output / "latest.json"):
        path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    chart = args.output / "performance.png"
    report.chart(results, chart)
    sys.stdout.write(report.text(results) + f"\n\nresults: {json_path}\n")
    if args.update_docs:
        report.update_docs(results, chart, REPO)
        sys.stdout.write("docs:    docs/performance.md, docs/images/performance.png\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
