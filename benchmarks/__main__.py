"""Command line of the benchmark: ``python -m benchmarks`` (``scripts/bench``).

One worker process per device count and side (``--compare``: the code at a
git ref, which scripts/bench extracts, then the working tree); then the
JSON results, the chart, the tables and optionally docs/performance.md.
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
        "--devices",
        type=_counts,
        default=[1, 10, 50, 200],
        help="device counts (default: 1,10,50,200)",
    )
    add(
        "--latency",
        type=float,
        default=0.05,
        help="seconds added to every request in the real-time runs (default: 0.05)",
    )
    add(
        "--reaction-delay",
        type=float,
        default=3.0,
        help="seconds until a device reacts to start/stop (default: 3)",
    )
    add("--refreshes", type=int, default=20, help="timed fast refreshes (default: 20)")
    add(
        "--slow-refreshes",
        type=int,
        default=5,
        help="timed slow refreshes (default: 5)",
    )
    add(
        "--seed",
        type=int,
        default=13,
        help="seed of the simulated hour's changes (default: 13)",
    )
    add(
        "--no-drift",
        action="store_true",
        help="keep readings constant in the real-time runs",
    )
    add("--no-memory", action="store_true", help="skip the memory measurement")
    add("--no-hour", action="store_true", help="skip the simulated hour")
    add(
        "--integration-root",
        type=Path,
        help="measure DIR/custom_components instead of the checkout",
    )
    add(
        "--compare-root", type=Path, help=argparse.SUPPRESS
    )  # scripts/bench's --compare REF
    add("--compare-label", default="", help=argparse.SUPPRESS)
    add(
        "--update-docs",
        action="store_true",
        help="rewrite the results in docs/performance.md and its chart",
    )
    add(
        "--label",
        default="",
        help="a note stored with the results and shown in the docs",
    )
    add(
        "--output",
        type=Path,
        default=REPO / "bench-results",
        help="folder for the JSON and the chart",
    )
    for hidden in (
        "--revision",
        "--host-os",
        "--command",
    ):  # filled in by scripts/bench
        add(hidden, default="", help=argparse.SUPPRESS)
    return parser


def _worker(
    args: argparse.Namespace, devices: int, root: Path | None
) -> dict[str, Any]:
    argv = [
        str(devices),
        f"--latency={args.latency}",
        f"--reaction-delay={args.reaction_delay}",
    ]
    argv += [
        f"--refreshes={args.refreshes}",
        f"--slow-refreshes={args.slow_refreshes}",
        f"--seed={args.seed}",
    ]
    argv += [
        flag
        for flag in ("--no-drift", "--no-memory", "--no-hour")
        if getattr(args, flag[2:].replace("-", "_"))
    ]
    if root is not None:
        argv.append(f"--integration-root={root.resolve()}")
    sys.stderr.write(f"== {devices} device(s), {root or 'working tree'}\n")
    command = [sys.executable, "-m", "benchmarks.hour", *argv]
    done = subprocess.run(  # noqa: S603 - our interpreter, our module
        command, cwd=REPO, stdout=subprocess.PIPE, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(
            f"the benchmark of {devices} device(s) failed ({done.returncode})"
        )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> int:
    """Run the benchmark."""
    args = parser().parse_args()
    began, started, load = perf_counter(), datetime.now(UTC), report.machine()["load"]
    sides = []
    if args.compare_root:
        sides.append((args.compare_label or str(args.compare_root), args.compare_root))
    sides.append(
        (
            "working tree"
            if args.integration_root is None
            else str(args.integration_root),
            args.integration_root,
        )
    )
    results: dict[str, Any] = {"sides": []}
    for label, root in sides:
        runs = [_worker(args, devices, root) for devices in args.devices]
        path = str(
            Path(runs[0]["integration"]["path"]).parent.relative_to(REPO, walk_up=True)
        )
        results["sides"].append({"label": label, "path": path, "runs": runs})
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
        "options": {
            key: getattr(args, key)
            for key in (
                "latency",
                "reaction_delay",
                "refreshes",
                "slow_refreshes",
                "seed",
            )
        },
    }
    results["targets"] = report.targets(results)
    args.output.mkdir(parents=True, exist_ok=True)
    json_path = args.output / f"bench-{started:%Y%m%dT%H%M%SZ}.json"
    for path in (json_path, args.output / "latest.json"):
        path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    chart = args.output / "performance.png"
    report.chart(results, chart)
    sys.stdout.write(
        report.text(results) + f"\n\nresults: {json_path}\nchart:   {chart}\n"
    )
    if args.update_docs:
        report.update_docs(results, chart, REPO)
        sys.stdout.write("docs:    docs/performance.md, docs/images/performance.png\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
