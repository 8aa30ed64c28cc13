"""Sign-in for the client: the token, its renewal, one login at a time, the lockout.

Every authenticated request goes through :meth:`AuthenticatedTransport._request`,
which sends it with a valid token and logs in once more if the cloud rejects it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
import logging
from typing import Any, TypeGuard

import aiohttp

from .const import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    LOGIN_BACKOFF_SECONDS,
    TOKEN_EXPIRY_MARGIN_SECONDS,
)
from .exceptions import MoogoAuthError, MoogoLoginBlockedError, MoogoRateLimitError
from .models import MoogoToken
from .transport import TokenRejectedError, Transport

_LOGGER = logging.getLogger(__name__)

type TokenListener = Callable[[MoogoToken], None]
type LoginBlockedListener = Callable[[datetime], None]

_RENEW_MARGIN = timedelta(seconds=TOKEN_EXPIRY_MARGIN_SECONDS)
_LOGIN_BACKOFF = timedelta(seconds=LOGIN_BACKOFF_SECONDS)


class AuthenticatedTransport(Transport):
    """The transport of one Moogo account, signing its requests in."""

    def __init__(
        self,
        email: str,
        password: str,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        base_url: str = DEFAULT_BASE_URL,
        token: MoogoToken | None = None,
        on_token_update: TokenListener | None = None,
        login_blocked_until: datetime | None = None,
        on_login_blocked: LoginBlockedListener | None = None,
    ) -> None:
        """Prepare a client; no I/O happens until the first request."""
        super().__init__(session=session, timeout=timeout, base_url=base_url)
        self._email = email
        self._password = password
        self._token = token
        # How long before its expiry the current token is renewed up front.
        self._renew_margin = _RENEW_MARGIN
        self._on_token_update = on_token_update
        self._login_blocked_until = login_blocked_until
        self._on_login_blocked = on_login_blocked
        # One login at a time: concurrent requests that find no valid token
        # wait for the same login instead of starting their own.
        self._login_lock = asyncio.Lock()

    @property
    def token(self) -> MoogoToken | None:
        """The current token, to persist and pass back as ``token=`` later."""
        return self._token

    @property
    def user_id(self) -> str | None:
        """The Moogo user id, known once logged in or restored."""
        return self._token.user_id if self._token else None

    @property
    def login_blocked_until(self) -> datetime | None:
        """When the client signs in again after a lockout; None when it may now."""
        until = self._login_blocked_until
        if until is not None and datetime.now(UTC) >= until:
            return None
        return until

    def allow_login(self) -> None:
        """Lift the lockout back-off: the next login that is needed goes out."""
        self._login_blocked_until = None

    def restore_token(self, token: MoogoToken | None) -> None:
        """Use a token saved earlier instead of logging in."""
        self._token = token
        self._renew_margin = _RENEW_MARGIN

    # -- authentication -------------------------------------------------

    async def authenticate(self) -> MoogoToken:
        """Log in with the stored credentials and keep the new token."""
        async with self._login_lock:
            return await self._login_locked()

    async def _login_locked(self) -> MoogoToken:
        if (blocked_until := self.login_blocked_until) is not None:
            raise MoogoLoginBlockedError(
                "The Moogo cloud locked the account; not signing in again before "
                f"{blocked_until:%Y-%m-%d %H:%M} UTC",
                blocked_until=blocked_until,
            )
        try:
            data = await self._send(
                "POST",
                "/v1/user/login",
                body={"email": self._email, "password": self._password, "keep": True},
                token=None,
            )
        except TokenRejectedError as err:
            raise MoogoAuthError("Login refused", code=err.code) from None
        except MoogoRateLimitError:
            blocked_until = datetime.now(UTC) + _LOGIN_BACKOFF
            self._login_blocked_until = blocked_until
            _LOGGER.debug(
                "Login rate limited; no login before %s", blocked_until.isoformat()
            )
            if self._on_login_blocked is not None:
                self._on_login_blocked(blocked_until)
            raise
        now = datetime.now(UTC)
        token = MoogoToken.from_login(data, now)
        self._token = token
        self._login_blocked_until = None
        # A token that lives less than twice the usual margin would count as
        # expiring at once and turn every request into a login; renew such a
        # token halfway through its life instead.
        self._renew_margin = (
            min(_RENEW_MARGIN, (token.expires_at - now) / 2)
            if token.expires_at is not None
            else _RENEW_MARGIN
        )
        _LOGGER.debug("Logged in to the Moogo cloud as user %s", token.user_id)
        if self._on_token_update is not None:
            self._on_token_update(token)
        return token

    async def _valid_token(self) -> MoogoToken:
        """Return a token believed valid, logging in (once, shared) if needed."""
        token = self._token
        if self._usable(token):
            return token
        async with self._login_lock:
            token = self._token
            if self._usable(token):
                return token
            return await self._login_locked()

    def _usable(self, token: MoogoToken | None) -> TypeGuard[MoogoToken]:
        """Tell whether ``token`` exists and is not about to expire."""
        return token is not None and not token.is_expired(
            datetime.now(UTC), self._renew_margin
        )

    async def _renew_rejected(self, rejected: MoogoToken) -> MoogoToken:
        """Replace a rejected token, unless a concurrent request already did."""
        async with self._login_lock:
            if self._token is not None and self._token is not rejected:
                return self._token
            self._token = None
            return await self._login_locked()

    # -- the request choke point ----------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        authenticated: bool = True,
    ) -> Any:
        """Send one API request and return its ``data``.

        A rejected token leads to exactly one new login and one repeat of the
        request; a second rejection is an authentication error.
        """
        if not authenticated:
            try:
                return await self._send(
                    method, path, body=body, params=params, token=None
                )
            except TokenRejectedError as err:
                raise MoogoAuthError(
                    f"Public endpoint {path} refused", code=err.code
                ) from None
        token = await self._valid_token()
        try:
            return await self._send(method, path, body=body, params=params, token=token)
        except TokenRejectedError:
            _LOGGER.debug("Token rejected on %s %s; logging in again", method, path)
        token = await self._renew_rejected(token)
        try:
            return await self._send(method, path, body=body, params=params, token=token)
        except TokenRejectedError as err:
            raise MoogoAuthError(
                "Token rejected right after a fresh login", code=err.code
            ) from None
