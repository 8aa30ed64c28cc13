"""Four ways to give the Moogo client an HTTP session, shown end to end.

The client is the ``aiomoogo`` package (``pip install <this repository>``, or
the wheel built from it). In a checkout, ``examples/aiomoogo`` links to the
same files, ``custom_components/moogo/api``, so this runs without installing
anything; it needs no arguments and no network::

    python examples/session_injection.py

By default a Moogo cloud simulator (the repository's ``moogo_sim``) is started
in this process on 127.0.0.1 with a demo account (and a neighbour's account
for pattern 3). Point it at another server with ``--url`` (for example
``python -m moogo_sim``); it then signs in with the simulator's demo account
unless ``--email`` and ``--password`` are given, and runs pattern 3 only when
a second account is given with ``--other-email`` and ``--other-password``.
With ``--url`` only ``aiomoogo`` and aiohttp are needed.

The patterns:

1. client-managed session: ``async with MoogoClient(...)`` creates a session
   on first use and closes it on the way out;
2. injected session (what the Home Assistant integration does): the caller
   owns the session, the client never closes it;
3. several clients, one per account, sharing one session without seeing
   each other's devices or tokens;
4. real use: authenticate, list devices, start and stop a spray, then export
   the token and restore it in a new client without signing in again.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path
import sys
import time
from types import SimpleNamespace

import aiohttp
import aiomoogo
from aiomoogo import Device, MoogoClient, MoogoError, MoogoToken

REPO_ROOT = Path(__file__).resolve().parent.parent
# The simulator's published demo account (moogo_sim.DEMO_EMAIL / DEMO_PASSWORD).
DEMO_EMAIL = "demo@moogo.example"
DEMO_PASSWORD = "demo-password"
NEIGHBOUR_EMAIL = "neighbour@moogo.example"
NEIGHBOUR_PASSWORD = "neighbour-password"
MIST_REACTION_TIMEOUT = 20.0


def heading(text: str) -> None:
    """Print a pattern heading."""
    print(f"\n=== {text} ===")


def show(label: str, value: object) -> None:
    """Print one indented fact."""
    print(f"  {label}: {value}")


def state_of(session: aiohttp.ClientSession | None) -> str:
    """Describe a session as open, closed or not created yet."""
    if session is None:
        return "none (not created yet)"
    return "closed" if session.closed else "open"


def owned_session(client: MoogoClient) -> aiohttp.ClientSession | None:
    """Peek at the session a client made for itself (for this demo only).

    The client has no public accessor on purpose: its own session is its
    business. Reading the private attribute here just proves the point.
    """
    session: aiohttp.ClientSession | None = client._session  # noqa: SLF001
    return session


def names(devices: Sequence[Device]) -> str:
    """Return device names for printing."""
    return ", ".join(device.name or device.device_id for device in devices) or "-"


def login_counting_session() -> tuple[aiohttp.ClientSession, list[str]]:
    """Return a session that notes every login request sent through it."""
    logins: list[str] = []

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        if params.url.path.endswith("/v1/user/login"):
            logins.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return aiohttp.ClientSession(trace_configs=[trace]), logins


# -- the four patterns ---------------------------------------------------------------


async def client_managed_session(url: str, email: str, password: str) -> None:
    """Pattern 1: no session given; the client creates and closes its own."""
    heading("Pattern 1: client-managed session (async with MoogoClient(...))")
    async with MoogoClient(email, password, base_url=url, timeout=10) as client:
        show("has_injected_session", client.has_injected_session)
        show("session before the first request", state_of(owned_session(client)))
        devices = await client.get_devices()
        show("devices", names(devices))
        session = owned_session(client)
        show("session after the first request", state_of(session))
    show("session after leaving 'async with'", state_of(session))


async def injected_session(url: str, email: str, password: str) -> None:
    """Pattern 2: the caller owns the session (Home Assistant's shared session)."""
    heading("Pattern 2: injected session (the Home Assistant pattern)")
    # Create sessions inside a running event loop, as here.
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=10)
    ) as session:
        client = MoogoClient(email, password, session=session, base_url=url)
        show("has_injected_session", client.has_injected_session)
        show("devices", names(await client.get_devices()))
        await client.close()
        show("session after client.close()", f"still {state_of(session)}")
        # The owner keeps using the session for other work.
        async with session.get(f"{client.base_url}/v1/liquid") as response:
            body = await response.json()
        show("owner's own request on the same session", f"HTTP {response.status}")
        show("liquids listed", len(body.get("data") or []))
    show("session after the owner closed it", state_of(session))


async def shared_session(url: str, accounts: Sequence[tuple[str, str]]) -> None:
    """Pattern 3: one session, one client per account, nothing shared."""
    heading("Pattern 3: several clients sharing one session")
    if len(accounts) < 2:
        show("skipped", "give a second account with --other-email/--other-password")
        return
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=10)
    ) as session:
        clients = [
            MoogoClient(email, password, session=session, base_url=url)
            for email, password in accounts
        ]
        # Both accounts' requests interleave on the same connection pool.
        results = await asyncio.gather(*(client.get_devices() for client in clients))
        for (email, _), devices in zip(accounts, results, strict=True):
            show(f"{email} sees", names(devices))
        seen = [{device.device_id for device in devices} for devices in results]
        show("devices in common", len(seen[0] & seen[1]))
        show("cookies in the shared session", len(session.cookie_jar))
        show(
            "token in the session's default headers",
            "token" in {key.lower() for key in session.headers},
        )
        for client in clients:
            await client.close()
        show("shared session after closing both clients", state_of(session))


