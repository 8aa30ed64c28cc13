"""What only the reliability suite checks: the user's view, leftovers, secrets.

Everything here observes; nothing patches the integration. Faults come from
the simulator's knobs (``moogo_sim.FaultConfig``), a stopped simulator, or
the account operations of the simulator (revoke tokens, change password,
take a device offline).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
import gc
import json
import logging
import re
import traceback
from typing import Any

import aiohttp
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, STATE_UNAVAILABLE
from homeassistant.core import HassJob, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import DATA_CLIENTSESSION
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import get_scheduled_timer_handles

from custom_components.moogo.const import (
    CONF_API_URL,
    CONF_TOKEN,
    DOMAIN,
    ISSUE_RATE_LIMITED,
)
from custom_components.moogo.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from custom_components.moogo.event import ACCOUNT_MESSAGES
from moogo_sim import MoogoSimulator
from tests.common import (
    DEVICE_NAMES,
    NEW_PASSWORD,
    PASSWORD,
    entity_id_of,
    exception_chain,
)

from .report import COLLECTOR

# Every code path of ours lives here; a traceback through it is ours.
OUR_CODE = "custom_components/moogo/"
OUR_LOGGER = "custom_components.moogo"
# The simulator's tokens are secrets.token_hex(24): 48 hex digits. Anything of
# that shape in a log or an error is treated as a leaked token, even if it was
# revoked (and so forgotten by the simulator) before the scan.
TOKEN_SHAPE = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{48}(?![0-9a-fA-F])")


# -- what the user sees -----------------------------------------------------


def entity_ids(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, list[str]]:
    """The entity ids of each Moogo device of the entry that have a state."""
    registry = er.async_get(hass)
    result: dict[str, list[str]] = {}
    for item in er.async_entries_for_config_entry(registry, entry.entry_id):
        if item.disabled_by is not None or item.unique_id.endswith(
            f"_{ACCOUNT_MESSAGES.key}"
        ):
            # The account's own entity (its messages) belongs to no device.
            continue
        # Unique ids are "<device id>_<key>"; Moogo device ids have no "_".
        result.setdefault(item.unique_id.split("_", 1)[0], []).append(item.entity_id)
    return result


def temperature_entity(hass: HomeAssistant, device_id: str) -> str:
    """The entity id of a device's temperature sensor."""
    return entity_id_of(hass, "sensor", device_id, "temperature")


def mist_switch(hass: HomeAssistant, device_id: str) -> str:
    """The entity id of a device's spray switch."""
    return entity_id_of(hass, "switch", device_id, "spray")


def device_view(hass: HomeAssistant, device_id: str) -> str:
    """How a device looks in HA: available, offline, or unavailable."""
    state = hass.states.get(temperature_entity(hass, device_id))
    online = hass.states.get(entity_id_of(hass, "binary_sensor", device_id, "online"))
    if state is not None and state.state != STATE_UNAVAILABLE:
        return "available"
    if online is not None and online.state == "off":
        return "offline (readings unavailable)"
    return "readings unavailable"


