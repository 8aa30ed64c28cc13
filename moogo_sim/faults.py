"""Fault injection: how the real service and its proxies misbehave, on demand.

:class:`FaultConfig` is plain mutable data that tests change directly or
through the admin endpoint; :class:`FaultInjector` applies it to requests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
import json
import random
from typing import Any, Final

from aiohttp import web

from .protocol import (
    CODE_OK,
    CODE_RATE_LIMITED,
    CODE_SERVER_ERROR,
    ENVELOPE_KEY,
    envelope_response,
    status_response,
)

_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass
class FaultConfig:
    """What to break, and for which requests.

    ``latency`` applies to every API request; every other knob applies only
    to requests whose path contains one of ``paths`` (or ends with it, for a
    fragment written with a final "$"; all when ``paths`` is None) and, when ``methods`` is set, whose HTTP method is one
    of them (creating a schedule fails while listing them works).
    """

    latency: float = 0.0
    #: Seconds added to the requests the path and method filters select only.
    path_latency: float = 0.0
    error_rate: float = 0.0
    http_status: int | None = None
    html_error: bool = False
    truncated_json: bool = False
    null_data: bool = False
    ms_timestamps: bool = False
    rate_limit: bool = False
    drop_connection: bool = False
    #: Every list answer's ``total`` is a word instead of a number.
    garbled_total: bool = False
    #: Every page request is answered with page 1's items.
    repeating_pages: bool = False
    #: The schedule list leaves out ``scheduleSwitchStatus``.
    no_schedule_switch: bool = False
    #: Schedules' ``nextSprayingTime`` take odd values in turn (ODD_NEXT_RUNS).
    odd_next_run: bool = False
    paths: list[str] | None = None
    methods: list[str] | None = None
    seed: int = 0

    def applies_to(self, path: str, method: str = "GET") -> bool:
        """Tell whether the filtered faults apply to a request."""
        if self.methods is not None and method.upper() not in self.methods:
            return False
        if self.paths is None:
            return True
        return any(_matches(path, fragment) for fragment in self.paths)

    def as_dict(self) -> dict[str, Any]:
        """Return the configuration as JSON-ready data."""
        return asdict(self)

    def update(self, changes: Mapping[str, Any]) -> None:
        """Merge ``changes`` in after checking every key and value.

        Raises ValueError (and changes nothing) on an unknown key or a value
        of the wrong type, so a typo in a test fails loudly.
        """
        known = {item.name for item in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        for key, value in changes.items():
            _check_fault_value(key, value)
        for key, value in changes.items():
            stored = value
            if key == "methods" and value:
                stored = [item.upper() for item in value]
            elif key == "paths" and value:
                stored = list(value)
            setattr(self, key, stored)


def _matches(path: str, fragment: str) -> bool:
    """Tell whether ``fragment`` is in ``path`` (ends it, when written with "$")."""
    if fragment.endswith("$"):
        return path.endswith(fragment[:-1])
    return fragment in path


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_fault_value(key: str, value: Any) -> None:
    """Raise ValueError unless ``value`` suits the fault setting ``key``."""
    valid: bool
    if key in {"latency", "path_latency"}:
        valid = _is_number(value) and value >= 0
    elif key == "error_rate":
        valid = _is_number(value) and 0 <= value <= 1
    elif key == "http_status":
        valid = value is None or (
            isinstance(value, int)
            and not isinstance(value, bool)
            and 100 <= value <= 599
        )
    elif key == "seed":
        valid = isinstance(value, int) and not isinstance(value, bool)
    elif key in {"paths", "methods"}:
        valid = value is None or (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        )
    else:
        valid = isinstance(value, bool)
    if not valid:
        raise ValueError(f"invalid value for fault setting {key}: {value!r}")


class FaultInjector:
    """Applies a :class:`FaultConfig` around the request handlers."""

    def __init__(self, config: FaultConfig) -> None:
        """Start with ``config``; the random sequence follows its seed."""
        self.config = config
        self._seed = config.seed
        self._random = _seeded_random(config.seed)
        self._odd_turn = 0

    def reseed(self) -> None:
        """Restart the error-rate draws and the odd next runs from the start."""
        self._seed = self.config.seed
        self._random = _seeded_random(self._seed)
        self._odd_turn = 0

    def _roll_error(self) -> bool:
        """Draw whether this request fails; deterministic for a given seed."""
        if self.config.seed != self._seed:
            # The seed was changed by plain assignment: honour it.
            self.reseed()
        return self._random.random() < self.config.error_rate

    def before(self, request: web.Request) -> web.StreamResponse | None:
        """Return the faulty answer that replaces the handler, if any.

        Only called for requests the path filter selects. The order matters
        only when several knobs are on: the most drastic failure wins.
        """
        config = self.config
        if config.drop_connection:
            return _drop(request)
        if config.html_error:
            return web.Response(
                status=502, text=_BAD_GATEWAY_PAGE, content_type="text/html"
            )
        if config.http_status is not None:
            return status_response(config.http_status)
        if config.error_rate > 0 and self._roll_error():
            return envelope_response(
                None,
                code=CODE_SERVER_ERROR,
                message="internal server error",
                http_status=500,
            )
        if config.rate_limit and request.match_info.route.name == "login":
            return envelope_response(
                None,
                code=CODE_RATE_LIMITED,
                message="too many login attempts, try again in 24 hours",
            )
        return None

    def after(self, response: web.StreamResponse) -> web.StreamResponse:
        """Rewrite a handler's envelope response as the knobs demand."""
        envelope = response.get(ENVELOPE_KEY)
        if envelope is None:
            return response
        if envelope["code"] == CODE_OK:
            data = None if self.config.null_data else self._garble(envelope["data"])
            if data is not envelope["data"]:
                envelope = {**envelope, "data": data}
                response = envelope_response(
                    data, message=envelope["message"], http_status=response.status
                )
        if self.config.truncated_json:
            body = json.dumps(envelope).encode()
            # A proxy that gave up half-way: a valid start, then nothing.
            return web.Response(
                status=200,
                body=body[: len(body) // 2],
                content_type="application/json",
            )
        return response

    def _garble(self, data: Any) -> Any:
        """Return ``data`` with the list and schedule knobs applied (a copy if so)."""
        config = self.config
        if not isinstance(data, dict) or not (
            config.garbled_total or config.no_schedule_switch or config.odd_next_run
        ):
            return data
        garbled = dict(data)
        if config.garbled_total and "total" in garbled:
            garbled["total"] = GARBLED_TOTAL
        if config.no_schedule_switch:
            garbled.pop("scheduleSwitchStatus", None)
        if config.odd_next_run:
            self._odd_next_runs(garbled)
        return garbled

    def _odd_next_runs(self, data: dict[str, Any]) -> None:
        """Give every schedule in ``data`` (a list or one schedule) an odd next run."""
        items = data.get("items")
        schedules = [dict(item) for item in items] if isinstance(items, list) else []
        for schedule in [data, *schedules]:
            if "nextSprayingTime" in schedule:
                odd = ODD_NEXT_RUNS[self._odd_turn % len(ODD_NEXT_RUNS)]
                schedule["nextSprayingTime"] = odd(schedule["nextSprayingTime"])
                self._odd_turn += 1
        if isinstance(items, list):
            data["items"] = schedules


#: A millisecond time for ``odd_next_run`` to send where the true one is null.
_SOME_TIME_IN_MS: Final = 1_780_315_200_000


def _in_milliseconds(true_value: Any) -> Any:
    if isinstance(true_value, int):
        return true_value * 1000
    return _SOME_TIME_IN_MS


#: What ``odd_next_run`` turns ``nextSprayingTime`` into, one after another:
#: zero, negative, text, absurdly far, null, and the true value in milliseconds.
ODD_NEXT_RUNS: Final[tuple[Callable[[Any], Any], ...]] = (
    lambda _: 0,
    lambda _: -1,
    lambda _: "soon",
    lambda _: 1e30,
    lambda _: None,
    _in_milliseconds,
)
#: What ``garbled_total`` sends instead of a list's ``total``.
GARBLED_TOTAL: Final = "many"


def _seeded_random(seed: int) -> random.Random:
    # Reproducible test failures, not cryptography.
    return random.Random(seed)  # noqa: S311


def _drop(request: web.Request) -> web.Response:
    """Close the connection without answering.

    aiohttp still tries to send the returned response; writing to the closed
    transport fails quietly inside aiohttp, so the client sees a disconnect.
    """
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=500)
