"""What a request carried: its route, its body in either encoding, and its record.

The official app sends some bodies as form fields and others as JSON; the
body is read here once per request, for the request log and the handlers
alike, so that both see the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from typing import Any, Literal
from urllib.parse import parse_qsl

from aiohttp import web

from .app_api import Encoding

#: "other": a body whose Content-Type is neither JSON nor form fields.
type BodyEncoding = Encoding | Literal["other"]

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class RequestBody:
    """A request body: how it was encoded, its fields, or why it has none.

    Form values are the text that arrived; JSON values keep their JSON type.
    """

    encoding: BodyEncoding
    fields: dict[str, Any] = field(default_factory=dict)
    #: Why the body is unusable (not JSON, not an object...); None when fine.
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One API request as the contract test checks it against the app's table."""

    method: str
    #: The route's canonical pattern, e.g. ``/v1/devices/{device_id}``.
    route: str
    encoding: BodyEncoding
    body_fields: frozenset[str]
    query_fields: frozenset[str]

    @property
    def key(self) -> str:
        """``"METHOD /route"``, as the request counters and the table name it."""
        return f"{self.method} {self.route}"


_BODY: web.RequestKey[RequestBody] = web.RequestKey("moogo_body")


def route_key(request: web.Request) -> str:
    """Return ``"METHOD /route/pattern"``; the path itself for unknown routes."""
    return f"{request.method} {route_pattern(request)}"


def route_pattern(request: web.Request) -> str:
    """Return the canonical pattern of the matched route, or the path."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else request.path


async def read_body(request: web.Request) -> RequestBody:
    """Return the request's body, parsed on the first call and kept after."""
    cached = request.get(_BODY)
    if cached is None:
        cached = _parse(request.content_type, request.charset, await request.read())
        request[_BODY] = cached
    return cached


async def record_of(request: web.Request) -> RecordedRequest:
    """Return the request-log entry of ``request`` (reads the body)."""
    body = await read_body(request)
    return RecordedRequest(
        method=request.method,
        route=route_pattern(request),
        encoding=body.encoding,
        body_fields=frozenset(body.fields),
        query_fields=frozenset(request.query.keys()),
    )


def _parse(content_type: str, charset: str | None, raw: bytes) -> RequestBody:
    if not raw.strip():
        return RequestBody("none")
    if content_type == _FORM:
        return _parse_form(raw, charset or "utf-8")
    if content_type == _JSON:
        return _parse_json(raw)
    return RequestBody("other", problem=f"unsupported Content-Type {content_type}")


def _parse_json(raw: bytes) -> RequestBody:
    try:
        body = json.loads(raw)
    except ValueError:
        return RequestBody("json", problem="body is not valid JSON")
    if not isinstance(body, dict):
        return RequestBody("json", problem="body must be a JSON object")
    return RequestBody("json", body)


def _parse_form(raw: bytes, charset: str) -> RequestBody:
    try:
        text = raw.decode(charset)
    except UnicodeDecodeError, LookupError:
        return RequestBody("form", problem=f"form body is not {charset} text")
    fields: dict[str, Any] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        # A repeated field keeps its first value, as Java web frameworks do.
        fields.setdefault(name, value)
    return RequestBody("form", fields)
