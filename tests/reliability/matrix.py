"""The fault matrix: which faults, in which phases, with which expected outcome.

This table is the specification; ``test_fault_matrix.py`` runs every cell
against the simulator and the report (``docs/reliability.md``) shows the
expected next to the observed outcome of each run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    """Where in the integration's life a fault strikes."""

    key: str
    title: str
    what: str


@dataclass(frozen=True)
class Fault:
    """One way the Moogo cloud (or the way to it) fails."""

    key: str
    title: str
    injected: str


PHASES: tuple[Phase, ...] = (
    Phase("config_flow", "config flow", "the user submits email and password"),
    Phase(
        "setup",
        "setup",
        "HA starts with the entry (stored token) and runs the first refresh",
    ),
    Phase("refresh", "coordinator refresh", "the 30 s poll of a loaded entry"),
    Phase("command", "entity command", "switch.turn_on of a device's Spray switch"),
    Phase("action", "action", "moogo.mist of a device for 20 s"),
    Phase(
        "background",
        "background reads",
        "a message round and both devices' spray-record reads after a mist, "
        "of a loaded entry with the recorder; a message is filed during the fault",
    ),
)

FAULTS: tuple[Fault, ...] = (
    Fault(
        "timeout",
        "Timeout",
        "`latency=3.0` s against the time limit of each request lowered to 1 s",
    ),
    Fault(
        "connection_refused",
        "Connection refused",
        "simulator stopped (port closed), later restarted on the same port",
    ),
    Fault("http_5xx", "HTTP 5xx", "`http_status=503` on every request"),
    Fault("html_error", "HTML error page", "`html_error`: a proxy's 502 HTML page"),
    Fault("truncated_json", "Truncated JSON", "`truncated_json`: half of each body"),
    Fault("null_data", "Null data", '`null_data`: `"data": null` in every success'),
    Fault(
        "token_revoked",
        "Token revoked (401)",
        "`revoke_tokens()`; in the config flow `http_status=401` on the login",
    ),
    Fault(
        "password_changed",
        "Password changed elsewhere (10104 on re-login)",
        "`change_password()`: tokens revoked, the stored password now wrong",
    ),
    Fault(
        "rate_limit",
        "Rate limit (10000)",
        "`rate_limit`: logins answered 10000; outside the config flow after "
        "`revoke_tokens()`, so that a login is needed",
    ),
    Fault("device_offline", "Device offline (10201)", "`set_online(Patio, False)`"),
    Fault(
        "one_device_failing",
        "One device of several failing",
        "`http_status=500` with `paths` = Garden's paths only",
    ),
    Fault(
        "garbled_total",
        "Garbled list total",
        '`garbled_total`: every list\'s `total` is "many"',
    ),
    Fault(
        "repeating_pages",
        "A page that repeats",
        "`repeating_pages` with `page_size_limit=1`: every page answers page 1, "
        "short of the `total` it gives",
    ),
    Fault(
        "no_schedule_switch",
        "Master schedule switch missing",
        "`no_schedule_switch`: the schedule list leaves `scheduleSwitchStatus` out",
    ),
    Fault(
        "odd_next_run",
        "Odd next run times",
        '`odd_next_run`: `nextSprayingTime` 0, -1, "soon", 1e30, null or in ms',
    ),
    Fault(
        "redirect",
        "Redirect (HTTP 307)",
        "`http_status=307` on every request: never followed, so neither the "
        "token nor the sign-in body goes anywhere else",
    ),
    Fault(
        "throttled",
        "Throttled (HTTP 429, Retry-After 60 s)",
        "`http_status=429` on every request; the stored token still works",
    ),
    Fault(
        "unusable_sign_in",
        "Sign-in answer without data",
        "`null_data` on `/v1/user/login` only, after `revoke_tokens()` (in the "
        "config flow on its own sign-in); the 10-minute floor between sign-ins "
        "lowered to 2 s",
    ),
    Fault(
        "slow_answers",
        "Slow answers, each in time",
        "`latency=0.6` s on every request against a 1 s limit per request: "
        "a setting's read and write take longer than one limit together",
    ),
)

