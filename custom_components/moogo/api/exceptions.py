"""Typed errors of the Moogo client.

Messages never contain the password or the token, so they can be logged and
shown to users as they are.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus

from .const import CODE_RATE_LIMITED


class MoogoError(Exception):
    """Base of every error the client raises."""

    def __init__(
        self, message: str, *, code: int | None = None, http_status: int | None = None
    ) -> None:
        """Keep the Moogo envelope code and the HTTP status when there are some."""
        super().__init__(message)
        self.code = code
        #: The HTTP status of the answer that failed; None without an answer.
        self.http_status = http_status


class MoogoAuthError(MoogoError):
    """Wrong credentials, or a token still rejected after one fresh login."""


class MoogoRateLimitError(MoogoError):
    """The cloud refuses for now; never retried by the client.

    Code 10000 is the login lockout (about a day). HTTP 429 is the cloud
    throttling requests: ``retry_after`` is then how many seconds it asked us
    to wait (its ``Retry-After`` header), or ``None`` when it did not say.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Keep the wait the cloud asked for (seconds) next to the message."""
        super().__init__(message, code=code, http_status=http_status)
        self.retry_after = retry_after

    @property
    def throttled(self) -> bool:
        """Whether the cloud throttled a request (HTTP 429), not locked the login."""
        return self.http_status == HTTPStatus.TOO_MANY_REQUESTS


class MoogoLoginBlockedError(MoogoRateLimitError):
    """The client refused to sign in, without asking the cloud, during a lockout.

    ``blocked_until`` is when the client signs in again by itself.
    """

    def __init__(self, message: str, *, blocked_until: datetime) -> None:
        """Keep when sign-ins resume next to the message."""
        super().__init__(message, code=CODE_RATE_LIMITED)
        self.blocked_until = blocked_until


class MoogoLoginDeferredError(MoogoError):
    """The client held a sign-in back, without asking the cloud: its budget is spent.

    ``retry_at`` is when the client signs in again by itself; ``None`` once
    repeated unusable sign-in answers stopped sign-ins until ``allow_login()``.
    """

    def __init__(self, message: str, *, retry_at: datetime | None) -> None:
        """Keep when sign-ins resume (if they do by themselves) next to the message."""
        super().__init__(message)
        self.retry_at = retry_at


class MoogoDeviceError(MoogoError):
    """The device refused a command: a fact of the device, not of the account."""


class MoogoDeviceOfflineError(MoogoDeviceError):
    """The device is offline and cannot take commands (code 10201)."""


class MoogoFrostError(MoogoDeviceError):
    """The device is below 8 °C and locked against frost: it refuses to start (code 10202).

    It mists again, by command or schedule, once it has warmed up.
    """


class MoogoNotFoundError(MoogoError):
    """Unknown device or schedule (code or HTTP status 404)."""


class MoogoInvalidIdError(MoogoNotFoundError, ValueError):
    """An id that cannot address anything (empty, ``.`` or ``..``); no request made."""


class MoogoConnectionError(MoogoError):
    """Timeout, connection failure, HTTP 5xx, or a closed HTTP session."""


class MoogoRedirectError(MoogoConnectionError):
    """The cloud answered with a redirect (HTTP 3xx), which the client never follows.

    Following it would send the token header, and for a 307/308 the sign-in
    body, to wherever the answer points. ``http_status`` is the 3xx status.
    """


class MoogoSessionClosedError(MoogoConnectionError):
    """The injected HTTP session was closed by its owner before this request."""


class MoogoResponseError(MoogoError):
    """The answer is not JSON or does not have the expected shape."""


class MoogoApiError(MoogoError):
    """The cloud refused the request with a code the client has no type for."""
