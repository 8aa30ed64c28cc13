"""HTTP 429 is the cloud asking to slow down; its Retry-After is read, within reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
from aiohttp import web
import pytest

from custom_components.moogo.api import MoogoClient, MoogoRateLimitError, MoogoToken
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD

from .http_stub import serve


def _http_date(offset: timedelta) -> str:
    return format_datetime(datetime.now(UTC) + offset, usegmt=True)


async def _throttled(retry_after: str) -> MoogoRateLimitError:
    """The error a request gets from a server answering 429 with ``retry_after``."""

    async def handler(request: web.Request) -> web.Response:
        del request
        return web.json_response(
            {"code": 429, "message": "too many requests"},
            status=429,
            headers={"Retry-After": retry_after},
        )

    async with serve(handler) as stub, aiohttp.ClientSession() as session:
        client = MoogoClient(
            "e@example.com",
            "pw",
            session=session,
            base_url=stub.url,
            token=MoogoToken(token="T", user_id="1"),
        )
        with pytest.raises(MoogoRateLimitError) as caught:
            await client.get_devices()
    assert len(stub.seen) == 1  # never retried
    return caught.value


async def test_retry_after_as_an_http_date(socket_enabled: None) -> None:
    error = await _throttled(_http_date(timedelta(seconds=120)))
    assert error.retry_after is not None
    assert 110 <= error.retry_after <= 120
    assert error.http_status == 429
    assert "slow down" in str(error)


async def test_garbage_retry_after_is_unknown(socket_enabled: None) -> None:
    error = await _throttled("soon, maybe")
    assert error.retry_after is None
    assert str(error) == (
        "The Moogo cloud asks to slow down (HTTP 429): "
        "wait a while before the next request"
    )


async def test_simulated_throttling_on_sign_in_carries_the_wait(
    sim: MoogoSimulator,
) -> None:
    sim.faults.http_status = 429
    async with MoogoClient(TEST_EMAIL, TEST_PASSWORD, base_url=sim.url) as client:
        with pytest.raises(MoogoRateLimitError) as caught:
            await client.authenticate()
    assert caught.value.retry_after == 60


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("60", 60.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("90000", 86400.0),
        ("9" * 40, 86400.0),
        ("-5", None),
        ("1.5", None),
        ("1e3", None),
        ("", None),
        ("٣", None),
        ("Mon, 99 Foo 2026 00:00:00 GMT", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2099 07:28:00 GMT", 86400.0),
    ],
)
def test_retry_after_values(header: str, expected: float | None) -> None:
    with pytest.raises(MoogoRateLimitError) as caught:
        MoogoClient._decode("GET", "/x", 429, b"", {"Retry-After": header})
    assert caught.value.retry_after == expected


def test_retry_after_date_without_zone_is_utc() -> None:
    header = _http_date(timedelta(seconds=300)).replace("GMT", "-0000")
    with pytest.raises(MoogoRateLimitError) as caught:
        MoogoClient._decode("GET", "/x", 429, b"", {"Retry-After": header})
    assert caught.value.retry_after is not None
    assert 290 <= caught.value.retry_after <= 300


def test_429_without_retry_after() -> None:
    with pytest.raises(MoogoRateLimitError) as caught:
        MoogoClient._decode("GET", "/x", 429, b"")
    assert caught.value.retry_after is None
    assert caught.value.code == 429


async def test_login_lockout_keeps_its_own_message(sim: MoogoSimulator) -> None:
    sim.faults.rate_limit = True
    async with MoogoClient(TEST_EMAIL, TEST_PASSWORD, base_url=sim.url) as client:
        with pytest.raises(MoogoRateLimitError) as caught:
            await client.authenticate()
    assert caught.value.code == 10000
    assert caught.value.retry_after is None
    assert "locked the account for about 24 hours" in str(caught.value)


@pytest.mark.parametrize(
    ("retry_after", "held_for"),
    [
        # The cloud's wait, never shorter than the sign-in floor.
        ("60", timedelta(minutes=10)),
        ("3600", timedelta(hours=1)),
        # No wait named: it may be the day-long lockout, so none goes out.
        (None, timedelta(hours=24, minutes=15)),
    ],
)
async def test_throttled_sign_in_holds_sign_ins_for_the_named_wait(
    socket_enabled: None, retry_after: str | None, held_for: timedelta
) -> None:
    answers = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal answers
        del request
        answers += 1
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        return web.json_response({}, status=429, headers=headers)

    async with serve(handler) as stub, aiohttp.ClientSession() as session:
        client = MoogoClient("e@example.com", "pw", session=session, base_url=stub.url)
        before = datetime.now(UTC)
        with pytest.raises(MoogoRateLimitError) as caught:
            await client.authenticate()
        assert caught.value.code == 429
        blocked_until = client.login_blocked_until
        assert blocked_until is not None
        assert before + held_for <= blocked_until <= datetime.now(UTC) + held_for
        # Held back without asking: the stub hears one sign-in, not two.
        with pytest.raises(MoogoRateLimitError):
            await client.authenticate()
    assert answers == 1


def test_throttled_tells_http_429_from_the_lockout() -> None:
    with pytest.raises(MoogoRateLimitError) as caught:
        MoogoClient._decode("GET", "/x", 429, b"")
    assert caught.value.throttled
    lockout = MoogoRateLimitError("locked", code=10000, http_status=200)
    assert not lockout.throttled
