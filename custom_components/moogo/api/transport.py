"""The client's HTTP layer: one aiohttp session, one exchange, one decoded envelope.

Every failure leaves here as a typed error; a rejected token as
:class:`TokenRejectedError`, which the sign-in layer (``auth.py``) turns into
one new login or an authentication error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import json
import logging
from typing import TYPE_CHECKING, Any, Self, override

import aiohttp
from yarl import URL

from .const import (
    CODE_BAD_CREDENTIALS,
    CODE_DEVICE_OFFLINE,
    CODE_FROST_LOCKED,
    CODE_NOT_FOUND,
    CODE_OK,
    CODE_RATE_LIMITED,
    CODE_SERVER_ERROR,
    CODE_UNAUTHORIZED,
    DEFAULT_TIMEOUT,
    MAX_RETRY_AFTER_SECONDS,
    TOKEN_HEADER,
)
from .exceptions import (
    MoogoApiError,
    MoogoAuthError,
    MoogoConnectionError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoFrostError,
    MoogoNotFoundError,
    MoogoRateLimitError,
    MoogoRedirectError,
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
    if code == CODE_FROST_LOCKED:
        return MoogoFrostError(
            "The device is below 8 °C (46 °F) and locked against frost; "
            "it mists again once it warms up",
            code=code,
        )
    if code == CODE_NOT_FOUND:
        return MoogoNotFoundError("Unknown device or schedule", code=code)
    if code >= CODE_SERVER_ERROR and code < 600:
        return MoogoConnectionError(f"Moogo cloud server error {code}", code=code)
    # The server's message is shown for codes we have no type for; it comes from
    # the cloud, never from our request, so it holds no credential.
    return MoogoApiError(f"Moogo cloud refused the request: {message[:200]}", code=code)


def _retry_after(value: str | None) -> float | None:
    """Read a ``Retry-After`` header: seconds, or an HTTP date; else None.

    The wait is kept between 0 and MAX_RETRY_AFTER_SECONDS whatever the
    header says: a date in the past is 0, a week is cut to a day.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        seconds = float(int(text[:18]))  # the clamp below cuts any longer number
    else:
        try:
            moment = parsedate_to_datetime(text)
        except ValueError, TypeError, OverflowError:
            return None
        if moment.tzinfo is None:  # "-0000": a date in UTC without a zone
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), float(MAX_RETRY_AFTER_SECONDS))


def _rate_limited(retry_after: str | None) -> MoogoRateLimitError:
    """HTTP 429: the cloud throttles requests (not the login lockout, code 10000)."""
    seconds = _retry_after(retry_after)
    wait = f"wait {seconds:.0f} s" if seconds is not None else "wait a while"
    return MoogoRateLimitError(
        f"The Moogo cloud asks to slow down (HTTP 429): {wait} before the next request",
        code=429,
        http_status=429,
        retry_after=seconds,
    )


def _redirect(method: str, path: str, status: int, location: str | None) -> MoogoError:
    """Name a 3xx answer by its status and its target's origin; it is never followed.

    Only the scheme, host and port of ``Location`` are shown: its path, query
    and user info may hold anything.
    """
    target = ""
    if location:
        try:
            url = URL(location)
            if url.absolute:
                target = f" to {url.origin()}"
        except ValueError:
            pass
    return MoogoRedirectError(
        f"Moogo cloud answered HTTP {status}, a redirect{target}, on {method} {path}; "
        "the client follows no redirect (check the API URL)",
        http_status=status,
    )


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


class Form(dict[str, str]):
    """A request body sent as form fields, the way the app sends it, not as JSON."""


class Transport:
    """The HTTP session of one client and the exchanges made on it."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None,
        timeout: float,
        base_url: str,
        request_timeout: float | None = None,
    ) -> None:
        """Keep the session (or None: create one on first use); no I/O yet."""
        self._session = session
        self._owns_session = session is None
        self._timeout = timeout
        self._request_timeout = request_timeout
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

    def _time_limit(self, session: aiohttp.ClientSession) -> float:
        """Seconds one request may take, answer read included.

        ``request_timeout`` when given, on any session. Otherwise the
        session's own total: ``timeout`` for the client's session, the
        caller's ``ClientTimeout`` for an injected one; a session without a
        total still gets DEFAULT_TIMEOUT, so that no request waits forever.
        """
        if self._request_timeout is not None:
            return self._request_timeout
        total = session.timeout.total
        return total if total is not None and total > 0 else DEFAULT_TIMEOUT

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
        try:
            # ``path`` is already escaped (ids percent-encoded): taken as it is,
            # so that nothing decodes or normalises it on the way out.
            url = URL(f"{URL(self._base_url)}{path}", encoded=True)
        except ValueError as err:
            raise MoogoConnectionError(
                f"The Moogo API URL is not valid ({method} {path})"
            ) from err
        try:
            # No redirect is followed: it would carry the token header (aiohttp
            # drops only Authorization) and, for 307/308, the sign-in body.
            async with (
                asyncio.timeout(self._time_limit(session)),
                session.request(
                    method,
                    url,
                    json=None if isinstance(body, Form) else body,
                    data=body if isinstance(body, Form) else None,
                    params=params,
                    headers=headers,
                    allow_redirects=False,
                ) as response,
            ):
                status = response.status
                answer_headers = response.headers
                content = b"" if 300 <= status < 400 else await response.read()
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
            return self._decode(method, path, status, content, answer_headers)
        except MoogoError as err:
            err.http_status = status
            raise

    @staticmethod
    def _decode(
        method: str,
        path: str,
        status: int,
        content: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        headers = headers if headers is not None else {}
        if 300 <= status < 400:
            raise _redirect(method, path, status, headers.get("Location"))
        if status == 401:
            raise TokenRejectedError("Token rejected", code=CODE_UNAUTHORIZED)
        if status == 429:
            raise _rate_limited(headers.get("Retry-After"))
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
