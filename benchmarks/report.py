"""Targets, tables, the chart and the docs section of the benchmark."""

from __future__ import annotations

from collections.abc import Callable
import math
import os
from pathlib import Path
import platform
import re
import shutil
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

DOCS_BEGIN = "<!-- bench:results:begin -->"
DOCS_END = "<!-- bench:results:end -->"
#: Scheduling slack allowed on top of "reaction time plus one round trip":
#: a poll sent exactly when the device reacts still needs the loop to run it.
CONFIRM_SLACK = 0.02

type Run = dict[str, Any]
type Results = dict[str, Any]


# -- environment -----------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def machine_info() -> dict[str, Any]:
    """Describe the machine the figures come from."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    os_name = re.search(
        r'^PRETTY_NAME="?([^"\n]+)"?', _read("/etc/os-release"), re.MULTILINE
    )
    return {
        "cpu": cpu.group(1).strip() if cpu else platform.processor() or "unknown",
        "cpus": len(os.sched_getaffinity(0)),
        "memory_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "kernel": platform.release(),
        "os": os_name.group(1) if os_name else platform.system(),
        "python": platform.python_version(),
        "load_average": _read("/proc/loadavg").split()[:3],
    }


# -- targets ---------------------------------------------------------------


def _target(
    key: str, text: str, limit: str, measured: str, met: bool | None
) -> dict[str, Any]:
    return {
        "key": key,
        "target": text,
        "limit": limit,
        "measured": measured,
        "met": met,
    }


def _ms(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value * 1000:.0f} ms"


def evaluate_targets(results: Results) -> list[dict[str, Any]]:
    """Check the issue's targets against the measured runs."""
    runs: list[Run] = results["runs"]
    latency = results["meta"]["options"]["latency_s"]
    reaction = results["meta"]["options"]["reaction_delay_s"]
    by_devices = {run["devices"]: run for run in runs}
    targets = []

    limit = 4 * latency + 0.05
    run50 = by_devices.get(50)
    if run50 is None:
        targets.append(
            _target(
                "refresh_50",
                "refresh time at 50 devices",
                f"<= {_ms(limit)}",
                "not run",
                None,
            )
        )
    else:
        fast = run50["refresh"]["fast"]
        targets.append(
            _target(
                "refresh_50",
                "refresh time at 50 devices (median of the fast refreshes)",
                f"<= {_ms(limit)} (4 round trips + 50 ms)",
                f"{_ms(fast['median_s'])} (max {_ms(fast['max_s'])})",
                fast["median_s"] <= limit,
            )
        )
    if len(runs) >= 2:
        first, last = runs[0], runs[-1]
        extra = last["devices"] - first["devices"]
        per_device = (
            last["refresh"]["fast"]["median_s"] - first["refresh"]["fast"]["median_s"]
        ) / extra
        targets.append(
            _target(
                "refresh_growth",
                f"refresh time grows far slower than device count: time each "
                f"extra device adds ({first['devices']} -> {last['devices']} devices)",
                f"<= {_ms(latency / 10)} (a tenth of a round trip; one device "
                "after another would add a whole one)",
                f"{per_device * 1000:.1f} ms",
                per_device <= latency / 10,
            )
        )

    worst = max(
        runs, key=lambda run: run["refresh"]["fast"]["requests"] - run["devices"]
    )
    targets.append(
        _target(
            "requests_per_refresh",
            "requests per refresh, every device count",
            "<= devices + 1",
            ", ".join(
                f"{run['devices']}: {run['refresh']['fast']['requests']:g}"
                for run in runs
            ),
            worst["refresh"]["fast"]["requests"] <= worst["devices"] + 1,
        )
    )

    returned = max(run["command"]["returned_s"] for run in runs)
    targets.append(
        _target(
            "turn_on_returns",
            "switch.turn_on returns (slowest over the runs)",
            f"<= {_ms(2 * latency)} (2 round trips)",
            _ms(returned),
            returned <= 2 * latency,
        )
    )
    shown = all(run["command"]["shown_on_return"] for run in runs)
    targets.append(
        _target(
            "state_immediate",
            "the switch shows the new state when the call returns",
            "yes",
            "yes" if shown else "no",
            shown,
        )
    )
    confirmed = [run["command"]["confirmed_after_return_s"] for run in runs]
    confirm_limit = reaction + latency + CONFIRM_SLACK
    worst_confirm = None if None in confirmed else max(confirmed)
    targets.append(
        _target(
            "confirmed",
            "coordinator confirms the new state, after the call returned "
            "(slowest over the runs)",
            f"<= {_ms(confirm_limit)} (reaction {reaction:g} s + 1 round trip "
            f"+ {_ms(CONFIRM_SLACK)} slack)",
            _ms(worst_confirm) if worst_confirm is not None else "never",
            worst_confirm is not None and worst_confirm <= confirm_limit,
        )
    )

    logins = max(run["restart"]["logins"] for run in runs)
    targets.append(
        _target(
            "restart_logins",
            "logins on restart with a stored valid token",
            "0",
            str(logins),
            logins == 0,
        )
    )

    biggest = by_devices.get(200) or runs[-1]
    judged = biggest["devices"] >= 200
    wall = _refresh_stall(biggest, "max_stall_ms")
    code = _refresh_stall(biggest, "max_stall_code_ms")
    pause = _refresh_stall(biggest, "max_gc_pause_ms")
    targets.append(
        _target(
            "stall_code",
            f"longest event-loop stall during a refresh at {biggest['devices']} "
            "devices: code running (GC passes and other processes excluded)",
            "<= 50 ms",
            f"{code:.0f} ms",
            code <= 50 if judged else None,
        )
    )
    targets.append(
        _target(
            "stall_wall",
            f"longest event-loop stall during a refresh at {biggest['devices']} "
            "devices: wall clock, everything included",
            "<= 50 ms",
            f"{wall:.0f} ms (longest GC pass {pause:.0f} ms)",
            wall <= 50 if judged else None,
        )
    )
    return targets


