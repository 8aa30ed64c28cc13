"""Tables, the chart and the generated section of docs/performance.md.

Results hold one or two sides (``--compare``: the code at a git ref, then
the working tree); every cell shows the sides as "ref -> tree".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
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
type Table = tuple[str, list[str], list[list[str]]]
HOUR = "hour.requests"
START_UP = "start_up.requests"
FIRST_HOUR = "start_up.first_hour_requests"
CHART = [
    ("fast.median_s", "Fast refresh (async_refresh), median", "seconds"),
    ("hour.total", "Requests in the simulated hour", "requests"),
]
START_UP_TITLE = (
    "Start-up requests, by endpoint: from setup until history read every device's"
    " spray record once, at least 10 minutes (setup's own included):"
)
FRESHNESS = "Freshness: simulated seconds until HA shows a change, p50 / max (target):"

#: (row, with issue 13's target if any; dotted path into a run; digits).
ROWS = [
    ("entities (enabled)", "setup.entities", 0),
    ("fast refresh, median (s; at 50: no worse than today)", "fast.median_s", 3),
    ("fast refresh, max (s)", "fast.max_s", 3),
    ("fast refresh, CPU median (ms)", "fast.cpu_median_ms", 0),
    ("entity update: one push to all entities, median (ms)", "fast.push_ms", 1),
    ("requests per fast refresh", "fast.per_refresh", 1),
    ("requests per hour (simulated, after start-up; at 50: <= 1,000)", "hour.total", 0),
    ("requests per device per hour", "hour.per_device", 0),
    ("requests in the first hour after setup, setup's apart", "start_up.first_hour", 0),
    ("start-up: requests in setup", "start_up.setup_total", 0),
    ("start-up: requests in setup + first 10 min", "start_up.first_10_min", 0),
    ("start-up: history read every device, after (min)", "start_up.backfill_min", 1),
    ("start-up: requests in setup until then (at least 10 min)", "start_up.total", 0),
    ("requests per number edit (<= 4)", "hour.edit_total.number", 0),
    ("requests per switch edit (<= 4)", "hour.edit_total.switch", 0),
    ("requests per add_schedule action (<= 4)", "hour.edit_total.add_schedule", 0),
    ("setup to all states, first (s)", "setup.seconds", 3),
    ("setup to all states, restart (s)", "restart.seconds", 3),
    ("logins on restart", "restart.logins", 0),
    ("turn_on returns (s)", "command.returned_s", 3),
    ("turn_on shown (s)", "command.shown_s", 3),
    ("turn_on confirmed (s after return)", "command.confirmed_s", 3),
    ("requests per turn_on + confirmation", "command.total", 0),
    ("memory per device (KiB)", "memory_kib_per_device", 1),
    ("max stall in refreshes, code (ms)", "fast.stall.code_ms", 0),
    ("max stall in refreshes, wall clock (ms)", "fast.stall.wall_ms", 0),
    ("max GC pass in refreshes (ms)", "fast.stall.gc_ms", 0),
    ("one full GC pass, before setup / with entry (ms)", "heap.gc_ms", 0),
    ("max stall in first setup, code (ms)", "setup.stall.code_ms", 0),
]

#: (probe kind, row with issue 13's target for the maximum).
KINDS = [
    ("spray on", "spray state: the device starts a mist itself (<= 30)"),
    ("online state", "online state: the device goes offline, comes back (<= 30)"),
    ("temperature, humidity", "temperature and humidity (<= 300)"),
    ("tank level", "tank level after a mist (<= 30)"),
    ("last mist", "last-mist figures after a mist (<= 30)"),
    ("schedule from the app", "a schedule changed in the app (<= 1800)"),
    ("mist end, device's own", "mist end shown: a mist started in the app (<= 30)"),
    ("mist end, a schedule's", "mist end shown: a mist a schedule started (<= 5)"),
    ("mist end, HA's switch", "mist end shown: a mist from HA's switch (<= 5)"),
]


def machine() -> dict[str, Any]:
    """Describe the machine the figures come from."""

    def read(path: str, pattern: str) -> str:
        found = re.search(pattern, Path(path).read_text(encoding="utf-8"), re.MULTILINE)
        return found.group(1).strip() if found else "unknown"

    memory = int(read("/proc/meminfo", r"^MemTotal:\s*(\d+)")) / 2**20
    return {
        "cpu": read("/proc/cpuinfo", r"^model name\s*:\s*(.+)$"),
        "cpus": len(os.sched_getaffinity(0)),
        "memory_gib": round(memory, 1),
        "os": read("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)'),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load": " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3]),
    }


def get(run: Run, path: str, default: Any = None) -> Any:
    """Return the figure at ``path`` ("a.b.c"), ``default`` where the run has none."""
    value: Any = run
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return default if value is None else value


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return value if isinstance(value, str) else f"{value:,.{digits}f}"


def _figure(path: str, digits: int, run: Run) -> str:
    # An endpoint a run did not call: none of its requests.
    none = 0 if path.startswith((HOUR, START_UP, FIRST_HOUR)) else None
    return _fmt(get(run, path, none), digits)


def _freshness(run: Run, kind: str) -> str:
    samples = get(run, "hour.freshness", {}).get(kind, [])
    seen = [value for value in samples if value is not None]
    text = f"{statistics.median(seen):.0f} / {max(seen):.0f}" if seen else "n/a"
    missed = len(samples) - len(seen)
    return text + (f" ({missed} of {len(samples)} not seen)" if missed else "")


def _tables(results: dict[str, Any]) -> list[Table]:
    sides = [{run["devices"]: run for run in side["runs"]} for side in results["sides"]]
    counts = sorted(sides[-1])

    def row(label: str, cell: Callable[[Run], str]) -> list[str]:
        cells = (" -> ".join(cell(side.get(n, {})) for side in sides) for n in counts)
        return [label, *cells]

    def by_endpoint(path: str, total: str) -> list[list[str]]:
        runs = [run for side in sides for run in side.values()]
        found = sorted({key for run in runs for key in get(run, path, {})})
        rows = [row(f"`{key}`", partial(_figure, f"{path}.{key}", 0)) for key in found]
        return [*rows, row("total", partial(_figure, total, 0))]

    head = [str(n) for n in counts]
    figures = [row(text, partial(_figure, path, digits)) for text, path, digits in ROWS]
    fresh = [row(text, partial(_freshness, kind=kind)) for kind, text in KINDS]
    return [
        ("", ["devices", *head], figures),
        (
            "Requests in the simulated hour (after the start-up), by endpoint:",
            ["endpoint", *head],
            by_endpoint(HOUR, "hour.total"),
        ),
        (START_UP_TITLE, ["endpoint", *head], by_endpoint(START_UP, "start_up.total")),
        (
            "Requests in the first hour after setup (setup's own apart), by endpoint:",
            ["endpoint", *head],
            by_endpoint(FIRST_HOUR, "start_up.first_hour"),
        ),
        (FRESHNESS, ["change", *head], fresh),
    ]


def _markdown(title: str, header: list[str], body: list[list[str]]) -> str:
    rows = ["| " + " | ".join(cells) + " |" for cells in [header, *body]]
    rule = "| --- |" + " ---: |" * (len(header) - 1)
    return "\n".join([*([title, ""] if title else []), rows[0], rule, *rows[1:]])


def text(results: dict[str, Any]) -> str:
    """Return what a run prints and the docs show: its setting, then the tables."""
    meta = results["meta"]
    opt, host, ver = meta["options"], meta["machine"], meta["versions"]
    code = " -> ".join(f"{s['label']} (`{s['path']}`)" for s in results["sides"])
    system = f"Linux {host['kernel']}, {meta['host_os'] or host['os']}"
    load = f"load {meta['load_before']} before, {host['load']} after"
    plugin = ver["pytest-homeassistant-custom-component"]
    refreshes = f"{opt['refreshes']} refreshes"
    hour = f"seed {opt['seed']}, steps of {opt['step']:g} s"
    about = [
        f"- Code: {code}; revision `{meta['revision']}`",
        f"- Machine: {host['cpu']}, {host['cpus']} CPUs, {host['memory_gib']} GiB RAM, {system}; {load}",
        f"- Software: Python {host['python']}, Home Assistant {ver['homeassistant']}, aiohttp {ver['aiohttp']}, pytest-homeassistant-custom-component {plugin}",
        f"- Real time: {opt['latency'] * 1000:g} ms per request, reaction {opt['reaction_delay']:g} s, {refreshes}; simulated hour: {hour}; whole run {meta['duration_s'] / 60:.1f} min",
    ]
    return "\n\n".join(["\n".join(about), *(_markdown(*t) for t in _tables(results))])


def update_docs(results: dict[str, Any], chart_path: Path, repo: Path) -> None:
    """Rewrite the generated section of docs/performance.md and its chart."""
    meta = results["meta"]
    label = f" ({meta['label']})" if meta["label"] else ""
    image = (
        "![Fast refresh and requests per hour by device count](images/performance.png)"
    )
    section = f"""{BEGIN}
