"""Command line: run the demo cloud until SIGINT / SIGTERM.

    python -m moogo_sim --port 8089 --reaction-delay 3 --latency 0.05

Prints one line with the URL and the demo credentials once it listens, so a
parent process can wait for it; exits 0 on SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
import logging
import signal
import sys

from .demo import DEMO_APP_LIMITS, DEMO_EMAIL, DEMO_PAGE_SIZE_LIMIT, DEMO_PASSWORD
from .simulator import MoogoSimulator

# The numeric options, in the order --help lists them: flag, type, default, help.
_NUMBERS: tuple[tuple[str, type[float | int], float, str], ...] = (
    ("--port", int, 8089, "0 picks a free port"),
    (
        "--reaction-delay",
        float,
        3.0,
        "seconds before runStatus reflects a start/stop command",
    ),
    (
        "--firmware-install-seconds",
        float,
        30.0,
        "seconds a device stays offline while it installs firmware",
    ),
    ("--latency", float, 0.0, "seconds added to every request"),
    ("--error-rate", float, 0.0, "fraction of requests answered 500"),
    ("--seed", int, 0, "seed of the error-rate draws"),
    ("--devices", int, 0, "extra online demo devices to add"),
    (
        "--page-size-limit",
        int,
        DEMO_PAGE_SIZE_LIMIT,
        (
            "at most this many items a page, whatever pageSize asks (0: no cap);"
            " the default makes the demo's devices span two pages"
        ),
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m moogo_sim",
        description="Run a local Moogo cloud simulator with a demo account.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    for flag, kind, default, text in _NUMBERS:
        parser.add_argument(flag, type=kind, default=default, help=text)
    parser.add_argument(
        "--ms-timestamps",
        action="store_true",
        help="send every time (latestSprayingEnd, schedules, spray history) in"
        " milliseconds",
    )
    parser.add_argument(
        "--app-limits",
        action=argparse.BooleanOptionalAction,
        default=DEMO_APP_LIMITS,
        help="refuse what the app never sends: a duration or sprayingSeconds"
        " outside 20-120 s, a 21st schedule on a device (on by default;"
        " --no-app-limits accepts them, as the real cloud may)",
    )
    parser.add_argument(
        "--token-ttl", type=int, default=31536000, help="token lifetime in seconds"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="logging level (logs go to stderr)",
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse and check the command line."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.error_rate <= 1:
        parser.error("--error-rate must be between 0 and 1")
    if (
        min(
            args.latency,
            args.reaction_delay,
            args.devices,
            args.firmware_install_seconds,
            args.page_size_limit,
        )
        < 0
    ):
        parser.error(
            "--latency, --reaction-delay, --firmware-install-seconds, --devices"
            " and --page-size-limit must not be negative"
        )
    return args


def create_simulator(args: argparse.Namespace) -> MoogoSimulator:
    """Return the demo simulator configured from the command line."""
    sim = MoogoSimulator.seeded_demo(
        extra_devices=args.devices,
        reaction_delay=args.reaction_delay,
        token_ttl=args.token_ttl,
        firmware_install_seconds=args.firmware_install_seconds,
        page_size_limit=args.page_size_limit or None,
        app_limits=args.app_limits,
    )
    sim.faults.update(
        {
            "latency": args.latency,
            "error_rate": args.error_rate,
            "ms_timestamps": args.ms_timestamps,
            "seed": args.seed,
        }
    )
    return sim


def _print_line(line: str) -> None:
    # Flushed at once: a parent process waits for this line on a pipe.
    print(line, flush=True)


async def serve(
    args: argparse.Namespace,
    *,
    announce: Callable[[str], None] = _print_line,
    stop_event: asyncio.Event | None = None,
) -> int:
    """Run the simulator until SIGINT / SIGTERM (or ``stop_event``); return 0.

    The previous signal handlers are restored afterwards, so this can run
    inside a larger program (or a test) without leaving traces.
    """
    stop = stop_event if stop_event is not None else asyncio.Event()
    loop = asyncio.get_running_loop()
    sim = create_simulator(args)
    previous_handlers = []
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous_handlers.append((signum, signal.getsignal(signum)))
            loop.add_signal_handler(signum, stop.set)
        await sim.start(args.host, args.port)
        announce(
            f"Moogo simulator on {sim.url} "
            f"(demo account {DEMO_EMAIL} / {DEMO_PASSWORD})"
        )
        await stop.wait()
    finally:
        for signum, previous in previous_handlers:
            loop.remove_signal_handler(signum)
            if previous is not None:
                signal.signal(signum, previous)
        await sim.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m moogo_sim``."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main())
