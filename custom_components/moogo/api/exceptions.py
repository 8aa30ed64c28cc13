"""Typed errors of the Moogo client.

Messages never contain the password or the token, so they can be logged and
shown to users as they are.
"""

from __future__ import annotations

from datetime import datetime

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
    """The account is locked out (code 10000 or HTTP 429); never retried."""


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


class MoogoDeviceOfflineError(MoogoError):
    """The device is offline and cannot take commands (code 10201)."""


class MoogoNotFoundError(MoogoError):
    """Unknown device or schedule (code or HTTP status 404)."""


class MoogoConnectionError(MoogoError):
    """Timeout, connection failure, HTTP 5xx, or a closed HTTP session."""


class MoogoSessionClosedError(MoogoConnectionError):
    """The injected HTTP session was closed by its owner before this request."""


class MoogoResponseError(MoogoError):
    """The answer is not JSON or does not have the expected shape."""


class MoogoApiError(MoogoError):
    """The cloud refused the request with a code the client has no type for."""