<!-- Generated by `scripts/bench --update-docs`; edits here are overwritten. -->

Measured {meta["started"]}{label} with:

```sh
{meta["command"]}
```

{image}

{text(results)}

{END}"""
    doc = repo / "docs" / "performance.md"
    old = doc.read_text(encoding="utf-8")
    start, end = old.index(BEGIN), old.index(END) + len(END)
    doc.write_text(old[:start] + section + old[end:], encoding="utf-8")
    (repo / "docs" / "images" / "performance.png").write_bytes(chart_path.read_bytes())


def chart(results: dict[str, Any], path: Path) -> None:
    """Fast refresh time and requests per simulated hour against device count."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), dpi=110)
    for axis, (figure, title, unit) in zip(axes, CHART, strict=True):
        for side, style in zip(results["sides"], ("o--", "o-"), strict=False):
            counts = [run["devices"] for run in side["runs"]]
            values = [get(run, figure) for run in side["runs"]]
            axis.plot(counts, values, style, label=side["label"])
        if figure == "fast.median_s":  # what fetching one device after another costs
            after = [results["meta"]["options"]["latency"] * (n + 1) for n in counts]
            axis.plot(counts, after, "-", color="grey", lw=1, label="one after another")
        axis.set(xscale="log", yscale="log", xlabel="devices", ylabel=unit, title=title)
        axis.set_xticks(counts, [str(n) for n in counts])
        axis.grid(visible=True, which="both", alpha=0.3)
        axis.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
