"""Sign-in for the client: the token, its renewal, one login at a time, the budget.

Every authenticated request goes through :meth:`AuthenticatedTransport._request`,
which sends it with a valid token and logs in once more if the cloud rejects it.
Whether a sign-in may go out at all is the :class:`SignInState`: refused
credentials, the lockout back-off, the floor between two sign-ins and the
streak of unusable answers. The caller keeps it across restarts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
import hashlib
import logging
from typing import Any, TypeGuard

import aiohttp

from .const import (
    CODE_BAD_CREDENTIALS,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    LOGIN_BACKOFF_SECONDS,
    LOGIN_FLOOR_SECONDS,
    MAX_UNUSABLE_LOGINS,
    TOKEN_EXPIRY_MARGIN_SECONDS,
)
from .exceptions import (
    MoogoAuthError,
    MoogoConnectionError,
    MoogoError,
    MoogoLoginBlockedError,
    MoogoLoginDeferredError,
    MoogoRateLimitError,
)
from .models import MoogoToken
from .transport import TokenRejectedError, Transport

_LOGGER = logging.getLogger(__name__)

type TokenListener = Callable[[MoogoToken], None]
#: Builds a request path from the signed-in user's id.
type UserPath = Callable[[str], str]
type LoginBlockedListener = Callable[[datetime], None]

_RENEW_MARGIN = timedelta(seconds=TOKEN_EXPIRY_MARGIN_SECONDS)
_LOGIN_BACKOFF = timedelta(seconds=LOGIN_BACKOFF_SECONDS)
_LOGIN_FLOOR = timedelta(seconds=LOGIN_FLOOR_SECONDS)


def credentials_fingerprint(email: str, password: str, salt: str) -> str:
    """Return a salted SHA-256 of the credentials: tells them apart, reveals neither.

    A caller stores it beside a refusal, so that the refusal holds for exactly
    the credentials it was given for.
    """
    material = f"{salt}\x00{email}\x00{password}".encode()
    return hashlib.sha256(material).hexdigest()


@dataclass(frozen=True, slots=True)
class SignInState:
    """Whether the client may sign in; keep it and pass it back after a restart.

    * ``credentials_refused``: the cloud refused these credentials (wrong
      email or password); no sign-in with them goes out again.
    * ``blocked_until``: the lockout back-off after a refusal as rate limited.
    * ``not_before``: the floor; no automatic sign-in before this moment.
    * ``unusable_answers``: sign-ins in a row that gave no working token; at
      ``MAX_UNUSABLE_LOGINS`` the client stops signing in (``paused``).
    """

    credentials_refused: bool = False
    blocked_until: datetime | None = None
    not_before: datetime | None = None
    unusable_answers: int = 0

    @property
    def paused(self) -> bool:
        """Whether repeated unusable answers stopped sign-ins until allowed."""
        return self.unusable_answers >= MAX_UNUSABLE_LOGINS


class AuthenticatedTransport(Transport):
    """The transport of one Moogo account, signing its requests in."""

    def __init__(
        self,
        email: str,
        password: str,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        request_timeout: float | None = None,
        base_url: str = DEFAULT_BASE_URL,
        token: MoogoToken | None = None,
        on_token_update: TokenListener | None = None,
        login_blocked_until: datetime | None = None,
        on_login_blocked: LoginBlockedListener | None = None,
        sign_in_state: SignInState | None = None,
    ) -> None:
        """Prepare a client; no I/O happens until the first request.

        ``sign_in_state`` is what :attr:`sign_in_state` said before a restart;
        ``login_blocked_until``, when given, is its lockout back-off.
        """
        super().__init__(
            session=session,
            timeout=timeout,
            base_url=base_url,
            request_timeout=request_timeout,
        )
        self._email = email
        self._password = password
        self._token = token
        self._on_token_update = on_token_update
        state = sign_in_state or SignInState()
        if login_blocked_until is not None:
            state = replace(state, blocked_until=login_blocked_until)
        self._state = state
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
    def sign_in_state(self) -> SignInState:
        """Whether and when the client signs in; to persist and pass back later."""
        return self._state

    @property
    def credentials_refused(self) -> bool:
        """Whether the cloud refused this client's email and password."""
        return self._state.credentials_refused

    @property
    def login_blocked_until(self) -> datetime | None:
        """When the client signs in again after a lockout; None when it may now."""
        until = self._state.blocked_until
        if until is not None and datetime.now(UTC) >= until:
            return None
        return until

    def allow_login(self) -> None:
        """Lift every hold on signing in: the next login that is needed goes out.

        For a user who explicitly asks to try: it ends the lockout back-off,
        the floor, a stop after unusable answers and a refusal.
        """
        self._state = SignInState()

    def credentials_fingerprint(self, salt: str) -> str:
        """Return :func:`credentials_fingerprint` of this client's credentials."""
        return credentials_fingerprint(self._email, self._password, salt)

    def restore_token(self, token: MoogoToken | None) -> None:
        """Use a token saved earlier instead of logging in."""
        self._token = token

    # -- authentication -------------------------------------------------

    async def authenticate(self) -> MoogoToken:
        """Log in with the stored credentials and keep the new token."""
        async with self._login_lock:
            return await self._login_locked()

    def _check_budget(self, now: datetime) -> None:
        """Raise, without asking the cloud, when no sign-in may go out now."""
        state = self._state
        if state.credentials_refused:
            raise MoogoAuthError(
                "The Moogo cloud refused these credentials; not signing in with "
                "them again",
                code=CODE_BAD_CREDENTIALS,
            )
        if (blocked_until := self.login_blocked_until) is not None:
            raise MoogoLoginBlockedError(
                "The Moogo cloud refused the last sign-in; not signing in again before "
                f"{blocked_until:%Y-%m-%d %H:%M} UTC",
                blocked_until=blocked_until,
            )
        if state.paused:
            raise MoogoLoginDeferredError(
                f"The Moogo cloud's last {state.unusable_answers} sign-in answers "
                "gave no working token; not signing in again until allowed",
                retry_at=None,
            )
        if state.not_before is not None and now < state.not_before:
            raise MoogoLoginDeferredError(
                "Signed in to the Moogo cloud only recently; not signing in again "
                f"before {state.not_before:%Y-%m-%d %H:%M:%S} UTC",
                retry_at=state.not_before,
            )

    def _count_unusable(self, now: datetime) -> None:
        """Note a sign-in that gave no working token: the next waits a whole floor."""
        state = self._state
        self._state = replace(
            state,
            not_before=max(state.not_before or now, now + _LOGIN_FLOOR),
            unusable_answers=state.unusable_answers + 1,
        )

    def _count_working(self) -> None:
        """Note that a request with the current token succeeded."""
        if self._state.unusable_answers:
            self._state = replace(self._state, unusable_answers=0)

    async def _login_locked(self) -> MoogoToken:
        now = datetime.now(UTC)
        self._check_budget(now)
        # Spend the budget before asking: one floor a sign-in on average, with
        # one spare (the floor's start may lie one floor in the past).
        floor_from = max(
            self._state.not_before or now - _LOGIN_FLOOR, now - _LOGIN_FLOOR
        )
        self._state = replace(self._state, not_before=floor_from + _LOGIN_FLOOR)
        try:
            data = await self._send(
                "POST",
                "/v1/user/login",
                body={"email": self._email, "password": self._password, "keep": True},
                token=None,
            )
            token = MoogoToken.from_login(data, now)
        except TokenRejectedError as err:
            self._state = replace(self._state, credentials_refused=True)
            raise MoogoAuthError("Login refused", code=err.code) from None
        except MoogoAuthError:
            # Wrong email or password: no sign-in with them goes out again.
            self._state = replace(self._state, credentials_refused=True)
            raise
        except MoogoRateLimitError as err:
            # A wait the cloud names (HTTP 429 with Retry-After) is kept, never
            # shorter than the floor; otherwise the refusal may be the day-long
            # lockout, which every further sign-in would start again.
            backoff = (
                _LOGIN_BACKOFF
                if err.retry_after is None
                else max(timedelta(seconds=err.retry_after), _LOGIN_FLOOR)
            )
            blocked_until = datetime.now(UTC) + backoff
            self._state = replace(self._state, blocked_until=blocked_until)
            _LOGGER.debug(
                "Login rate limited; no login before %s", blocked_until.isoformat()
            )
            if self._on_login_blocked is not None:
                self._on_login_blocked(blocked_until)
            raise
        except MoogoConnectionError:
            raise
        except MoogoError:
            # The cloud answered, but with nothing usable (data null or not an
            # object, no token or user id, an unknown code).
            self._count_unusable(now)
            raise
        self._token = token
        self._state = replace(self._state, blocked_until=None)
        _LOGGER.debug("Logged in to the Moogo cloud as user %s", token.user_id)
        if self._on_token_update is not None:
            self._on_token_update(token)
        return token

    async def _valid_token(self) -> tuple[MoogoToken, bool]:
        """Return a token believed valid, logging in (once, shared) if needed.

        The flag tells whether this call signed in for it.
        """
        token = self._token
        if self._usable(token):
            return token, False
        async with self._login_lock:
            token = self._token
            if self._usable(token):
                return token, False
            return await self._login_locked(), True

    def _usable(self, token: MoogoToken | None) -> TypeGuard[MoogoToken]:
        """Tell whether ``token`` exists and is not about to expire."""
        return token is not None and not token.is_expired(
            datetime.now(UTC), _RENEW_MARGIN
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
        return await self._signed_request(
            method, lambda _token: path, body=body, params=params
        )

    async def _user_request(
        self,
        method: str,
        path_of: UserPath,
        *,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """Like :meth:`_request`, for a path that names the signed-in user.

        ``path_of`` gets the user id of the token the request goes out with,
        so a request made before any sign-in signs in first, and a repeat
        after a new login names the user that login gave.
        """
        return await self._signed_request(
            method, lambda token: path_of(token.user_id), params=params
        )

    async def _signed_request(
        self,
        method: str,
        path_for: Callable[[MoogoToken], str],
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """Send a request with a valid token; log in once more if it is rejected."""
        token, fresh = await self._valid_token()
        path = path_for(token)
        try:
            data = await self._send(method, path, body=body, params=params, token=token)
        except TokenRejectedError as err:
            if fresh:
                raise self._fresh_token_rejected(err) from None
            _LOGGER.debug("Token rejected on %s %s; logging in again", method, path)
        else:
            self._count_working()
            return data
        token = await self._renew_rejected(token)
        path = path_for(token)
        try:
            data = await self._send(method, path, body=body, params=params, token=token)
        except TokenRejectedError as err:
            raise self._fresh_token_rejected(err) from None
        self._count_working()
        return data

    def _fresh_token_rejected(self, err: TokenRejectedError) -> MoogoAuthError:
        """Count a sign-in whose token the cloud rejects at once as unusable."""
        self._count_unusable(datetime.now(UTC))
        return MoogoAuthError("Token rejected right after a fresh login", code=err.code)
