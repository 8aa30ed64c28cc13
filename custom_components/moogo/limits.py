"""Time limits on client calls, shared by the config flow, coordinator and entities."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta

from .api import MoogoConnectionError

NO_ANSWER = "the Moogo cloud did not answer in time"


async def bounded[T](call: Awaitable[T], limit: timedelta) -> T:
    """Await a client call for at most ``limit``.

    HA's shared session has no useful timeout and the client leaves an
    injected session's timeout alone, so the integration bounds its calls.
    Running out of time is the client's connection error, handled like any.
    """
    try:
        async with asyncio.timeout(limit.total_seconds()):
            return await call
    except TimeoutError as err:
        raise MoogoConnectionError(NO_ANSWER) from err
