"""No redirect is followed: the token and the password stay with the API host."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
import pytest

from custom_components.moogo.api import (
    MoogoClient,
    MoogoConnectionError,
    MoogoError,
    MoogoToken,
)
from custom_components.moogo.api.exceptions import MoogoRedirectError

from .http_stub import Stub, serve

TOKEN = "SECRET-TOKEN-123"
PASSWORD = "s3cret-pw"
REDIRECTS = [301, 302, 303, 307, 308]


@pytest.fixture
async def other_host(socket_enabled: None) -> AsyncIterator[Stub]:
    """Where the redirects point: it must never hear from the client."""
    async with serve() as stub:
        yield stub


def redirecting(status: int, location: str) -> web.StreamResponse:
    """An answer with a 3xx status pointing at ``location``."""
    return web.Response(status=status, headers={"Location": location})


def _client_of(session: aiohttp.ClientSession, url: str) -> MoogoClient:
    return MoogoClient(
        "victim@example.com",
        PASSWORD,
        session=session,
        base_url=url,
        token=MoogoToken(token=TOKEN, user_id="1"),
    )


@pytest.mark.parametrize("status", REDIRECTS)
async def test_redirect_of_a_request_is_not_followed(
    other_host: Stub, status: int
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return redirecting(status, f"{other_host.url}{request.path}")

    async with serve(handler) as api, aiohttp.ClientSession() as session:
        client = _client_of(session, api.url)
        with pytest.raises(MoogoRedirectError) as caught:
            await client.get_devices()

    # The API host got the token once; the other host got nothing at all.
    assert [seen.headers.get("token") for seen in api.seen] == [TOKEN]
    assert other_host.seen == []
    error = caught.value
    assert isinstance(error, MoogoConnectionError)
    assert error.http_status == status
    assert f"HTTP {status}, a redirect to {other_host.url}" in str(error)
    assert TOKEN not in str(error)


@pytest.mark.parametrize("status", REDIRECTS)
async def test_redirect_of_the_sign_in_does_not_resend_the_password(
    other_host: Stub, status: int
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return redirecting(status, f"{other_host.url}{request.path}")

    async with serve(handler) as api, aiohttp.ClientSession() as session:
        client = _client_of(session, api.url)
        client.restore_token(None)
        with pytest.raises(MoogoRedirectError) as caught:
            await client.authenticate()

    # The login body went out once, to the API host, and nowhere else.
    assert [seen.raw_path for seen in api.seen] == ["/v1/user/login"]
    assert PASSWORD.encode() in api.seen[0].body
    assert other_host.seen == []
    assert client.token is None
    assert PASSWORD not in str(caught.value)
    assert "redirect" in str(caught.value)


async def test_redirect_to_another_scheme_shows_only_the_origin(
    other_host: Stub,
) -> None:
    # As an https API redirected to plain http: the target's scheme and host
    # are named; its user info, path and query (anything may hide there) not.
    host_port = other_host.url.removeprefix("http://")
    location = f"ftp://user:hunter2@{host_port}/v1/devices?token={TOKEN}#frag"

    async def handler(request: web.Request) -> web.StreamResponse:
        del request
        return redirecting(308, location)

    async with serve(handler) as api, aiohttp.ClientSession() as session:
        client = _client_of(session, api.url)
        with pytest.raises(MoogoRedirectError) as caught:
            await client.get_device("MG1")

    message = str(caught.value)
    assert f"HTTP 308, a redirect to ftp://{host_port}, on GET /v1/devices/MG1" in (
        message
    )
    for secret in ("hunter2", "user", TOKEN, "token=", "frag"):
        assert secret not in message
    assert other_host.seen == []


async def test_same_host_redirect_is_not_followed_either(socket_enabled: None) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/elsewhere":
            return web.json_response({"code": 0, "data": {"items": []}})
        return redirecting(302, "/elsewhere")

    async with serve(handler) as api, aiohttp.ClientSession() as session:
        client = _client_of(session, api.url)
        with pytest.raises(MoogoRedirectError, match="HTTP 302, a redirect, on GET"):
            await client.get_liquids()

    assert [seen.raw_path for seen in api.seen] == ["/v1/liquid"]


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        (None, "a redirect, on"),
        ("", "a redirect, on"),
        ("http://[::1/broken", "a redirect, on"),
        (
            "https://api.example.com:8443/x?token=T",
            "a redirect to https://api.example.com:8443, on",
        ),
    ],
)
def test_decoder_names_a_redirect_without_its_location_details(
    location: str | None, shown: str
) -> None:
    headers = {} if location is None else {"Location": location}
    with pytest.raises(MoogoError) as caught:
        MoogoClient._decode("GET", "/v1/devices", 304, b"", headers)
    assert isinstance(caught.value, MoogoRedirectError)
    assert f"HTTP 304, {shown} GET /v1/devices" in str(caught.value)
    assert "token" not in str(caught.value)
