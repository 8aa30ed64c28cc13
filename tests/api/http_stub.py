"""A tiny real HTTP server on 127.0.0.1 for answers the simulator has no knob for.

It records every request it gets (method, raw path, headers, body) and
answers each with the handler the test gives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Seen:
    """One request as it reached the server."""

    method: str
    raw_path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Stub:
    """A running stub server: its URL and what it has been sent."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)


async def ok(request: web.Request) -> web.Response:
    """Answer like the cloud does when all is well (a login answer's shape)."""
    del request
    return web.json_response(
        {"code": 0, "data": {"token": "stub-token", "userId": "1", "items": []}}
    )


@asynccontextmanager
async def serve(handler: Handler = ok) -> AsyncIterator[Stub]:
    """Run a server answering every method and path with ``handler``."""
    stub = Stub()

    async def record(request: web.Request) -> web.StreamResponse:
        stub.seen.append(
            Seen(
                request.method,
                request.raw_path,
                dict(request.headers),
                await request.read(),
            )
        )
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stub.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield stub
    finally:
        await runner.cleanup()
