"""Tables, targets, the chart and the generated section of docs/performance.md.

Results hold one or two sides (``--compare``: the code at a git ref, then
the working tree); every cell shows the sides as "ref -> tree".
"""

from __future__ import annotations

from collections.abc import Callable
import os
from pathlib import Path
import platform
import re
import statistics
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"
type Run = dict[str, Any]
type Row = tuple[str, Callable[[Run], Any]]


def machine() -> dict[str, Any]:
    """Describe the machine the figures come from."""

    def read(path: str, pattern: str) -> str:
        found = re.search(pattern, Path(path).read_text(encoding="utf-8"), re.MULTILINE)
        return found.group(1).strip() if found else "unknown"

    return {
        "cpu": read("/proc/cpuinfo", r"^model name\s*:\s*(.+)$"),
        "cpus": len(os.sched_getaffinity(0)),
        "memory_gib": round(
            int(read("/proc/meminfo", r"^MemTotal:\s*(\d+)")) / 2**20, 1
        ),
        "os": read("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)'),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load": " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3]),
    }


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}"


def _total(counts: dict[str, int] | None) -> int | None:
    return None if counts is None else sum(counts.values())


def _hour(run: Run) -> dict[str, Any]:
    return run.get("hour") or {}


def _freshness(kind: str) -> Callable[[Run], str]:
    def cell(run: Run) -> str:
        samples = _hour(run).get("freshness", {}).get(kind)
        if not samples:
            return "n/a"
        seen = [value for value in samples if value is not None]
        unseen = len(samples) - len(seen)
        text = f"{statistics.median(seen):.0f} / {max(seen):.0f}" if seen else "-"
        return text + (f" ({unseen} of {len(samples)} not seen)" if unseen else "")

    return cell


def _s(*keys: str) -> Callable[[Run], str]:
    def cell(run: Run) -> str:
        value: Any = run
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return _fmt(value, 3)

    return cell


ROWS: list[tuple[str, Callable[[Run], str]]] = [
    ("entities (enabled)", lambda run: str(run["setup"]["entities"])),
    ("fast refresh, median (s)", _s("fast", "median_s")),
    ("fast refresh, max (s)", _s("fast", "max_s")),
    ("fast refresh, CPU median (ms)", lambda run: _fmt(run["fast"]["cpu_median_ms"])),
    ("slow refresh, median (s)", _s("slow", "median_s")),
    ("slow refresh, CPU median (ms)", lambda run: _fmt(run["slow"]["cpu_median_ms"])),
    (
        "requests per fast refresh",
        lambda run: _fmt(
            (_total(run["fast"]["requests"]) or 0) / len(run["fast"]["samples_s"]), 1
        ),
    ),
    (
        "requests per slow refresh",
        lambda run: (
            _fmt(
                (_total(run["slow"]["requests"]) or 0) / len(run["slow"]["samples_s"]),
                1,
            )
            if run["slow"]["median_s"]
            else "n/a"
        ),
    ),
    ("requests in the simulated hour", lambda run: _fmt(_hour(run).get("total"))),
    (
        "requests per device per hour",
        lambda run: _fmt(_hour(run).get("total", 0) / run["devices"] or None),
    ),
    (
        "requests per number edit",
        lambda run: _fmt(_total(_hour(run).get("edits", {}).get("number"))),
    ),
    (
        "requests per add_schedule action",
        lambda run: _fmt(_total(_hour(run).get("edits", {}).get("add_schedule"))),
    ),
    ("setup to all states, first (s)", _s("setup", "seconds")),
    ("setup to all states, restart (s)", _s("restart", "seconds")),
    ("logins on restart", lambda run: str(run["restart"]["logins"])),
    ("turn_on returns (s)", _s("command", "returned_s")),
    ("turn_on shown (s)", _s("command", "shown_s")),
    ("turn_on confirmed (s after return)", _s("command", "confirmed_after_return_s")),
    (
        "requests per turn_on + confirmation",
        lambda run: _fmt(_total(run["command"]["requests"])),
    ),
    ("memory per device (KiB)", lambda run: _fmt(run.get("memory_kib_per_device"), 1)),
    (
        "max stall in refreshes, code (ms)",
        lambda run: _fmt(run["fast"]["stall"]["code_ms"]),
    ),
    (
        "max stall in refreshes, wall clock (ms)",
        lambda run: _fmt(run["fast"]["stall"]["wall_ms"]),
    ),
    ("max GC pass in refreshes (ms)", lambda run: _fmt(run["fast"]["stall"]["gc_ms"])),
    (
        "full GC passes in the refreshes",
        lambda run: str(run["fast"]["stall"]["full_gcs"]),
    ),
    (
        "one full GC pass, before setup / with entry (ms)",
        lambda run: (
            f"{run['heap']['gc_before_ms']:.0f} / {run['heap']['gc_with_entry_ms']:.0f}"
        ),
    ),
    (
        "max stall in first setup, code (ms)",
        lambda run: _fmt(run["setup"]["stall"]["code_ms"]),
    ),
]