def _refresh_stall(run: Run, key: str) -> float:
    """Return the largest of a stall figure over the fast and slow refreshes."""
    values = [
        part[key]
        for part in (run["refresh"]["fast"], run["refresh"]["slow"])
        if part.get(key) is not None
    ]
    return max(values, default=0.0)


# -- tables ----------------------------------------------------------------


def _fmt_s(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.3f}"


def _fmt_n(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _fast(key: str, fmt: Callable[[Any], str]) -> Callable[[Run], str]:
    return lambda run: fmt(run["refresh"]["fast"].get(key))


def _slow(key: str, fmt: Callable[[Any], str]) -> Callable[[Run], str]:
    return lambda run: fmt(run["refresh"]["slow"].get(key))


def _command(key: str) -> Callable[[Run], str]:
    return lambda run: _fmt_s(run["command"][key])


def _memory(run: Run) -> str:
    return _fmt_n(run["memory"]["per_device_kib"], 1) if run["memory"] else "n/a"


def _full_gc(run: Run) -> str:
    heap = run["heap"]
    return (
        f"{heap['full_gc_before_setup_ms']:.0f} / {heap['full_gc_with_entry_ms']:.0f}"
    )


def _full_gc_passes(run: Run) -> str:
    fast, slow = run["refresh"]["fast"], run["refresh"]["slow"]
    return str(fast["full_gc_passes"] + slow["full_gc_passes"])


def _one_decimal(value: float | None) -> str:
    return _fmt_n(value, 1)


_ROWS: list[tuple[str, Callable[[Run], str]]] = [
    ("entities (enabled)", lambda run: str(run["entities"])),
    ("fast refresh, median (s)", _fast("median_s", _fmt_s)),
    ("fast refresh, max (s)", _fast("max_s", _fmt_s)),
    ("fast refresh, CPU median (ms)", _fast("cpu_median_ms", _fmt_n)),
    ("slow refresh, median (s)", _slow("median_s", _fmt_s)),
    ("slow refresh, max (s)", _slow("max_s", _fmt_s)),
    ("slow refresh, CPU median (ms)", _slow("cpu_median_ms", _fmt_n)),
    ("requests per fast refresh", _fast("requests", _one_decimal)),
    ("requests per slow refresh", _slow("requests", _one_decimal)),
    ("requests per hour", lambda run: _fmt_n(run["requests_per_hour"]["total"])),
    (
        "requests per device per hour",
        lambda run: _fmt_n(run["requests_per_hour"]["per_device"]),
    ),
    ("setup to all states, first (s)", lambda run: _fmt_s(run["setup"]["seconds"])),
    (
        "setup to all states, restart (s)",
        lambda run: _fmt_s(run["restart"]["seconds"]),
    ),
    ("logins on restart", lambda run: str(run["restart"]["logins"])),
    ("turn_on returns (s)", _command("returned_s")),
    ("turn_on shown (s)", _command("shown_s")),
    ("turn_on confirmed (s after return)", _command("confirmed_after_return_s")),
    (
        "requests per turn_on + confirmation",
        lambda run: _fmt_n(sum(run["command"]["requests_by_endpoint"].values())),
    ),
    ("memory per device (KiB)", _memory),
    (
        "max stall in refreshes, code (ms)",
        lambda run: _fmt_n(_refresh_stall(run, "max_stall_code_ms")),
    ),
    (
        "max stall in refreshes, wall clock (ms)",
        lambda run: _fmt_n(_refresh_stall(run, "max_stall_ms")),
    ),
    (
        "max GC pass in refreshes (ms)",
        lambda run: _fmt_n(_refresh_stall(run, "max_gc_pause_ms")),
    ),
    ("full GC passes in the refreshes", _full_gc_passes),
    ("one full GC pass, before setup / with entry (ms)", _full_gc),
    (
        "max stall in first setup, code (ms)",
        lambda run: _fmt_n(run["setup"]["max_stall_code_ms"]),
    ),
]


def _rows(results: Results) -> tuple[list[str], list[list[str]]]:
    runs: list[Run] = results["runs"]
    header = ["devices", *(str(run["devices"]) for run in runs)]
    body = [[label, *(fn(run) for run in runs)] for label, fn in _ROWS]
    return header, body


def _endpoint_rows(results: Results) -> tuple[list[str], list[list[str]]]:
    """Tabulate requests by endpoint: per fast and slow refresh, per device-hour."""
    runs: list[Run] = results["runs"]
    keys = sorted(
        {key for run in runs for key in run["requests_per_hour"]["by_endpoint"]}
    )
    header = ["endpoint", *(f"{run['devices']} dev." for run in runs)]
    body = []
    for key in keys:
        cells = []
        for run in runs:
            fast = run["refresh"]["fast"]["requests_by_endpoint"].get(key, 0)
            slow = (run["refresh"]["slow"]["requests_by_endpoint"] or {}).get(key, 0)
            hourly = run["requests_per_hour"]["by_endpoint_per_device"].get(key, 0)
            cells.append(f"{fast:g} / {slow:g} / {hourly:.1f}")
        body.append([f"`{key}`", *cells])
    return header, body


def _text(header: list[str], body: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        )
        for row in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _markdown(header: list[str], body: list[list[str]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(["---", *["---:"] * (len(header) - 1)]) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not judged"}[met]


_COMPARED: list[tuple[str, Callable[[Run], str]]] = [
    ("fast refresh, median (s)", _fast("median_s", _fmt_s)),
    ("fast refresh, CPU median (ms)", _fast("cpu_median_ms", _fmt_n)),
    ("slow refresh, median (s)", _slow("median_s", _fmt_s)),
    ("requests per fast refresh", _fast("requests", _one_decimal)),
    ("turn_on returns (s)", _command("returned_s")),
    ("turn_on confirmed (s after return)", _command("confirmed_after_return_s")),
    (
        "requests per turn_on + confirmation",
        lambda run: _fmt_n(sum(run["command"]["requests_by_endpoint"].values())),
    ),
    (
        "max stall in refreshes, code (ms)",
        lambda run: _fmt_n(_refresh_stall(run, "max_stall_code_ms")),
    ),
    (
        "max stall in refreshes, wall clock (ms)",
        lambda run: _fmt_n(_refresh_stall(run, "max_stall_ms")),
    ),
    ("setup to all states, first (s)", lambda run: _fmt_s(run["setup"]["seconds"])),
]


def _comparison_rows(
    baseline: Results, results: Results
) -> tuple[list[str], list[list[str]]]:
    before = {run["devices"]: run for run in baseline["runs"]}
    runs = [run for run in results["runs"] if run["devices"] in before]
    header = ["before -> after", *(f"{run['devices']} dev." for run in runs)]
    body = [
        [label, *(f"{fn(before[run['devices']])} -> {fn(run)}" for run in runs)]
        for label, fn in _COMPARED
    ]
    return header, body


def comparison(baseline: Results, results: Results, *, markdown: bool) -> str:
    """Tabulate key figures of a baseline run against this one."""
    table = _comparison_rows(baseline, results)
    return _markdown(*table) if markdown else _text(*table)


def text_table(results: Results) -> str:
    """Return the readable summary printed at the end of a run."""
    meta = results["meta"]
    options = meta["options"]
    parts = [
        "",
        (
            f"Moogo benchmark: latency {options['latency_s'] * 1000:g} ms per "
            f"request, reaction {options['reaction_delay_s']:g} s, "
            f"{meta['cpu']} ({meta['cpus']} CPUs), Python {meta['python']}, "
            f"HA {meta['integration']['versions']['homeassistant']}"
        ),
        "",
        _text(*_rows(results)),
        "",
        "requests by endpoint (per fast refresh / per slow refresh / per device per hour):",
        _text(*_endpoint_rows(results)),
        "",
        "targets:",
    ]
    parts += [
        f"  [{_verdict(target['met'])}] {target['target']}: {target['measured']} "
        f"(target {target['limit']})"
        for target in results["targets"]
    ]
    return "\n".join(parts)


def markdown_section(results: Results) -> str:
    """Return the generated part of docs/performance.md."""
    meta = results["meta"]
    options = meta["options"]
    versions = meta["integration"]["versions"]
    label = f" ({meta['label']})" if meta.get("label") else ""
    load = meta["load_average"]
    machine = (
        f"- Machine: {meta['cpu']}, {meta['cpus']} CPUs, {meta['memory_gib']} GiB "
        f"RAM, Linux {meta['kernel']}, {meta['os']}; load average "
        f"{' '.join(load['before'])} before, {' '.join(load['after'])} after"
    )
    software = (
        f"- Software: Python {meta['python']}, Home Assistant "
        f"{versions['homeassistant']}, aiohttp {versions['aiohttp']}, "
        "pytest-homeassistant-custom-component "
        f"{versions['pytest-homeassistant-custom-component']}"
    )
    simulator = (
        f"- Simulator (own process): {options['latency_s'] * 1000:g} ms added to "
        f"every request, device reaction {options['reaction_delay_s']:g} s, "
        "temperature and humidity of every device "
        + ("changing every second" if options["drift"] else "constant")
        + f"; {options['refreshes']} fast and {options['slow_refreshes']} slow "
        f"refreshes per device count; whole run {meta['duration_s']:g} s"
    )
    lines = [
        DOCS_BEGIN,
        "<!-- Generated by `scripts/bench --update-docs`; edits here are overwritten. -->",
        "",
        f"Measured {meta['started']}{label} with:",
        "",
        "```sh",
        meta["command"],
        "```",
        "",
        machine,
        software,
        f"- Code: revision `{meta['revision'] or 'unknown'}`",
        simulator,
        "",
        (
            "![Refresh time and requests per refresh against device count]"
            "(images/performance.png)"
        ),
        "",
        _markdown(*_rows(results)),
        "",
        (
            "Requests by endpoint: per fast refresh / per slow refresh / per "
            "device per hour at the default intervals."
        ),
        "",
        _markdown(*_endpoint_rows(results)),
        "",
        "Targets:",
        "",
        "| target | limit | measured | verdict |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {target['target']} | {target['limit']} | {target['measured']} | "
        f"{'**' + _verdict(target['met']) + '**' if target['met'] is False else _verdict(target['met'])} |"
        for target in results["targets"]
    ]
    lines += ["", DOCS_END]
    return "\n".join(lines)


def update_docs(results: Results, chart: Path, repo_root: Path) -> None:
    """Replace the generated section of docs/performance.md and the chart."""
    doc = repo_root / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8")
    start, end = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if start < 0 or end < start:
        raise RuntimeError(f"{doc} lacks the {DOCS_BEGIN} / {DOCS_END} markers")
    text = text[:start] + markdown_section(results) + text[end + len(DOCS_END) :]
    doc.write_text(text, encoding="utf-8")
    images = repo_root / "docs" / "images"
    images.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chart, images / "performance.png")


# -- chart -----------------------------------------------------------------


def interval(results: Results, key: str) -> str:
    """Return a polling interval of the measured integration, readably."""
    seconds = results["meta"]["integration"][key]
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def render_chart(results: Results, path: Path, baseline: Results | None = None) -> None:
    """Refresh time and requests per refresh against device count (PNG).

    With a baseline, its fast-refresh medians are drawn faded for comparison.
    """
    runs: list[Run] = results["runs"]
    options = results["meta"]["options"]
    latency = options["latency_s"]
    devices = [run["devices"] for run in runs]
    fast = [run["refresh"]["fast"] for run in runs]
    slow = [run["refresh"]["slow"] for run in runs]

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), dpi=110)
    label = results["meta"].get("label")
    fig.suptitle(
        f"Moogo integration against the simulator, {latency * 1000:g} ms per request"
        + (f" ({label})" if label else ""),
        fontsize=12,
    )

    left.plot(
        devices,
        [item["median_s"] for item in fast],
        "o-",
        color="tab:blue",
        label="fast refresh (median)",
    )
    if baseline is not None:
        left.plot(
            [run["devices"] for run in baseline["runs"]],
            [run["refresh"]["fast"]["median_s"] for run in baseline["runs"]],
            "o--",
            color="grey",
            alpha=0.7,
            label="fast refresh (median), "
            + (baseline["meta"].get("label") or "baseline"),
        )
    left.plot(
        devices,
        [item["max_s"] for item in fast],
        "v:",
        color="tab:blue",
        alpha=0.6,
        label="fast refresh (max)",
    )
    if all(item["median_s"] is not None for item in slow):
        left.plot(
            devices,
            [item["median_s"] for item in slow],
            "s-",
            color="tab:orange",
            label="slow refresh (median)",
        )
    left.plot(
        devices,
        [latency * (count + 1) for count in devices],
        "--",
        color="grey",
        linewidth=1,
        label="one request after another",
    )
    target = 4 * latency + 0.05
    left.plot(
        [50], [target], "r*", markersize=12, label=f"target at 50: {target:.2f} s"
    )
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("devices")
    left.set_ylabel("refresh wall time (s)")
    left.set_title("Refresh time")
    left.grid(visible=True, which="both", alpha=0.3)
    left.legend(fontsize=8, loc="upper left")

    right.plot(
        devices,
        [count + 1 for count in devices],
        "-",
        color="tab:green",
        linewidth=7,
        alpha=0.25,
        label="limit per fast refresh: devices + 1",
    )
    right.plot(
        devices,
        [item["requests"] for item in fast],
        "o-",
        color="tab:blue",
        label=f"per fast refresh (every {interval(results, 'update_interval_s')})",
    )
    if all(item["requests"] is not None for item in slow):
        right.plot(
            devices,
            [item["requests"] for item in slow],
            "s-",
            color="tab:orange",
            label=f"per slow refresh (every "
            f"{interval(results, 'slow_update_interval_s')})",
        )
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("devices")
    right.set_ylabel("requests")
    right.set_title("Requests per refresh")
    right.grid(visible=True, which="both", alpha=0.3)
    right.legend(fontsize=8, loc="upper left")
    for axis in (left, right):
        axis.set_xticks(devices, [str(count) for count in devices])

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
