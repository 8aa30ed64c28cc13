"""The client bounds every request itself, whoever owns the session."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
import pytest

from custom_components.moogo.api import (
    DEFAULT_TIMEOUT,
    MoogoClient,
    MoogoConnectionError,
    MoogoToken,
)
from custom_components.moogo.api.transport import Transport

from .http_stub import serve

TOKEN = MoogoToken(token="T", user_id="1")


async def _slow(request: web.Request) -> web.Response:
    del request
    await asyncio.sleep(1)  # far past the limits below; short so the stub can stop
    return web.json_response({"code": 0, "data": {"items": [], "total": 0}})


@pytest.mark.parametrize("session_timeout", [None, aiohttp.ClientTimeout(total=None)])
async def test_request_timeout_bounds_a_request_on_any_session(
    socket_enabled: None, session_timeout: aiohttp.ClientTimeout | None
) -> None:
    """HA's shared session waits five minutes; the client's own limit is shorter."""
    kwargs = {} if session_timeout is None else {"timeout": session_timeout}
    async with serve(_slow) as stub, aiohttp.ClientSession(**kwargs) as session:
        client = MoogoClient(
            "e@example.com",
            "pw",
            session=session,
            base_url=stub.url,
            token=TOKEN,
            request_timeout=0.2,
        )
        with pytest.raises(MoogoConnectionError, match="Timed out on GET"):
            await client.get_devices()


async def test_injected_session_timeout_governs_without_request_timeout(
    socket_enabled: None,
) -> None:
    """The founding guide's rule: the caller's ClientTimeout, not ``timeout``."""
    async with (
        serve(_slow) as stub,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.2)) as session,
    ):
        client = MoogoClient(
            "e@example.com",
            "pw",
            session=session,
            base_url=stub.url,
            token=TOKEN,
            timeout=60,
        )
        with pytest.raises(MoogoConnectionError, match="Timed out on GET"):
            await client.get_devices()


async def test_own_session_uses_timeout(socket_enabled: None) -> None:
    async with (
        serve(_slow) as stub,
        MoogoClient(
            "e@example.com", "pw", base_url=stub.url, token=TOKEN, timeout=0.2
        ) as client,
    ):
        with pytest.raises(MoogoConnectionError, match="Timed out on GET"):
            await client.get_devices()


@pytest.mark.parametrize(
    ("request_timeout", "session_timeout", "limit"),
    [
        (3.0, aiohttp.ClientTimeout(total=120), 3.0),
        (None, aiohttp.ClientTimeout(total=120), 120.0),
        (None, aiohttp.ClientTimeout(total=None), DEFAULT_TIMEOUT),
        (None, aiohttp.ClientTimeout(total=0), DEFAULT_TIMEOUT),
    ],
)
async def test_time_limit_of_an_injected_session(
    request_timeout: float | None,
    session_timeout: aiohttp.ClientTimeout,
    limit: float,
) -> None:
    async with aiohttp.ClientSession(timeout=session_timeout) as session:
        transport = Transport(
            session=session,
            timeout=60,
            base_url="https://example.invalid",
            request_timeout=request_timeout,
        )
        assert transport._time_limit(session) == limit
