"""The client's HTTP layer: one aiohttp session, one exchange, one decoded envelope.

Every failure leaves here as a typed error; a rejected token as
:class:`TokenRejectedError`, which the sign-in layer (``auth.py``) turns into
one new login or an authentication error.
"""

from __future__ import annotations

from collections.abc import Mapping
import json
import logging
from typing import TYPE_CHECKING, Any, Self, override

import aiohttp

from .const import (
    CODE_BAD_CREDENTIALS,
    CODE_DEVICE_OFFLINE,
    CODE_NOT_FOUND,
    CODE_OK,
    CODE_RATE_LIMITED,
    CODE_SERVER_ERROR,
    CODE_UNAUTHORIZED,
    TOKEN_HEADER,
)
from .exceptions import (
    MoogoApiError,
    MoogoAuthError,
    MoogoConnectionError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoNotFoundError,
    MoogoRateLimitError,
    MoogoResponseError,
    MoogoSessionClosedError,
)
from .models import MoogoToken

if TYPE_CHECKING:
    from types import TracebackType

_LOGGER = logging.getLogger(__name__)

# What a caller who owns the session has to change (the guide's pitfall).
_CLOSE_ORDER_HINT = (
    "Close the client (await client.close()) before closing the session you gave it"
)


class TokenRejectedError(MoogoError):
    """Internal: the cloud refused the token; the caller may log in once more."""


def _envelope_error(code: int, message: str) -> MoogoError:
    """Map a Moogo envelope code to the typed error for it."""
    if code == CODE_UNAUTHORIZED:
        return TokenRejectedError("Token rejected", code=code)
    if code == CODE_BAD_CREDENTIALS:
        return MoogoAuthError("Wrong email or password", code=code)
    if code == CODE_RATE_LIMITED:
        return MoogoRateLimitError(
            "Too many logins: the Moogo cloud has locked the account for about 24 hours",
            code=code,
        )
    if code == CODE_DEVICE_OFFLINE:
        return MoogoDeviceOfflineError("The device is offline", code=code)
    if code == CODE_NOT_FOUND:
        return MoogoNotFoundError("Unknown device or schedule", code=code)
    if code >= CODE_SERVER_ERROR and code < 600:
        return MoogoConnectionError(f"Moogo cloud server error {code}", code=code)
    # The server's message is shown for codes we have no type for; it comes from
    # the cloud, never from our request, so it holds no credential.
    return MoogoApiError(f"Moogo cloud refused the request: {message[:200]}", code=code)


def _code_from_text(text: str) -> int | str:
    """Read an envelope code sent as text ("0", "10201"); else keep the text.

    Only short ASCII digit strings count: ``str.isdigit`` also accepts
    characters such as "²" that ``int()`` refuses, and ``int()`` refuses
    strings longer than its digit limit.
    """
    stripped = text.strip()
    digits = stripped.removeprefix("-")
    if digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(stripped)
    return text


class Transport:
    """The HTTP session of one client and the exchanges made on it."""

    def __init__(
        self, *, session: aiohttp.ClientSession | None, timeout: float, base_url: str
    ) -> None:
        """Keep the session (or None: create one on first use); no I/O yet."""
        self._session = session
        self._owns_session = session is None
        self._timeout = timeout
        self._base_url = base_url.rstrip("/")

    @override
    def __repr__(self) -> str:
        """Describe the client without its credentials."""
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    @property
    def has_injected_session(self) -> bool:
        """Whether the HTTP session was given by the caller (who closes it)."""
        return not self._owns_session

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._base_url

    async def close(self) -> None:
        """Close the client's own session; an injected session stays open."""
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def __aenter__(self) -> Self:
        """Enter ``async with``; nothing to open eagerly."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Leave ``async with`` by closing what the client owns."""
        await self.close()

    def _http_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            # Only reachable for an owned session: create it lazily, inside the loop.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        elif self._session.closed:
            if self._owns_session:
                self._session = aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=self._timeout)
                )
            else:
                raise MoogoSessionClosedError(
                    "The HTTP session given to the Moogo client was already closed. "
                    + _CLOSE_ORDER_HINT
                )
        return self._session

    async def _send(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None,
        token: MoogoToken | None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """Do one HTTP exchange and decode the Moogo envelope; all errors typed."""
        session = self._http_session()
        headers = {"Accept": "application/json"}
        if token is not None:
            headers[TOKEN_HEADER] = token.token
        url = f"{self._base_url}{path}"
        try:
            async with session.request(
                method, url, json=body, params=params, headers=headers
            ) as response:
                status = response.status
                content = await response.read()
        except TimeoutError as err:
            raise MoogoConnectionError(f"Timed out on {method} {path}") from err
        except aiohttp.ClientError as err:
            if session.closed:
                # Closing a session aborts its in-flight requests with a bare
                # ClientConnectionError; say what actually happened.
                raise MoogoSessionClosedError(
                    f"The HTTP session was closed during {method} {path}"
                    + ("" if self._owns_session else f". {_CLOSE_ORDER_HINT}")
                ) from err
            raise MoogoConnectionError(
                f"Could not reach the Moogo cloud on {method} {path}: {type(err).__name__}"
            ) from err
        except RuntimeError as err:  # pragma: no cover - defensive
            # aiohttp raises a bare RuntimeError for a request started on a
            # closed session; _http_session() checks first, so this only
            # guards against a session closed by other means in between.
            if session.closed:
                raise MoogoSessionClosedError(
                    "The HTTP session was closed during the request"
                ) from err
            raise
        _LOGGER.debug("%s %s -> HTTP %s", method, path, status)
        try:
            return self._decode(method, path, status, content)
        except MoogoError as err:
            err.http_status = status
            raise

    @staticmethod
    def _decode(method: str, path: str, status: int, content: bytes) -> Any:
        if status == 401:
            raise TokenRejectedError("Token rejected", code=CODE_UNAUTHORIZED)
        if status == 429:
            raise MoogoRateLimitError(
                "The Moogo cloud is rate limiting this account", code=429
            )
        if status >= 500:
            raise MoogoConnectionError(
                f"Moogo cloud answered HTTP {status} on {method} {path}"
            )
        try:
            envelope = json.loads(content)
        except (ValueError, RecursionError) as err:
            # RecursionError: nesting deep enough to exhaust the parser's stack.
            raise MoogoResponseError(
                f"Answer to {method} {path} is not JSON (HTTP {status})"
            ) from err
        if not isinstance(envelope, dict):
            raise MoogoResponseError(f"Answer to {method} {path} is not a JSON object")
        code = envelope.get("code")
        if isinstance(code, str):
            code = _code_from_text(code)
        if status == 404 and not isinstance(code, int):
            code = CODE_NOT_FOUND
        if not isinstance(code, int) or isinstance(code, bool):
            raise MoogoResponseError(f"Answer to {method} {path} has no status code")
        if code != CODE_OK:
            message = envelope.get("message")
            raise _envelope_error(code, message if isinstance(message, str) else "")
        if status >= 400:
            raise MoogoResponseError(f"Moogo cloud answered HTTP {status} with code 0")
        return envelope.get("data")
