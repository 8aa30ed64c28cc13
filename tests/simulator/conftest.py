"""Fixtures of the simulator tests: plain aiohttp against a real server."""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy
import pytest

from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD

#: Token placeholder meaning "the token of the last login".
_LAST = object()


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
        form: dict[str, str] | None = None,
        raw: str | None = None,
        params: dict[str, str] | None = None,
        token: Any = _LAST,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """Send one request and return the answer.

        The body is ``json_body`` (JSON), ``form`` (form fields) or ``raw``
        (text, sent as JSON unless ``headers`` name another Content-Type).
        """
        all_headers = dict(headers or {})
        chosen = self.token if token is _LAST else token
        if chosen is not None:
            all_headers["token"] = chosen
        kwargs: dict[str, Any] = {"headers": all_headers, "params": params}
        if raw is not None:
            kwargs["data"] = raw
            all_headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            # aiohttp sends a dict as application/x-www-form-urlencoded.
            kwargs["data"] = form
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
def api(http_session: aiohttp.ClientSession, moogo_simulator: MoogoSimulator) -> Api:
    """Raw HTTP access to the shared ``moogo_simulator`` (real clock, no delay)."""
    return Api(http_session, moogo_simulator)


@pytest.fixture
def clocked_api(
    http_session: aiohttp.ClientSession, clocked_sim: MoogoSimulator
) -> Api:
    """Raw HTTP access to ``clocked_sim``."""
    return Api(http_session, clocked_sim)
