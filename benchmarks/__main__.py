"""Command line of the benchmark: ``python -m benchmarks`` (``scripts/bench``).

Runs one worker process per device count (``benchmarks.worker``), then
writes the JSON results, the chart and the summary table, and optionally the
generated section of docs/performance.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
import json
from pathlib import Path
import shlex
import subprocess
import sys
from time import perf_counter
from typing import Any

from . import report

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEVICES = (1, 10, 50, 200)


def _device_counts(text: str) -> list[int]:
    try:
        counts = sorted({int(item) for item in text.split(",") if item.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers: {text!r}"
        ) from None
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError("device counts must be at least 1")
    return counts


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description=(
            "Benchmark the Moogo integration in a Home Assistant test instance "
            "against the simulator (in its own process) with added latency."
        ),
    )
    parser.add_argument(
        "--devices",
        type=_device_counts,
        default=list(DEFAULT_DEVICES),
        help="comma-separated device counts (default: 1,10,50,200)",
    )
    parser.add_argument(
        "--latency",
        type=_seconds,
        default=0.05,
        help="seconds the simulator adds to every request (default: 0.05)",
    )
    parser.add_argument(
        "--reaction-delay",
        type=_seconds,
        default=3.0,
        help="seconds until a device reacts to start/stop (default: 3.0)",
    )
    parser.add_argument(
        "--refreshes",
        type=_at_least(1),
        default=20,
        help="timed fast refreshes per device count (default: 20)",
    )
    parser.add_argument(
        "--slow-refreshes",
        type=_at_least(0),
        default=5,
        help="timed slow refreshes (schedules, configuration) per count (default: 5)",
    )
    parser.add_argument(
        "--no-drift",
        action="store_true",
        help="keep readings constant (default: temperature and humidity of "
        "every device change every second)",
    )
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the memory measurement (one Home Assistant instance less)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO_ROOT / "bench-results",
        help="folder for the JSON results and the chart (default: bench-results/)",
    )
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help="write the results into docs/performance.md and the chart into "
        "docs/images/performance.png",
    )
    parser.add_argument(
        "--label",
        default="",
        help="a note stored with the results and shown in the docs",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        default=None,
        metavar="RESULTS_JSON",
        help="also show key figures of an earlier run (its JSON) against this one",
    )
    parser.add_argument(
        "--integration-root",
        type=Path,
        default=None,
        help="load custom_components/ from this folder instead of the checkout "
        "(to measure a candidate change without touching the checkout)",
    )
    # Filled in by scripts/bench, which sees the host and git.
    parser.add_argument("--revision", default="", help=argparse.SUPPRESS)
    parser.add_argument("--host-os", default="", help=argparse.SUPPRESS)
    parser.add_argument("--command", default="", help=argparse.SUPPRESS)
    return parser


def _err(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _worker_args(args: argparse.Namespace, devices: int) -> list[str]:
    argv = [
        "--devices",
        str(devices),
        "--latency",
        str(args.latency),
        "--reaction-delay",
        str(args.reaction_delay),
        "--refreshes",
        str(args.refreshes),
        "--slow-refreshes",
        str(args.slow_refreshes),
    ]
    if args.no_drift:
        argv.append("--no-drift")
    if args.no_memory:
        argv.append("--no-memory")
    if args.integration_root is not None:
        argv += ["--integration-root", str(args.integration_root.resolve())]
    return argv


def _run_worker(args: argparse.Namespace, devices: int) -> dict[str, Any]:
    _err(f"== {devices} device(s)")
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "benchmarks.worker", *_worker_args(args, devices)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"the benchmark of {devices} device(s) failed "
            f"(exit status {completed.returncode})"
        )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    args = build_parser().parse_args(argv)
    if args.refreshes < 20:
        _err("note: fewer than 20 refreshes per device count; the issue asks for 20+")
    command = args.command or "python -m benchmarks " + shlex.join(
        sys.argv[1:] if argv is None else list(argv)
    )
    began = perf_counter()
    started = datetime.now(UTC)
    load_before = report.machine_info()["load_average"]
    runs = [_run_worker(args, devices) for devices in args.devices]
    meta = report.machine_info()
    meta["load_average"] = {"before": load_before, "after": meta["load_average"]}
    if args.host_os and args.host_os != meta["os"]:
        meta["os"] = f"{args.host_os}, Python in a {meta['os']} chroot"
    meta.update(
        {
            "started": started.isoformat(timespec="seconds"),
            "duration_s": round(perf_counter() - began, 1),
            "command": command,
            "revision": args.revision,
            "label": args.label,
            "options": {
                "latency_s": args.latency,
                "reaction_delay_s": args.reaction_delay,
                "refreshes": args.refreshes,
                "slow_refreshes": args.slow_refreshes,
                "drift": not args.no_drift,
            },
            "integration": runs[0].pop("integration"),
        }
    )
    for run in runs[1:]:
        run.pop("integration", None)
    results: dict[str, Any] = {"meta": meta, "runs": runs}
    results["targets"] = report.evaluate_targets(results)

    output: Path = args.output
    output.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(results, indent=2) + "\n"
    json_path = output / f"bench-{stamp}.json"
    json_path.write_text(text, encoding="utf-8")
    (output / "latest.json").write_text(text, encoding="utf-8")
    baseline = (
        json.loads(args.compare.read_text(encoding="utf-8")) if args.compare else None
    )
    chart = output / "performance.png"
    report.render_chart(results, chart, baseline)
    sys.stdout.write(report.text_table(results) + "\n")
    if baseline is not None:
        label = baseline["meta"].get("label") or str(args.compare)
        sys.stdout.write(f"\ncompared with {label}:\n")
        sys.stdout.write(report.comparison(baseline, results, markdown=False) + "\n")
    sys.stdout.write(f"\nresults: {json_path}\nchart:   {chart}\n")
    if args.update_docs:
        report.update_docs(results, chart, REPO_ROOT)
        sys.stdout.write("docs:    docs/performance.md, docs/images/performance.png\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
