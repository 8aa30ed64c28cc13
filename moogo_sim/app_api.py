"""The official Moogo app's endpoints: the contract the simulator and the client keep.

One row per call the app's network layer makes (``../shared/moogo-api.md``,
"What the official app shows"). The simulator serves exactly these routes
and the tests hold every request the client sends against this table, so a
client that drifts from the app fails the suite.

``encodings`` lists the bodies the real cloud is known to accept: the app's
own and, where pymoogo's real-cloud tests used another, that one too
("none": no body). ``body_fields`` is the set of fields a body may carry
(empty: none at all, so a JSON body can only be ``{}``); the handler checks
their values. ``query_fields`` are the query parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

type Encoding = Literal["none", "json", "form"]

#: The fields ``PUT /configs`` accepts (the cloud's own error message names
#: exactly these); ``syncStatus`` is read only.
CONFIG_WRITABLE: Final = frozenset(
    {
        "id",
        "deviceId",
        "userId",
        "stopTemperature",
        "stopRainy",
        "stopSnow",
        "stopWindstorm",
        "liquidName",
        "liquidConcentration",
        "timeZone",
        "sprayingSeconds",
    }
)
SCHEDULE_WRITABLE: Final = frozenset(
    {"hour", "minute", "duration", "repeatSet", "status"}
)
PAGE: Final = frozenset({"page", "pageSize"})


@dataclass(frozen=True, slots=True)
class AppEndpoint:
    """One call of the app: method, route, accepted encodings and field names."""

    name: str
    method: str
    route: str
    encodings: frozenset[Encoding]
    body_fields: frozenset[str] = frozenset()
    query_fields: frozenset[str] = frozenset()
    authenticated: bool = True

    @property
    def key(self) -> str:
        """``"METHOD /route"``, as the simulator counts requests."""
        return f"{self.method} {self.route}"


_NONE: Final[frozenset[Encoding]] = frozenset({"none"})
_JSON: Final[frozenset[Encoding]] = frozenset({"json"})
# A body the app sends as form fields; pymoogo's real-cloud tests sent JSON.
_FORM_OR_JSON: Final[frozenset[Encoding]] = frozenset({"form", "json"})
# Start / stop: the app's form field ``mode``, pymoogo's ``{}``, or no body.
_ANY_BODY: Final[frozenset[Encoding]] = frozenset({"none", "form", "json"})
# No body in the app; pymoogo sent ``{}``: both are accepted.
_NONE_OR_JSON: Final[frozenset[Encoding]] = frozenset({"none", "json"})

_DEVICE: Final = "/v1/devices/{device_id}"
_SCHEDULE: Final = _DEVICE + "/schedules/{schedule_id}"
_MESSAGES: Final = "/v1/users/{user_id}/messages"

APP_ENDPOINTS: Final[tuple[AppEndpoint, ...]] = (
    AppEndpoint(
        "sign in",
        "POST",
        "/v1/user/login",
        _FORM_OR_JSON,
        frozenset({"email", "password", "keep"}),
        authenticated=False,
    ),
    AppEndpoint("device list", "GET", "/v1/devices", _NONE, query_fields=PAGE),
    AppEndpoint("device detail", "GET", _DEVICE, _NONE),
    AppEndpoint("rename", "PUT", _DEVICE + "/update", _JSON, frozenset({"deviceName"})),
    AppEndpoint("start", "POST", _DEVICE + "/start", _ANY_BODY, frozenset({"mode"})),
    AppEndpoint("stop", "POST", _DEVICE + "/stop", _ANY_BODY, frozenset({"mode"})),
    AppEndpoint("schedules", "GET", _DEVICE + "/schedules", _NONE, query_fields=PAGE),
    AppEndpoint(
        "add schedule",
        "POST",
        _DEVICE + "/schedules",
        _FORM_OR_JSON,
        SCHEDULE_WRITABLE,
    ),
    AppEndpoint("edit schedule", "PUT", _SCHEDULE, _JSON, SCHEDULE_WRITABLE),
    AppEndpoint("delete schedule", "DELETE", _SCHEDULE, _NONE),
    AppEndpoint("schedule on", "PUT", _SCHEDULE + "/enable", _NONE_OR_JSON),
    AppEndpoint("schedule off", "PUT", _SCHEDULE + "/disable", _NONE_OR_JSON),
    AppEndpoint("skip", "PUT", _SCHEDULE + "/skip", _NONE_OR_JSON),
    AppEndpoint(
        "master switch on", "PUT", _DEVICE + "/schedules/switch/open", _NONE_OR_JSON
    ),
    AppEndpoint(
        "master switch off", "PUT", _DEVICE + "/schedules/switch/close", _NONE_OR_JSON
    ),
    AppEndpoint("configuration", "GET", _DEVICE + "/configs", _NONE),
    AppEndpoint(
        "write configuration", "PUT", _DEVICE + "/configs", _JSON, CONFIG_WRITABLE
    ),
    AppEndpoint("firmware check", "POST", _DEVICE + "/otaCheck", _NONE_OR_JSON),
    AppEndpoint("firmware update", "POST", _DEVICE + "/otaUpdate", _NONE_OR_JSON),
    AppEndpoint(
        "spray history",
        "GET",
        _DEVICE + "/logs",
        _NONE,
        query_fields=PAGE | {"startDate", "endDate"},
    ),
    # The message centre. The app's read and delete calls are left out: their
    # paths are not known, and a client must never make them.
    AppEndpoint("messages", "GET", _MESSAGES, _NONE, query_fields=PAGE),
    AppEndpoint("notices", "GET", _MESSAGES + "/notice", _NONE, query_fields=PAGE),
    AppEndpoint("message log", "GET", _MESSAGES + "/log", _NONE, query_fields=PAGE),
    AppEndpoint("unread count", "GET", _MESSAGES + "/unread-count", _NONE),
    AppEndpoint("concentrates", "GET", "/v1/liquid", _NONE, authenticated=False),
    AppEndpoint(
        "recommended schedules",
        "GET",
        "/v1/devices/schedules",
        _NONE,
        authenticated=False,
    ),
)

#: The table by ``"METHOD /route"``.
APP_ROUTES: Final = {endpoint.key: endpoint for endpoint in APP_ENDPOINTS}