# How each fault strikes in the background phase: on the background reads'
# endpoints alone where it is a property of an answer, else as it is.
BACKGROUND_PATHS = ("/messages", "/logs")
_ON_BACKGROUND = "only on `/messages` and `/logs`"
BACKGROUND_INJECTED: dict[str, str] = {
    "timeout": f"`path_latency=3.0` s {_ON_BACKGROUND}, against a 1 s limit",
    "connection_refused": "simulator stopped, as in the other phases",
    "http_5xx": f"`http_status=503` {_ON_BACKGROUND}",
    "html_error": f"`html_error` {_ON_BACKGROUND}",
    "truncated_json": f"`truncated_json` {_ON_BACKGROUND}",
    "null_data": f"`null_data` {_ON_BACKGROUND}",
    "token_revoked": "`revoke_tokens()`: the first request, of a poll or a "
    "background read, signs in again",
    "password_changed": "`change_password()`, as in the other phases",
    "rate_limit": "`revoke_tokens()` and `rate_limit`, as in the other phases",
    "device_offline": "`set_online(Patio, False)` (the cloud files an offline "
    "message in the log list)",
    "one_device_failing": "`http_status=500` on Garden's spray record only "
    "(`/v1/devices/<Garden>/logs`)",
    "garbled_total": f"`garbled_total` {_ON_BACKGROUND}",
    "repeating_pages": f"`repeating_pages` {_ON_BACKGROUND} with "
    "`page_size_limit=1`; the message list and each spray record hold 2 or "
    "more entries",
    "no_schedule_switch": f"`no_schedule_switch` {_ON_BACKGROUND}, whose "
    "answers have no schedule to garble",
    "odd_next_run": f"`odd_next_run` {_ON_BACKGROUND}, whose answers have no "
    "schedule to garble",
    "redirect": f"`http_status=307` {_ON_BACKGROUND}",
    "throttled": f"`http_status=429` {_ON_BACKGROUND}",
    "unusable_sign_in": "`revoke_tokens()` and `null_data` on the sign-in, as "
    "in the other phases",
    "slow_answers": f"`path_latency=0.6` s {_ON_BACKGROUND}, against a 1 s limit",
}

_TRANSPORT = {
    "config_flow": "form error: cannot_connect",
    "setup": "ConfigEntryNotReady: setup retried",
    "refresh": "UpdateFailed: all entities unavailable",
    "command": "HomeAssistantError(communication_error)",
    "action": "HomeAssistantError(communication_error)",
}

EXPECTED: dict[tuple[str, str], str] = {
    **{("timeout", phase): outcome for phase, outcome in _TRANSPORT.items()},
    **{("connection_refused", phase): outcome for phase, outcome in _TRANSPORT.items()},
    **{("http_5xx", phase): outcome for phase, outcome in _TRANSPORT.items()},
    **{("html_error", phase): outcome for phase, outcome in _TRANSPORT.items()},
    # A garbled answer is not a connection problem: the command may have
    # happened, so the user sees "the cloud refused" with the reason.
    ("truncated_json", "config_flow"): "form error: cannot_connect",
    ("truncated_json", "setup"): "ConfigEntryNotReady: setup retried",
    ("truncated_json", "refresh"): "UpdateFailed: all entities unavailable",
    ("truncated_json", "command"): "HomeAssistantError(unknown_error)",
    ("truncated_json", "action"): "HomeAssistantError(unknown_error)",
    # Commands need no data from the answer; readings and logins do.
    ("null_data", "config_flow"): "form error: cannot_connect",
    ("null_data", "setup"): "ConfigEntryNotReady: setup retried",
    ("null_data", "refresh"): "UpdateFailed: all entities unavailable",
    ("null_data", "command"): "ok",
    ("null_data", "action"): "ok",
    # One new login replaces a rejected token; nobody notices.
    ("token_revoked", "config_flow"): "form error: invalid_auth",
    ("token_revoked", "setup"): "loaded: all entities available",
    ("token_revoked", "refresh"): "refreshed: all entities available",
    ("token_revoked", "command"): "ok",
    ("token_revoked", "action"): "ok",
    ("password_changed", "config_flow"): "form error: invalid_auth",
    ("password_changed", "setup"): "ConfigEntryAuthFailed: reauth flow",
    ("password_changed", "refresh"): (
        "ConfigEntryAuthFailed: reauth flow; all entities unavailable"
    ),
    ("password_changed", "command"): "HomeAssistantError(auth_failed) + reauth flow",
    ("password_changed", "action"): "HomeAssistantError(auth_failed) + reauth flow",
    ("rate_limit", "config_flow"): "form error: rate_limited",
    ("rate_limit", "setup"): "ConfigEntryNotReady: setup retried + repair issue",
    ("rate_limit", "refresh"): (
        "UpdateFailed: all entities unavailable + repair issue"
    ),
    ("rate_limit", "command"): "HomeAssistantError(rate_limited) + repair issue",
    ("rate_limit", "action"): "HomeAssistantError(rate_limited) + repair issue",
    # The config flow only logs in: device faults cannot reach it.
    ("device_offline", "config_flow"): "entry created",
    ("device_offline", "setup"): "loaded: Patio offline (readings unavailable)",
    ("device_offline", "refresh"): "refreshed: Patio offline (readings unavailable)",
    ("device_offline", "command"): "HomeAssistantError(device_offline)",
    ("device_offline", "action"): "HomeAssistantError(device_offline)",
    ("one_device_failing", "config_flow"): "entry created",
    ("one_device_failing", "setup"): "loaded: Garden readings unavailable",
    ("one_device_failing", "refresh"): "refreshed: Garden readings unavailable",
    ("one_device_failing", "command"): (
        "Garden: HomeAssistantError(communication_error); Patio: ok"
    ),
    ("one_device_failing", "action"): (
        "Garden: HomeAssistantError(communication_error); Patio: ok"
    ),
}

