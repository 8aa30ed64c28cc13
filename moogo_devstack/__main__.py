"""``python -m moogo_devstack``: the one-command demo behind ``scripts/develop``."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import signal
import socket
import time

from moogo_sim import (
    DEMO_APP_LIMITS,
    DEMO_EMAIL,
    DEMO_PAGE_SIZE_LIMIT,
    DEMO_PASSWORD,
    MoogoSimulator,
)

from .stack import REPO_ROOT, HomeAssistantApi, HomeAssistantProcess, frontend_installed

HA_USER = "demo"
HA_PASSWORD = "moogo-demo"  # noqa: S105 - the demo's documented login


async def _ensure_moogo_entry(api: HomeAssistantApi, sim_url: str) -> str:
    """Add the demo account through the real config flow unless it is there."""
    entries = await api.entries("moogo")
    if entries:
        return "reused the existing Moogo entry"
    flow = await api.start_flow("moogo")
    result = await api.submit_flow(
        flow["flow_id"],
        {
            "email": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
            "advanced": {"api_url": sim_url},
        },
    )
    if result.get("type") != "create_entry":
        raise RuntimeError(f"Moogo config flow did not finish: {result}")
    return "added the Moogo demo account through the config flow"


async def _wait_for_entities(api: HomeAssistantApi, within: float = 60) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        states = await api.states()
        moogo = [
            state
            for entity_id, state in states.items()
            if entity_id.startswith("switch.") and entity_id.endswith("_spray")
        ]
        if moogo and all(state["state"] != "unavailable" for state in moogo[:1]):
            return len(moogo)
        await asyncio.sleep(0.5)
    raise TimeoutError("Moogo entities did not appear")


def port_is_free(port: int) -> bool:
    """Whether the demo could listen on ``port`` on loopback now.

    With SO_REUSEADDR, as both servers listen: a port whose last connection
    is still closing (TIME_WAIT) counts as free.
    """
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def busy_ports(args: argparse.Namespace) -> list[str]:
    """One line for each port the demo cannot have, naming the option to change it."""
    wanted = {"--port": args.port, "--sim-port": args.sim_port}
    if args.port == args.sim_port:
        other = _next_free_port(args.port, wanted)
        clash = (
            f"Home Assistant and the simulator both want port {args.port};"
            f" choose another with --sim-port {other}"
        )
        return [clash]
    servers = {"--port": "Home Assistant", "--sim-port": "the simulator"}
    problems = []
    for option, port in wanted.items():
        if not port_is_free(port):
            other = _next_free_port(port, wanted)
            problems.append(
                f"Port {port} ({servers[option]}) is in use;"
                f" choose another with {option} {other}"
            )
    return problems


def _next_free_port(port: int, wanted: dict[str, int]) -> int:
    """Return the first free port above ``port`` that neither server wants."""
    for candidate in range(port + 1, 65536):
        if candidate not in wanted.values() and port_is_free(candidate):
            return candidate
    return port + 1


async def develop(args: argparse.Namespace) -> None:
    """Start the simulator and Home Assistant, onboard, add Moogo, then wait."""
    started = time.monotonic()
    state_dir: Path = args.state
    # A firmware install in the demo takes long enough to watch it happen.
    sim = MoogoSimulator.seeded_demo(
        reaction_delay=args.reaction_delay,
        firmware_install_seconds=30,
        page_size_limit=args.page_size_limit or None,
        app_limits=args.app_limits,
    )
    await sim.start(port=args.sim_port)
    hass = HomeAssistantProcess(state_dir / "config", args.port)
    api = HomeAssistantApi(hass.url)
    try:
        print(f"Moogo simulator on {sim.url}", flush=True)
        print(
            "Starting Home Assistant..."
            if frontend_installed()
            else "Starting Home Assistant (this first start installs its frontend)...",
            flush=True,
        )
        await hass.start()
        await api.onboard("Demo", HA_USER, HA_PASSWORD)
        what = await _ensure_moogo_entry(api, sim.url)
        devices = await _wait_for_entities(api)
        print(
            f"\nHome Assistant is ready at {hass.url} after {time.monotonic() - started:.0f} s"
            f"\n  log in as: {HA_USER} / {HA_PASSWORD}"
            f"\n  Moogo: {what}; {devices} devices"
            f" (demo account {DEMO_EMAIL} / {DEMO_PASSWORD})"
            "\n  add another entry by hand: Settings > Devices & services > Add integration"
            f" > Moogo, with API URL {sim.url} under Advanced options"
            f"\n  state: {state_dir} (reused next time); log: {hass.log_file}"
            "\nPress Ctrl-C to stop.",
            flush=True,
        )
        if not args.exit_when_ready:
            await asyncio.Event().wait()  # until a signal cancels this task
    finally:
        print("Stopping...", flush=True)
        try:
            await hass.stop(api)
        finally:
            await api.close()
            await sim.stop()


async def _run_until_signalled(args: argparse.Namespace) -> None:
    """Run the demo; SIGINT or SIGTERM (to this process alone) stops it whole.

    The signal cancels the demo wherever it is (even mid start-up), so its
    ``finally`` stops Home Assistant and the simulator; further signals during
    that clean-up are ignored rather than cutting it short.
    """
    task = asyncio.current_task()
    if task is None:  # pragma: no cover - always run as a task by asyncio.run
        raise RuntimeError("not running in a task")
    loop = asyncio.get_running_loop()
    stopping = False

    def _on_signal() -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            task.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, _on_signal)
    try:
        await develop(args)
    except asyncio.CancelledError:
        if not stopping:
            raise


def main() -> None:
    """Parse arguments and run the demo."""
    parser = argparse.ArgumentParser(
        prog="python -m moogo_devstack", description=__doc__
    )
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant port")
    parser.add_argument("--sim-port", type=int, default=8089, help="simulator port")
    parser.add_argument("--reaction-delay", type=float, default=3.0)
    parser.add_argument(
        "--page-size-limit",
        type=int,
        default=DEMO_PAGE_SIZE_LIMIT,
        help="at most this many items a simulator page (0: no cap); by default"
        " the demo's devices span two pages",
    )
    parser.add_argument(
        "--app-limits",
        action=argparse.BooleanOptionalAction,
        default=DEMO_APP_LIMITS,
        help="refuse what the Moogo app never sends (mists outside 20-120 s, a"
        " 21st schedule), as the real cloud may",
    )
    parser.add_argument(
        "--state", default=str(REPO_ROOT / ".develop"), help="state folder"
    )
    parser.add_argument(
        "--exit-when-ready", action="store_true", help="stop once the demo is ready"
    )
    args = parser.parse_args()
    args.state = Path(args.state).resolve()
    # Checked before anything starts: a busy port would otherwise end the demo
    # with a traceback, or midway with the simulator already up.
    if problems := busy_ports(args):
        raise SystemExit("\n".join(problems))
    asyncio.run(_run_until_signalled(args))


if __name__ == "__main__":
    main()