def entry_view(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """Summarise the entities of an entry the way a user would describe them."""
    per_device = entity_ids(hass, entry)
    states = [hass.states.get(e) for ids in per_device.values() for e in ids]
    if states and all(s is None or s.state == STATE_UNAVAILABLE for s in states):
        return "all entities unavailable"
    views = {device_id: device_view(hass, device_id) for device_id in per_device}
    troubled = [
        f"{DEVICE_NAMES.get(device_id, device_id)} {view}"
        for device_id, view in sorted(views.items(), key=lambda i: DEVICE_NAMES[i[0]])
        if view != "available"
    ]
    return "; ".join(troubled) if troubled else "all entities available"


def reauth_flows(hass: HomeAssistant, entry: ConfigEntry) -> list[dict[str, Any]]:
    """The reauthentication flows in progress for the entry."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"].get("entry_id") == entry.entry_id
    ]


async def complete_reauth(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Answer the reauth flow with the password now valid in the Moogo app."""
    flows = reauth_flows(hass, entry)
    assert len(flows) == 1, f"expected one reauth flow, got {flows}"
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    assert result["type"] == "abort"
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done(wait_background_tasks=True)


async def sign_in_now(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Answer the lockout issue's fix flow, as a user who knows the lock is over."""
    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(
        DOMAIN, data={"issue_id": f"{ISSUE_RATE_LIMITED}_{entry.entry_id}"}
    )
    assert result.get("step_id") == "confirm", result
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] == "create_entry", result
    await hass.async_block_till_done(wait_background_tasks=True)


# -- the entry survives ---------------------------------------------------


@dataclass(frozen=True)
class EntryFacts:
    """What must survive a fault: the entry itself and its stored data."""

    entry_id: str
    email: str
    password: str
    api_url: str
    has_token: bool

    @classmethod
    def of(cls, entry: ConfigEntry) -> EntryFacts:
        """Read the facts of an entry now."""
        token = entry.data.get(CONF_TOKEN)
        return cls(
            entry.entry_id,
            entry.data[CONF_EMAIL],
            entry.data[CONF_PASSWORD],
            entry.data[CONF_API_URL],
            isinstance(token, dict) and bool(token.get("token")),
        )


def assert_entry_survived(hass: HomeAssistant, before: EntryFacts) -> ConfigEntry:
    """The entry still exists with the same account, credentials and URL.

    A fault may replace the token (a new login) but never drop a stored one.
    """
    entry = hass.config_entries.async_get_entry(before.entry_id)
    assert entry is not None, "the config entry was removed by a fault"
    after = EntryFacts.of(entry)
    assert (after.email, after.password, after.api_url) == (
        before.email,
        before.password,
        before.api_url,
    )
    assert after.has_token or not before.has_token, "the stored token was dropped"
    return entry


# -- nothing left behind --------------------------------------------------


def _is_ours(obj: Any) -> bool:
    """Whether a callable (HassJob, partial, bound method, function) is our code."""
    for _ in range(5):
        if isinstance(obj, HassJob):
            obj = obj.target
            continue
        inner = getattr(obj, "func", None) or getattr(obj, "__func__", None)
        if inner is not None and inner is not obj:
            owner = getattr(obj, "__self__", None)
            if owner is not None and type(owner).__module__.startswith(OUR_LOGGER):
                return True
            obj = inner
            continue
        break
    owner = getattr(obj, "__self__", None)
    if owner is not None and type(owner).__module__.startswith(OUR_LOGGER):
        return True
    return str(getattr(obj, "__module__", "") or "").startswith(OUR_LOGGER)


def leftovers(hass: HomeAssistant) -> list[str]:
    """Timers and tasks of our code, and HTTP sessions nobody will close.

    Called after the entries are unloaded: anything found here would outlive
    the integration (HA's own fixture checks all timers and tasks too, but
    this names ours and makes the check part of each case's outcome).
    """
    found: list[str] = []
    for handle in get_scheduled_timer_handles(hass.loop):
        if handle.cancelled():
            continue
        if _is_ours(handle._callback) or any(_is_ours(a) for a in handle._args):
            found.append(f"timer {handle!r}")
    for task in hass._tasks | hass._background_tasks:
        if task.done():
            continue
        frames = task.get_stack()
        if any(OUR_CODE in frame.f_code.co_filename for frame in frames):
            found.append(f"task {task!r}")
    shared = set(hass.data.get(DATA_CLIENTSESSION, {}).values())
    found.extend(
        f"unclosed session {obj!r}"
        for obj in gc.get_objects()
        if isinstance(obj, aiohttp.ClientSession)
        and not obj.closed
        and obj not in shared
    )
    return found


# -- logs: no traceback from our code reaches HA's log ---------------------


def has_traceback(record: logging.LogRecord) -> bool:
    """Whether a log record carries a traceback (or a stack)."""
    return bool(
        (record.exc_info and record.exc_info[1] is not None)
        or record.exc_text
        or record.stack_info
    )


def _traceback_text(record: logging.LogRecord) -> str:
    parts = [record.exc_text or "", record.stack_info or ""]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append("".join(traceback.format_exception(record.exc_info[1])))
    return "\n".join(parts)


def traceback_problems(records: Iterable[logging.LogRecord]) -> list[str]:
    """Records at WARNING or above that carry a traceback.

    That is how HA logs an exception an integration let escape ("Unexpected
    error fetching ...", "Error doing job", "Error setting up entry", a
    ``LOGGER.exception``). Stricter than "from our code": a traceback from
    aiohttp or the simulator would be reported too. DEBUG records may carry
    tracebacks on purpose (HA's "Full exception" after a handled failure).
    """
    return [
        f"{record.name} {record.levelname}: {record.getMessage()}\n"
        + _traceback_text(record)
        for record in records
        if record.levelno >= logging.WARNING and has_traceback(record)
    ]


# -- secrets ----------------------------------------------------------------


@dataclass
class SecretScanner:
    """Looks for passwords and tokens where users and logs can see them."""

    secrets: set[str] = field(default_factory=lambda: {PASSWORD, NEW_PASSWORD})
    leaks: list[str] = field(default_factory=list)
    # Shared by every scanner of the session, for the report.
    scanned: Counter[str] = field(default_factory=lambda: COLLECTOR.scanned)

    def learn_tokens(self, sim: MoogoSimulator, *entries: ConfigEntry) -> None:
        """Remember the tokens alive now (revoked ones match TOKEN_SHAPE)."""
        for account in sim.accounts:
            self.secrets.update(account.tokens)
        for entry in entries:
            token = entry.data.get(CONF_TOKEN)
            if isinstance(token, dict) and isinstance(token.get("token"), str):
                self.secrets.add(token["token"])

    def scan_text(self, where: str, text: str) -> None:
        """Record a leak if ``text`` holds a secret or a token-shaped string."""
        for secret in self.secrets:
            if secret and secret in text:
                self.leaks.append(f"{where}: contains {secret[:3]}...")
        if match := TOKEN_SHAPE.search(text):
            self.leaks.append(f"{where}: token-shaped {match.group()[:6]}...")

    def scan_records(self, records: Iterable[logging.LogRecord]) -> None:
        """Scan formatted log records, their arguments and tracebacks."""
        for record in records:
            self.scanned["log records"] += 1
            text = "\n".join(
                (record.getMessage(), repr(record.args), _traceback_text(record))
            )
            self.scan_text(f"log {record.name}", text)

    def scan_exception(self, error: BaseException) -> None:
        """Scan an exception, its chain, reprs and formatted traceback."""
        self.scanned["exceptions"] += 1
        texts = ["".join(traceback.format_exception(error))]
        for link in exception_chain(error):
            texts.extend((str(link), repr(link), repr(link.args)))
            placeholders = getattr(link, "translation_placeholders", None)
            texts.append(repr(placeholders))
        self.scan_text(f"exception {type(error).__name__}", "\n".join(texts))

    def scan_states(self, hass: HomeAssistant) -> None:
        """Scan every state and attribute HA holds."""
        for state in hass.states.async_all():
            self.scanned["entity states"] += 1
            self.scan_text(
                f"state {state.entity_id}",
                f"{state.state} {json.dumps(dict(state.attributes), default=str)}",
            )

    async def scan_diagnostics(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Scan the entry's and every device's diagnostics download."""
        from homeassistant.helpers import device_registry as dr  # noqa: PLC0415

        payloads: list[Any] = [await async_get_config_entry_diagnostics(hass, entry)]
        payloads.extend(
            [
                await async_get_device_diagnostics(hass, entry, device)
                for device in dr.async_entries_for_config_entry(
                    dr.async_get(hass), entry.entry_id
                )
            ]
        )
        for payload in payloads:
            self.scanned["diagnostics"] += 1
            self.scan_text("diagnostics", json.dumps(payload, default=str))

    def assert_clean(self) -> None:
        """Fail with every leak found."""
        assert not self.leaks, "secrets leaked:\n" + "\n".join(self.leaks)