# A list that reads whole anyway, a missing or odd schedule field: nothing
# shows; the client follows the page lengths, the old rule, the weekly rule.
for _harmless in ("garbled_total", "no_schedule_switch", "odd_next_run"):
    EXPECTED |= {
        (_harmless, "config_flow"): "entry created",
        (_harmless, "setup"): "loaded: all entities available",
        (_harmless, "refresh"): "refreshed: all entities available",
        (_harmless, "command"): "ok",
        (_harmless, "action"): "ok",
    }
# An incomplete device list fails the read rather than dropping devices;
# commands need no list.
EXPECTED |= {
    ("repeating_pages", "config_flow"): "entry created",
    ("repeating_pages", "setup"): "ConfigEntryNotReady: setup retried",
    ("repeating_pages", "refresh"): "UpdateFailed: all entities unavailable",
    ("repeating_pages", "command"): "ok",
    ("repeating_pages", "action"): "ok",
}

EXPECTED |= {
    **{("redirect", phase): outcome for phase, outcome in _TRANSPORT.items()},
    # Throttling is no lockout: no repair issue, the token stays, the next
    # poll waits as long as the cloud asked.
    ("throttled", "config_flow"): "form error: throttled",
    ("throttled", "setup"): "ConfigEntryNotReady: setup retried",
    ("throttled", "refresh"): "UpdateFailed: all entities unavailable",
    ("throttled", "command"): "HomeAssistantError(throttled)",
    ("throttled", "action"): "HomeAssistantError(throttled)",
    # The sign-in the cloud accepted with nothing usable is not repeated
    # before the floor: commands say so at once.
    ("unusable_sign_in", "config_flow"): "form error: cannot_connect",
    ("unusable_sign_in", "setup"): "ConfigEntryNotReady: setup retried",
    ("unusable_sign_in", "refresh"): "UpdateFailed: all entities unavailable",
    ("unusable_sign_in", "command"): "HomeAssistantError(unknown_error)",
    ("unusable_sign_in", "action"): "HomeAssistantError(unknown_error)",
    **{
        ("slow_answers", phase): outcome
        for phase, outcome in {
            "config_flow": "entry created",
            "setup": "loaded: all entities available",
            "refresh": "refreshed: all entities available",
            "command": "ok",
            "action": "ok",
        }.items()
    },
}

# The background reads (the message centre, the spray records) meet each
# fault on their own endpoints (`paths` = "/messages", "/logs") where it is a
# property of an answer; a fault of the account, the connection or a device
# strikes as it is, and then the poll shows it too. A failed read leaves
# every entity, event and statistic as it was; the next round fires the
# message filed meanwhile, the next mist's read imports the record.
_QUIET = "entities as they were; no event; no statistics row"
_READ = "entities as they were; message fired; history imported"
EXPECTED |= {
    **{
        (key, "background"): _QUIET
        for key in (
            "timeout",
            "http_5xx",
            "html_error",
            "truncated_json",
            "null_data",
            "repeating_pages",
            "redirect",
            "throttled",
        )
    },
    # Lists read by their page lengths, answers without schedule fields to
    # garble, slow answers each in time, a token replaced by one login.
    **{
        (key, "background"): _READ
        for key in (
            "garbled_total",
            "no_schedule_switch",
            "odd_next_run",
            "slow_answers",
            "token_revoked",
        )
    },
    ("connection_refused", "background"): (
        "UpdateFailed: all entities unavailable; no event; no statistics row"
    ),
    ("password_changed", "background"): (
        "ConfigEntryAuthFailed: reauth flow; all entities unavailable; "
        "no event; no statistics row"
    ),
    ("rate_limit", "background"): (
        "UpdateFailed: all entities unavailable; no event; no statistics row"
        " + repair issue"
    ),
    # The cloud keeps an offline device's record and the account's messages.
    ("device_offline", "background"): (
        "refreshed: Patio offline (readings unavailable); message fired; "
        "history imported"
    ),
    ("one_device_failing", "background"): (
        "entities as they were; message fired; "
        "Garden: no statistics row, Patio: history imported"
    ),
    ("unusable_sign_in", "background"): (
        "UpdateFailed: all entities unavailable; no event; no statistics row"
    ),
}

# Faults whose injection needs a login (a rejected token or the flow's own
# login): exactly one login request must follow, never a second.
ONE_LOGIN = {"token_revoked", "password_changed", "rate_limit", "unusable_sign_in"}


def fault(key: str) -> Fault:
    """Look a fault up by key."""
    return next(item for item in FAULTS if item.key == key)


def phase(key: str) -> Phase:
    """Look a phase up by key."""
    return next(item for item in PHASES if item.key == key)


def cells() -> list[tuple[Fault, Phase]]:
    """Every fault in every phase, in table order."""
    return [(f, p) for f in FAULTS for p in PHASES]
