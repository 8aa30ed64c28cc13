"""Wire-level conventions of the Moogo cloud: the JSON envelope and its codes.

Every answer the real service gives is ``{"code", "message", "data"}``; the
HTTP status is usually 200 even for business errors, but 401/404/5xx statuses
occur too. Handlers raise :class:`ApiError` and the server middleware turns it
into an envelope, so the mapping from error to wire format lives in one place.
"""

from __future__ import annotations

from http import HTTPStatus
import json
from typing import Any

from aiohttp import web

CODE_OK = 0
CODE_RATE_LIMITED = 10000
CODE_WRONG_CREDENTIALS = 10104
CODE_DEVICE_OFFLINE = 10201
#: A start refused: the device is below 8 °C and locked against frost (the app).
CODE_FROST_LOCKED = 10202
CODE_BAD_REQUEST = 400
CODE_UNAUTHORIZED = 401
CODE_NOT_FOUND = 404
CODE_SERVER_ERROR = 500

#: The response's envelope, kept beside the encoded body so that fault
#: injection can rewrite ``data`` without parsing the body again.
ENVELOPE_KEY: web.ResponseKey[dict[str, Any]] = web.ResponseKey("moogo_envelope")


class ApiError(Exception):
    """A failure the simulated cloud reports to the client as an envelope."""

    def __init__(self, http_status: int, code: int, message: str) -> None:
        """Remember the HTTP status, the envelope code and its message."""
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message

    @classmethod
    def bad_request(cls, message: str) -> ApiError:
        """Return an HTTP 400 / code 400 error for an invalid request body."""
        return cls(400, CODE_BAD_REQUEST, message)

    @classmethod
    def not_found(cls, message: str) -> ApiError:
        """Return an HTTP 404 / code 404 error for an unknown resource."""
        return cls(404, CODE_NOT_FOUND, message)

    @classmethod
    def unauthorized(cls, message: str = "token invalid or expired") -> ApiError:
        """Return an HTTP 401 / code 401 error for a missing or dead token."""
        return cls(401, CODE_UNAUTHORIZED, message)

    @classmethod
    def business(cls, code: int, message: str) -> ApiError:
        """Return a business error, which the real service sends with HTTP 200."""
        return cls(200, code, message)


def envelope_response(
    data: Any = None,
    *,
    code: int = CODE_OK,
    message: str = "success",
    http_status: int = 200,
) -> web.Response:
    """Build a JSON envelope response and keep the envelope for later rewrites."""
    envelope: dict[str, Any] = {"code": code, "message": message, "data": data}
    response = web.Response(
        status=http_status,
        text=json.dumps(envelope),
        content_type="application/json",
    )
    response[ENVELOPE_KEY] = envelope
    return response


def error_response(error: ApiError) -> web.Response:
    """Turn an :class:`ApiError` into its envelope response."""
    return envelope_response(
        None, code=error.code, message=error.message, http_status=error.http_status
    )


def status_response(http_status: int) -> web.Response:
    """Answer with ``http_status`` and an envelope whose code equals it."""
    try:
        reason = HTTPStatus(http_status).phrase
    except ValueError:
        reason = "error"
    response = envelope_response(
        None, code=http_status, message=reason.lower(), http_status=http_status
    )
    if http_status == 429:
        # Real gateways say when to come back; clients may honour it.
        response.headers["Retry-After"] = "60"
    return response
