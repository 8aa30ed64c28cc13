"""Fixtures of the simulator tests: plain aiohttp against a real server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy
import pytest

from moogo_sim import MoogoSimulator
from tests.const import TEST_EMAIL, TEST_PASSWORD

#: 2026-06-01 12:00:00 UTC, a Monday (05:00 in America/Los_Angeles).
START_TIME = 1_780_315_200.0

#: Token placeholder meaning "the token of the last login".
_LAST = object()


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: float = START_TIME

    def __call__(self) -> float:
        """Return the current fake Unix time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


@dataclass
class Reply:
    """What the simulator answered."""

    status: int
    text: str
    headers: CIMultiDictProxy[str]
    body: Any = field(init=False)

    def __post_init__(self) -> None:
        try:
            self.body = json.loads(self.text)
        except ValueError:
            self.body = None

    @property
    def code(self) -> int:
        """The envelope code."""
        return int(self.body["code"])

    @property
    def data(self) -> Any:
        """The envelope data."""
        return self.body["data"]


class Api:
    """A tiny raw HTTP caller (the real client is tested elsewhere)."""

    def __init__(self, session: aiohttp.ClientSession, sim: MoogoSimulator) -> None:
        self.session = session
        self.sim = sim
        self.token: str | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        raw: str | None = None,
        params: dict[str, str] | None = None,
        token: Any = _LAST,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """Send one request and return the answer."""
        all_headers = dict(headers or {})
        chosen = self.token if token is _LAST else token
        if chosen is not None:
            all_headers["token"] = chosen
        kwargs: dict[str, Any] = {"headers": all_headers, "params": params}
        if raw is not None:
            kwargs["data"] = raw
            all_headers.setdefault("Content-Type", "application/json")
        elif json_body is not None:
            kwargs["json"] = json_body
        async with self.session.request(method, self.sim.url + path, **kwargs) as resp:
            return Reply(resp.status, await resp.text(), resp.headers)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("PUT", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("DELETE", path, **kwargs)

    async def login(
        self, email: str = TEST_EMAIL, password: str = TEST_PASSWORD
    ) -> str:
        """Log in, remember the token for later calls and return it."""
        reply = await self.post(
            "/v1/user/login",
            json_body={"email": email, "password": password, "keep": True},
            token=None,
        )
        assert reply.status == 200, reply.text
        assert reply.code == 0, reply.text
        self.token = reply.data["token"]
        return str(self.token)


@pytest.fixture
async def http(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client session, closed after the test."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def api(http: aiohttp.ClientSession, moogo_simulator: MoogoSimulator) -> Api:
    """Raw HTTP access to the shared ``moogo_simulator`` (real clock, no delay)."""
    return Api(http, moogo_simulator)


@pytest.fixture
def device_ids(moogo_simulator: MoogoSimulator) -> list[str]:
    """The test account's device ids, in creation order."""
    return [device.device_id for device in moogo_simulator.devices_of(TEST_EMAIL)]


@pytest.fixture
def clock() -> FakeClock:
    """A hand-driven clock."""
    return FakeClock()


@pytest.fixture
async def clocked_sim(
    socket_enabled: None, clock: FakeClock
) -> AsyncIterator[MoogoSimulator]:
    """A running simulator on the fake clock with the default 3 s reaction delay.

    Short token lifetime and lockout so that expiry tests read naturally.
    """
    sim = MoogoSimulator(
        reaction_delay=3.0,
        clock=clock,
        token_ttl=3600,
        lockout_after=5,
        lockout_seconds=600,
    )
    sim.add_account(TEST_EMAIL, TEST_PASSWORD)
    sim.add_device(TEST_EMAIL, name="Front Yard", spraying_seconds=60)
    sim.add_device(TEST_EMAIL, name="Back Yard")
    async with sim:
        yield sim


@pytest.fixture
def clocked_api(http: aiohttp.ClientSession, clocked_sim: MoogoSimulator) -> Api:
    """Raw HTTP access to ``clocked_sim``."""
    return Api(http, clocked_sim)


@pytest.fixture
def clocked_device(clocked_sim: MoogoSimulator) -> str:
    """The id of the first device of ``clocked_sim`` (60 s sprays)."""
    return clocked_sim.devices_of(TEST_EMAIL)[0].device_id