async def wait_for_misting(
    client: MoogoClient, device_id: str, expected: bool
) -> float:
    """Poll until the device reports ``expected``; return the seconds it took."""
    started = time.monotonic()
    while True:
        if (await client.get_device(device_id)).misting is expected:
            return time.monotonic() - started
        if time.monotonic() - started > MIST_REACTION_TIMEOUT:
            raise TimeoutError(f"device {device_id} did not react in time")
        await asyncio.sleep(0.5)


async def real_use(url: str, email: str, password: str) -> None:
    """Pattern 4: authentication, devices, a spray, token export and restore."""
    heading("Pattern 4: real use with authentication")
    session, logins = login_counting_session()
    async with session:
        saved: list[MoogoToken] = []
        client = MoogoClient(
            email,
            password,
            session=session,
            base_url=url,
            # Called after every login: the place to persist the new token.
            on_token_update=saved.append,
        )
        token = await client.authenticate()
        show("logged in as user", token.user_id)
        show(
            "token expires",
            token.expires_at.isoformat() if token.expires_at else "never",
        )

        devices = await client.get_devices()
        for device in devices:
            state = "online" if device.online else "offline"
            show(f"device {device.device_id}", f"{device.name} ({state})")

        target = next((device for device in devices if device.online), None)
        if target is None:
            show("spray", "skipped: no online device")
        else:
            await client.start_mist(target.device_id)
            took = await wait_for_misting(client, target.device_id, True)
            show(f"start_mist({target.device_id})", f"spraying after {took:.1f} s")
            await client.stop_mist(target.device_id)
            took = await wait_for_misting(client, target.device_id, False)
            show(f"stop_mist({target.device_id})", f"idle after {took:.1f} s")
        await client.close()

        # What an application stores (Home Assistant: in the config entry).
        stored = saved[-1].as_dict()
        show("exported token fields", ", ".join(sorted(stored)))
        logins_before = len(logins)

        restored = MoogoClient(
            email,
            password,
            session=session,
            base_url=url,
            token=MoogoToken.from_dict(stored),
        )
        show("restored client sees", names(await restored.get_devices()))
        show("logins after restoring the token", len(logins) - logins_before)
        show("logins in this pattern", len(logins))
        await restored.close()


# -- running -------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", help="use this Moogo API instead of an in-process simulator"
    )
    parser.add_argument("--email", help="account email (default: the demo account)")
    parser.add_argument("--password", help="account password")
    parser.add_argument("--other-email", help="a second account, for pattern 3")
    parser.add_argument("--other-password", help="the second account's password")
    return parser.parse_args(argv)


async def run_patterns(
    url: str, email: str, password: str, other: tuple[str, str] | None
) -> None:
    """Run the four patterns against ``url``."""
    await client_managed_session(url, email, password)
    await injected_session(url, email, password)
    accounts = [(email, password)] + ([other] if other else [])
    await shared_session(url, accounts)
    await real_use(url, email, password)


async def run_in_process_simulator(email: str, password: str) -> None:
    """Run the patterns against the repository's simulator, started here."""
    # The simulator is a development tool of the repository, not part of the
    # client package: it sits at the repository root, beside examples/.
    sys.path.insert(0, str(REPO_ROOT))
    from moogo_sim import MoogoSimulator  # noqa: PLC0415

    # A short reaction delay keeps the demo quick but still shows that spray
    # commands take effect a moment after they are acknowledged.
    sim = MoogoSimulator.seeded_demo(reaction_delay=1.0)
    sim.add_account(NEIGHBOUR_EMAIL, NEIGHBOUR_PASSWORD)
    sim.add_device(NEIGHBOUR_EMAIL, name="Neighbour's Mister")
    async with sim:
        print(f"Cloud: in-process simulator at {sim.url} (account {email})")
        await run_patterns(
            sim.url, email, password, (NEIGHBOUR_EMAIL, NEIGHBOUR_PASSWORD)
        )


async def main(argv: Sequence[str] | None = None) -> int:
    """Run the example; return the process exit code."""
    args = parse_args(argv)
    email = args.email or DEMO_EMAIL
    password = args.password or DEMO_PASSWORD
    other = (
        (args.other_email, args.other_password)
        if args.other_email and args.other_password
        else None
    )
    print("Moogo client: session injection example")
    print(f"Client package: aiomoogo from {Path(aiomoogo.__file__).parent}")
    try:
        if args.url:
            print(f"Cloud: {args.url} (account {email})")
            await run_patterns(args.url, email, password, other)
        else:
            await run_in_process_simulator(email, password)
    except (MoogoError, TimeoutError) as err:
        print(f"\nFailed: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(
        "\nHome Assistant imported:", "yes" if "homeassistant" in sys.modules else "no"
    )
    print("All four patterns ran.")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
