"""Async client of the Moogo cloud API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
import json
import logging
from typing import TYPE_CHECKING, Any, Self, TypeGuard, override

import aiohttp

from .const import (
    CODE_BAD_CREDENTIALS,
    CODE_DEVICE_OFFLINE,
    CODE_NOT_FOUND,
    CODE_OK,
    CODE_RATE_LIMITED,
    CODE_SERVER_ERROR,
    CODE_UNAUTHORIZED,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    LOGIN_BACKOFF_SECONDS,
    MAX_LOG_PAGE_SIZE,
    TOKEN_EXPIRY_MARGIN_SECONDS,
    TOKEN_HEADER,
)
from .exceptions import (
    MoogoApiError,
    MoogoAuthError,
    MoogoConnectionError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoLoginBlockedError,
    MoogoNotFoundError,
    MoogoRateLimitError,
    MoogoResponseError,
    MoogoSessionClosedError,
)
from .models import (
    CONFIG_FIELDS,
    Device,
    DeviceConfig,
    FirmwareInfo,
    Liquid,
    LogEntry,
    MoogoToken,
    Schedule,
    format_repeat_days,
    items_of,
)

if TYPE_CHECKING:
    from types import TracebackType

_LOGGER = logging.getLogger(__name__)

type TokenListener = Callable[[MoogoToken], None]
type LoginBlockedListener = Callable[[datetime], None]

_RENEW_MARGIN = timedelta(seconds=TOKEN_EXPIRY_MARGIN_SECONDS)
_LOGIN_BACKOFF = timedelta(seconds=LOGIN_BACKOFF_SECONDS)
# What a caller who owns the session has to change (the guide's pitfall).
_CLOSE_ORDER_HINT = (
    "Close the client (await client.close()) before closing the session you gave it"
)


class _TokenRejectedError(MoogoError):
    """Internal: the cloud refused the token; the caller may log in once more."""


def _envelope_error(code: int, message: str) -> MoogoError:
    """Map a Moogo envelope code to the typed error for it."""
    if code == CODE_UNAUTHORIZED:
        return _TokenRejectedError("Token rejected", code=code)
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


class MoogoClient:
    """Client of one Moogo account.

    Session handling:

    * ``session=None``: the client creates its own ``aiohttp.ClientSession`` on
      first use (with ``timeout``) and closes it in :meth:`close` or when
      leaving ``async with``.
    * An injected session is used for every request and never closed; its own
      ``ClientTimeout`` governs. Several clients may share one session: the
      token travels per request as a header, never in the session's defaults
      or cookie jar.

    Lockout: once a login is refused as rate limited, the client makes no
    login request until :attr:`login_blocked_until`, because every attempt
    would extend the cloud's lock. Requests with a valid token still go out.
    Pass ``login_blocked_until`` back in to keep the block across restarts,
    and call :meth:`allow_login` when a user explicitly asks to try anyway.
    """

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
        self._email = email
        self._password = password
        self._session = session
        self._owns_session = session is None
        self._timeout = timeout
        self._base_url = base_url.rstrip("/")
        self._token = token
        # How long before its expiry the current token is renewed up front.
        self._renew_margin = _RENEW_MARGIN
        self._on_token_update = on_token_update
        self._login_blocked_until = login_blocked_until
        self._on_login_blocked = on_login_blocked
        # One login at a time: concurrent requests that find no valid token
        # wait for the same login instead of starting their own.
        self._login_lock = asyncio.Lock()

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
        except _TokenRejectedError as err:
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
            except _TokenRejectedError as err:
                raise MoogoAuthError(
                    f"Public endpoint {path} refused", code=err.code
                ) from None
        token = await self._valid_token()
        try:
            return await self._send(method, path, body=body, params=params, token=token)
        except _TokenRejectedError:
            _LOGGER.debug("Token rejected on %s %s; logging in again", method, path)
        token = await self._renew_rejected(token)
        try:
            return await self._send(method, path, body=body, params=params, token=token)
        except _TokenRejectedError as err:
            raise MoogoAuthError(
                "Token rejected right after a fresh login", code=err.code
            ) from None

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
        return self._decode(method, path, status, content)

    @staticmethod
    def _decode(method: str, path: str, status: int, content: bytes) -> Any:
        if status == 401:
            raise _TokenRejectedError("Token rejected", code=CODE_UNAUTHORIZED)
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

    # -- devices -----------------------------------------------------------

    async def get_devices(self) -> list[Device]:
        """List the account's devices (summary fields only)."""
        data = await self._request("GET", "/v1/devices")
        devices: list[Device] = []
        for item in items_of(data, "devices"):
            try:
                devices.append(Device.from_api(item))
            except MoogoResponseError:
                _LOGGER.debug("Skipping a device entry without deviceId")
        return devices

    async def get_device(self, device_id: str) -> Device:
        """Fetch one device's details and readings."""
        return Device.from_api(await self._request("GET", f"/v1/devices/{device_id}"))

    async def update_device(
        self, device_id: str, *, name: str | None = None, mix_ratio: int | None = None
    ) -> None:
        """Rename a device and/or set its mix ratio."""
        body: dict[str, Any] = {}
        if name is not None:
            body["deviceName"] = name
        if mix_ratio is not None:
            body["mixRatio"] = mix_ratio
        if not body:
            raise ValueError("Nothing to update")
        await self._request("PUT", f"/v1/devices/{device_id}", body=body)

    async def start_spray(self, device_id: str) -> None:
        """Start misting for the device's configured duration."""
        await self._request("POST", f"/v1/devices/{device_id}/start", body={})

    async def stop_spray(self, device_id: str) -> None:
        """Stop misting."""
        await self._request("POST", f"/v1/devices/{device_id}/stop", body={})

    # -- schedules ---------------------------------------------------------

    async def get_schedules(self, device_id: str) -> list[Schedule]:
        """List a device's schedules."""
        data = await self._request("GET", f"/v1/devices/{device_id}/schedules")
        return [Schedule.from_api(item) for item in items_of(data, "schedules")]

    async def create_schedule(
        self,
        device_id: str,
        *,
        hour: int,
        minute: int,
        duration: int,
        weekdays: Sequence[int],
        enabled: bool = True,
    ) -> Schedule | None:
        """Create a schedule (weekdays 0 = Sunday); returns it when the cloud echoes it."""
        data = await self._request(
            "POST",
            f"/v1/devices/{device_id}/schedules",
            body={
                "hour": hour,
                "minute": minute,
                "duration": duration,
                "repeatSet": format_repeat_days(weekdays),
                "status": int(enabled),
            },
        )
        return Schedule.from_api(data) if isinstance(data, Mapping) else None

    async def update_schedule(
        self,
        device_id: str,
        schedule_id: str,
        *,
        hour: int | None = None,
        minute: int | None = None,
        duration: int | None = None,
        weekdays: Sequence[int] | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Change some fields of a schedule."""
        body: dict[str, Any] = {
            key: value
            for key, value in (
                ("hour", hour),
                ("minute", minute),
                ("duration", duration),
            )
            if value is not None
        }
        if weekdays is not None:
            body["repeatSet"] = format_repeat_days(weekdays)
        if enabled is not None:
            body["status"] = int(enabled)
        if not body:
            raise ValueError("Nothing to update")
        await self._request(
            "PUT", f"/v1/devices/{device_id}/schedules/{schedule_id}", body=body
        )

    async def delete_schedule(self, device_id: str, schedule_id: str) -> None:
        """Delete a schedule."""
        await self._request(
            "DELETE", f"/v1/devices/{device_id}/schedules/{schedule_id}"
        )

    async def _schedule_action(self, device_id: str, suffix: str) -> None:
        await self._request(
            "PUT", f"/v1/devices/{device_id}/schedules/{suffix}", body={}
        )

    async def enable_schedule(self, device_id: str, schedule_id: str) -> None:
        """Enable one schedule."""
        await self._schedule_action(device_id, f"{schedule_id}/enable")

    async def disable_schedule(self, device_id: str, schedule_id: str) -> None:
        """Disable one schedule."""
        await self._schedule_action(device_id, f"{schedule_id}/disable")

    async def skip_schedule(self, device_id: str, schedule_id: str) -> None:
        """Skip the next occurrence of a schedule."""
        await self._schedule_action(device_id, f"{schedule_id}/skip")

    async def enable_all_schedules(self, device_id: str) -> None:
        """Enable every schedule of the device."""
        await self._schedule_action(device_id, "switch/open")

    async def disable_all_schedules(self, device_id: str) -> None:
        """Disable every schedule of the device."""
        await self._schedule_action(device_id, "switch/close")

    # -- configuration, logs, firmware ----------------------------------------

    async def get_config(self, device_id: str) -> DeviceConfig:
        """Fetch a device's configuration."""
        return DeviceConfig.from_api(
            await self._request("GET", f"/v1/devices/{device_id}/configs")
        )

    async def set_config(self, device_id: str, **changes: Any) -> None:
        """Write configuration fields, named as the attributes of :class:`DeviceConfig`."""
        unknown = set(changes) - set(CONFIG_FIELDS)
        if unknown:
            raise ValueError(f"Not writable configuration fields: {sorted(unknown)}")
        if not changes:
            raise ValueError("Nothing to update")
        body = {CONFIG_FIELDS[name]: value for name, value in changes.items()}
        await self._request("PUT", f"/v1/devices/{device_id}/configs", body=body)

    async def get_logs(
        self, device_id: str, *, page: int = 1, page_size: int = 20
    ) -> list[LogEntry]:
        """Fetch one page of a device's event log (at most 100 entries a page)."""
        if not 1 <= page_size <= MAX_LOG_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_LOG_PAGE_SIZE}")
        data = await self._request(
            "GET",
            f"/v1/devices/{device_id}/logs",
            params={"page": page, "pageSize": page_size},
        )
        return [LogEntry.from_api(item) for item in items_of(data, "logs")]

    async def check_firmware(self, device_id: str) -> FirmwareInfo:
        """Ask whether a firmware update is available."""
        return FirmwareInfo.from_api(
            await self._request("POST", f"/v1/devices/{device_id}/otaCheck", body={})
        )

    async def update_firmware(self, device_id: str) -> None:
        """Start a firmware update."""
        await self._request("POST", f"/v1/devices/{device_id}/otaUpdate", body={})

    # -- public endpoints (no token) -------------------------------------------

    async def get_liquids(self) -> list[Liquid]:
        """List the concentrate products."""
        data = await self._request("GET", "/v1/liquid", authenticated=False)
        return [Liquid.from_api(item) for item in items_of(data, "liquids")]

    async def get_recommended_schedules(self) -> list[Schedule]:
        """List the recommended schedules."""
        data = await self._request("GET", "/v1/devices/schedules", authenticated=False)
        return [
            Schedule.from_api(item) for item in items_of(data, "recommended schedules")
        ]