KINDS = [
    ("spray on", "spray state: the device starts a mist itself"),
    ("online state", "online state: the device goes offline, comes back"),
    ("temperature, humidity", "temperature and humidity"),
    ("tank level", "tank level after a mist"),
    ("last mist", "last-mist figures after a mist"),
    ("schedule from the app", "a schedule changed in the app"),
    ("mist end, device's own", "mist end shown: a mist the device started"),
    ("mist end, HA's switch", "mist end shown: a mist from HA's switch"),
]

#: Issue 13's targets: (what, limit, figure of the last side's runs, limit value).
TARGETS: list[tuple[str, str, Callable[[dict[int, Run]], float | None], float]] = [
    (
        "requests per hour at 50 devices",
        "<= 1,000",
        lambda runs: _hour(runs[50]).get("total"),
        1000,
    ),
    (
        "requests per edit (number, add_schedule), any device count",
        "<= 3",
        lambda runs: max(
            _total(counts) or 0
            for run in runs.values()
            for counts in _hour(run).get("edits", {}).values()
        ),
        3,
    ),
    *(
        (
            f"{text}, max (s)",
            f"<= {limit:g}",
            lambda runs, kind=kind: _max_seen(runs, kind),
            limit,
        )
        for (kind, text), limit in zip(
            KINDS, (30, 30, 300, 30, 30, 1800, 5, 5), strict=True
        )
    ),
]


def _max_seen(runs: dict[int, Run], kind: str) -> float | None:
    samples = [
        value
        for run in runs.values()
        for value in _hour(run).get("freshness", {}).get(kind, [])
    ]
    if not samples:
        return None
    return float("inf") if None in samples else max(samples)


