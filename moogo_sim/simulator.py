"""The simulator: the simulated cloud served over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from types import TracebackType
from typing import Self, TypedDict, Unpack

from aiohttp import web

from .admin import AdminHandlers
from .cloud import SimCloud
from .demo import populate_demo
from .server import ApiHandlers, build_middleware

_LOGGER = logging.getLogger(__name__)

#: How long stop() lets in-flight requests finish before cancelling them.
_SHUTDOWN_TIMEOUT = 1.0


class SimulatorOptions(TypedDict, total=False):
    """Keyword arguments of :class:`MoogoSimulator` (for ``seeded_demo``)."""

    reaction_delay: float
    clock: Callable[[], float]
    token_ttl: int
    lockout_after: int
    lockout_seconds: int
    firmware_install_seconds: float
    page_size_limit: int | None
    config_writes_replace: bool
    app_limits: bool


class MoogoSimulator(SimCloud):
    """A local, faithful Moogo cloud on 127.0.0.1 for tests and demos.

    All state is evaluated lazily from ``clock`` on each request; there are
    no background timers, so ``stop()`` leaves nothing behind.
    """

    _runner: web.AppRunner | None = None
    _host = "127.0.0.1"
    _port: int | None = None

    @classmethod
    def seeded_demo(
        cls, *, extra_devices: int = 0, **kwargs: Unpack[SimulatorOptions]
    ) -> MoogoSimulator:
        """Return a simulator with the demo account and its three devices.

        ``DEMO_EMAIL`` / ``DEMO_PASSWORD`` own "Patio Mister" (online, idle,
        its next run skipped, a firmware update offered), "Garden Mister" (online, water tank empty,
        master schedule switch off) and "Garage Mister" (offline, firmware
        update available), each with schedules, Patio and Garden with a week
        of spray history; ``extra_devices`` adds more online, idle ones.
        The demo servers add ``page_size_limit=DEMO_PAGE_SIZE_LIMIT`` and
        ``app_limits=DEMO_APP_LIMITS``; tests choose their own.
        """
        sim = cls(**kwargs)
        populate_demo(sim, extra_devices)
        return sim

    # -- server lifecycle ---------------------------------------------------

    def build_app(self) -> web.Application:
        """Return the aiohttp application serving this simulator."""
        app = web.Application(middlewares=[build_middleware(self)])
        app.add_routes(ApiHandlers(self).routes())
        app.add_routes(AdminHandlers(self).routes())
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        self._stopping = asyncio.Event()
        runner = web.AppRunner(
            self.build_app(),
            handle_signals=False,
            # aiohttp's access log breaks under freezegun (HA tests freeze time)
            # and adds nothing the request counters do not already show.
            access_log=None,
            # A client that gives up (timeout) cancels its handler, so a
            # latency fault never outlives the request that suffered it.
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        self.base_url = self.url
        _LOGGER.info("Moogo simulator listening on %s", self.url)

    async def stop(self) -> None:
        """Close the listener and every connection; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            self._stopping.set()
            await runner.cleanup()
            _LOGGER.info("Moogo simulator on %s stopped", self.url)

    @property
    def port(self) -> int:
        """The TCP port listened on; RuntimeError before ``start()``."""
        if self._port is None:
            raise RuntimeError("simulator not started")
        return self._port

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8089``."""
        return f"http://{self._host}:{self.port}"

    async def __aenter__(self) -> Self:
        """Start on 127.0.0.1 with a free port."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()