def targets(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Judge the working tree's runs: (target, limit, measured, verdict)."""
    sides = results["sides"]
    runs = {run["devices"]: run for run in sides[-1]["runs"]}
    judged = []
    for text, limit, figure, bound in TARGETS:
        try:
            value = figure(runs)
        except KeyError:
            value = None
        verdict = "n/a" if value is None else ("met" if value <= bound else "NOT met")
        judged.append(
            (text, limit, "not seen" if value == float("inf") else _fmt(value), verdict)
        )
    if len(sides) == 2 and 50 in runs:
        before = {run["devices"]: run for run in sides[0]["runs"]}[50]["fast"][
            "median_s"
        ]
        after = runs[50]["fast"]["median_s"]
        verdict = "met" if after <= before * 1.1 else "NOT met"
        judged.append(
            (
                "fast refresh at 50 devices, median (s)",
                f"<= {before:.3f} (ref, +10% noise)",
                f"{after:.3f}",
                verdict,
            )
        )
    return judged


def _tables(results: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    sides = results["sides"]
    counts = [run["devices"] for run in sides[-1]["runs"]]
    by_count = [{run["devices"]: run for run in side["runs"]} for side in sides]

    def row(label: str, cell: Callable[[Run], str]) -> list[str]:
        return [
            label,
            *(" -> ".join(cell(side[count]) for side in by_count) for count in counts),
        ]

    header = ["devices", *map(str, counts)]
    endpoints = sorted(
        {
            key
            for side in by_count
            for run in side.values()
            for key in _hour(run).get("requests", {})
        }
    )
    hour = [
        row(
            f"`{key}`",
            lambda run, key=key: _fmt(  # type: ignore[misc]
                _hour(run).get("requests", {}).get(key, 0)
            ),
        )
        for key in endpoints
    ]
    hour.append(row("total", lambda run: _fmt(_hour(run).get("total"))))
    fresh = [row(text, _freshness(kind)) for kind, text in KINDS]
    target_rows = [list(item) for item in targets(results)]
    return [
        ("", header, [row(label, cell) for label, cell in ROWS]),
        (
            "Requests in the simulated hour, by endpoint:",
            ["endpoint", *header[1:]],
            hour,
        ),
        (
            "Freshness: simulated seconds until HA shows a change, p50 / max:",
            ["change", *header[1:]],
            fresh,
        ),
        (
            "Targets (issue 13), the working tree:",
            ["target", "limit", "measured", "verdict"],
            target_rows,
        ),
    ]


def _markdown(header: list[str], body: list[list[str]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- |" + " ---: |" * (len(header) - 1),
    ]
    return "\n".join(lines + ["| " + " | ".join(cells) + " |" for cells in body])


def _text(header: list[str], body: list[list[str]]) -> str:
    widths = [
        max(len(cells[i]) for cells in [header, *body]) for i in range(len(header))
    ]
    return "\n".join(
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        )
        for cells in [header, *body]
    )


def _about(results: dict[str, Any]) -> list[str]:
    meta = results["meta"]
    options, host, versions = meta["options"], meta["machine"], meta["versions"]
    sides = " -> ".join(
        f"{side['label']} (`{side['path']}`)" for side in results["sides"]
    )
    return [
        f"- Code: {sides}; revision `{meta['revision']}`",
        f"- Machine: {host['cpu']}, {host['cpus']} CPUs, {host['memory_gib']} GiB RAM, Linux {host['kernel']}, {meta['host_os'] or host['os']}; load {meta['load_before']} before, {host['load']} after",
        f"- Software: Python {host['python']}, Home Assistant {versions['homeassistant']}, aiohttp {versions['aiohttp']}, pytest-homeassistant-custom-component {versions['pytest-homeassistant-custom-component']}",
        f"- Real time: {options['latency'] * 1000:g} ms per request, reaction {options['reaction_delay']:g} s, {options['refreshes']} fast and {options['slow_refreshes']} slow refreshes; simulated hour: seed {options['seed']}; whole run {meta['duration_s']:.0f} s",
    ]


def text(results: dict[str, Any]) -> str:
    """Return the summary printed at the end of a run."""
    parts = _about(results)
    for title, header, body in _tables(results):
        parts += ["", title, _text(header, body)]
    return "\n".join(parts)


def update_docs(results: dict[str, Any], chart_path: Path, repo: Path) -> None:
    """Rewrite the generated section of docs/performance.md and its chart."""
    meta = results["meta"]
    lines = [
        BEGIN,
        "<!-- Generated by `scripts/bench --update-docs`; edits here are overwritten. -->",
        "",
    ]
    lines += [
        f"Measured {meta['started']} with `{meta['command']}`"
        + (f" ({meta['label']})" if meta["label"] else "")
        + ":",
        "",
        *_about(results),
    ]
    lines += [
        "",
        "![Refresh time and requests per hour against device count](images/performance.png)",
    ]
    for title, header, body in _tables(results):
        lines += (
            ["", title, "", _markdown(header, body)]
            if title
            else ["", _markdown(header, body)]
        )
    doc = repo / "docs" / "performance.md"
    old = doc.read_text(encoding="utf-8")
    start, end = old.index(BEGIN), old.index(END) + len(END)
    doc.write_text(
        old[:start] + "\n".join(lines) + "\n\n" + END + old[end:], encoding="utf-8"
    )
    (repo / "docs" / "images" / "performance.png").write_bytes(chart_path.read_bytes())


def chart(results: dict[str, Any], path: Path) -> None:
    """Fast refresh time and requests per simulated hour against device count."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), dpi=110)
    for side, style in zip(results["sides"], ("o--", "o-"), strict=False):
        runs = side["runs"]
        counts = [run["devices"] for run in runs]
        left.plot(
            counts,
            [run["fast"]["median_s"] for run in runs],
            style,
            label=f"{side['label']}: median",
        )
        left.plot(
            counts,
            [run["fast"]["max_s"] for run in runs],
            "v:",
            alpha=0.5,
            label=f"{side['label']}: max",
        )
        right.plot(
            counts,
            [_hour(run).get("total") for run in runs],
            style,
            label=side["label"],
        )
    latency = results["meta"]["options"]["latency"]
    left.plot(
        counts,
        [latency * (count + 1) for count in counts],
        "-",
        color="grey",
        linewidth=1,
        label="one request after another",
    )
    for axis, title, unit in (
        (left, "Fast refresh (async_refresh)", "seconds"),
        (right, "Requests in the simulated hour", "requests"),
    ):
        axis.set(xscale="log", yscale="log", xlabel="devices", ylabel=unit, title=title)
        axis.set_xticks(counts, [str(count) for count in counts])
        axis.grid(visible=True, which="both", alpha=0.3)
        axis.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
