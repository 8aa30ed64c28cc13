"""Every fault in every phase: the right outcome, and nothing else goes wrong.

One test per cell of ``matrix.EXPECTED`` (the background phase's are in
test_background_faults.py, which runs the recorder). Each test injects the
fault with the simulator's knobs (or by stopping the simulator), drives the
phase through Home Assistant, classifies what a user would see, clears the
fault, waits at most one update interval (or answers the reauth flow / sends
the form again) and then checks the invariants listed in docs/reliability.md
before it records the row of the report. A lockout is the exception: the
integration must not sign in until its back-off ends, so those rows show an
hour of timers without a login and then the user's "sign in now" fix flow
(waiting out the back-off is in test_lockout.py, which moves the clock).

The real clock runs (no freezer): latency faults and the integration's own
timeouts need real time; HA's timers are fired with ``tick``.
"""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.const import (
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    CONF_EMAIL,
    CONF_PASSWORD,
    SERVICE_TURN_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.moogo import config_flow
from custom_components.moogo.config_flow import SECTION_ADVANCED
from custom_components.moogo.const import (
    CONF_API_URL,
    CONF_TOKEN,
    DOMAIN,
    ISSUE_RATE_LIMITED,
    UPDATE_INTERVAL,
)
from tests.common import (
    DEVICE_NAMES,
    EMAIL,
    GARDEN_ID,
    NEW_PASSWORD,
    PASSWORD,
    PATIO_ID,
    Cloud,
    make_entry,
    tick,
)

from .common import (
    EntryFacts,
    assert_entry_survived,
    complete_reauth,
    entry_view,
    leftovers,
    mist_switch,
    reauth_flows,
    sign_in_now,
)
from .conftest import Guard
from .matrix import EXPECTED, ONE_LOGIN, Fault, Phase, cells
from .report import COLLECTOR, CaseRecord

# The time limit the integration gives each request, set where clients are
# made; every case runs with a short one, so that a "timeout" (the
# simulator's latency past it) costs a second, not 15.
REQUEST_LIMITS = (
    "custom_components.moogo.REQUEST_TIMEOUT",
    "custom_components.moogo.config_flow.REQUEST_TIMEOUT",
)
SHORT_LIMIT = 1.0
LATENCY = 3.0
SLOW = 0.6  # within SHORT_LIMIT for one request, past it for two in a row
# The sign-in floor, short enough to wait out in real time.
SHORT_FLOOR = timedelta(seconds=2)
# The simulator's Retry-After on a 429, which the next poll waits.
THROTTLE_WAIT = timedelta(seconds=60)

EXCEPTION_KEYS = set(
    json.loads(Path(config_flow.__file__).with_name("strings.json").read_text())[
        "exceptions"
    ]
)


@dataclass
class Case:
    """One fault in one phase, while it runs."""

    hass: HomeAssistant
    cloud: Cloud
    guard: Guard
    fault: Fault
    phase: Phase
    stack: ExitStack = field(default_factory=ExitStack)
    entry: ConfigEntry | None = None
    logins: int = 0

    @property
    def targets(self) -> list[str]:
        """The devices a command or action is sent to."""
        if self.fault.key == "one_device_failing":
            return [GARDEN_ID, PATIO_ID]
        return [PATIO_ID]

    async def inject(self) -> None:
        """Break the cloud the way the fault says, then start counting."""
        sim = self.cloud.sim
        in_flow = self.phase.key == "config_flow"
        match self.fault.key:
            case "timeout":
                sim.faults.latency = LATENCY
            case "connection_refused":
                await self.cloud.stop()
            case "http_5xx":
                sim.faults.http_status = 503
            case "html_error":
                sim.faults.html_error = True
            case "truncated_json":
                sim.faults.truncated_json = True
            case "null_data":
                sim.faults.null_data = True
            case "token_revoked" if in_flow:
                sim.faults.update({"http_status": 401, "paths": ["/v1/user/login"]})
            case "token_revoked":
                sim.revoke_tokens()
            case "password_changed":
                sim.change_password(EMAIL, NEW_PASSWORD)
            case "rate_limit":
                if not in_flow:
                    sim.revoke_tokens()
                sim.faults.rate_limit = True
            case "device_offline":
                sim.set_online(PATIO_ID, False)
            case "one_device_failing":
                sim.faults.update(
                    {"http_status": 500, "paths": [f"/v1/devices/{GARDEN_ID}"]}
                )
                # A detail is read on the device's turn or when its list entry
                # changes: renamed in the app, the Garden is read this poll.
                sim.device(GARDEN_ID).name = "Back garden"
            case "garbled_total":
                sim.faults.garbled_total = True
            case "repeating_pages":
                sim.configure(page_size_limit=1)
                sim.faults.repeating_pages = True
            case "no_schedule_switch":
                sim.faults.no_schedule_switch = True
                # Schedules are read on a 30-minute turn: this poll reads them.
                self._slow_data_due()
            case "odd_next_run":
                sim.faults.odd_next_run = True
                self._slow_data_due()
            case "redirect":
                sim.faults.http_status = 307
            case "throttled":
                sim.faults.http_status = 429
            case "unusable_sign_in":
                if not in_flow:
                    sim.revoke_tokens()
                sim.faults.update({"null_data": True, "paths": ["/v1/user/login"]})
            case "slow_answers":
                sim.faults.latency = SLOW
            case _:  # pragma: no cover - a new fault needs a branch here
                raise AssertionError(f"unknown fault {self.fault.key}")
        sim.reset_counts()

    def _slow_data_due(self) -> None:
        """Have the next poll read every device's schedules too."""
        if self.entry is not None and self.entry.state is ConfigEntryState.LOADED:
            self.entry.runtime_data.reader.mark_all_due(
                self.entry.runtime_data.data.devices
            )

    def count_logins(self) -> int:
        """Logins since the fault was injected; at most one, ever."""
        self.logins = self.cloud.logins()
        if self.fault.key in ONE_LOGIN:
            # One login after the rejected token (or the flow's own), whose
            # refusal (10104, 10000) is final: never a second attempt.
            assert self.logins == 1, f"{self.logins} logins, expected exactly 1"
        else:
            assert self.logins <= 1, f"{self.logins} logins during one fault"
        return self.logins

    async def clear(self) -> None:
        """End the fault (a changed password stays changed: reauth fixes it)."""
        self.stack.close()
        self.cloud.sim.reset_faults()
        self.cloud.sim.configure(page_size_limit=None)
        if self.fault.key == "connection_refused":
            await self.cloud.restart()
        if self.fault.key == "device_offline":
            self.cloud.sim.set_online(PATIO_ID, True)
        if self.fault.key == "unusable_sign_in":
            # The floor after the unusable sign-in passes in real time.
            await asyncio.sleep(SHORT_FLOOR.total_seconds())

    def issue_suffix(self, entry: ConfigEntry) -> str:
        issue = ir.async_get(self.hass).async_get_issue(
            DOMAIN, f"{ISSUE_RATE_LIMITED}_{entry.entry_id}"
        )
        return " + repair issue" if issue is not None else ""

    def has_issue(self, entry: ConfigEntry) -> bool:
        return bool(self.issue_suffix(entry))


# -- driving each phase --------------------------------------------------------


def _user_input(url: str, password: str) -> dict[str, Any]:
    return {
        CONF_EMAIL: EMAIL,
        CONF_PASSWORD: password,
        SECTION_ADVANCED: {CONF_API_URL: url},
    }


async def _setup(hass: HomeAssistant, entry: ConfigEntry) -> None:
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def loaded_entry(case: Case) -> ConfigEntry:
    entry = make_entry(case.cloud)
    entry.add_to_hass(case.hass)
    await _setup(case.hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry_view(case.hass, entry) == "all entities available"
    return entry


async def run_config_flow(case: Case) -> tuple[str, str]:
    """Submit the user step during the fault; then once more after it."""
    hass = case.hass
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    await case.inject()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(case.cloud.url, PASSWORD)
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    case.count_logins()
    if result["type"] is FlowResultType.CREATE_ENTRY:
        observed = "entry created"
        await case.clear()
        await tick(hass, UPDATE_INTERVAL)
        recovery = "next poll: all entities available"
    else:
        assert result["type"] is FlowResultType.FORM
        observed = f"form error: {result['errors']['base']}"
        # A failed attempt leaves nothing behind: no entry, the form again.
        assert not hass.config_entries.async_entries(DOMAIN)
        await case.clear()
        password = NEW_PASSWORD if case.fault.key == "password_changed" else PASSWORD
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _user_input(case.cloud.url, password)
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY, result
        await hass.async_block_till_done(wait_background_tasks=True)
        recovery = "form sent again: entry created, all entities available"
        if case.fault.key == "password_changed":
            recovery = "form sent with the new password: entry created"
    entries = hass.config_entries.async_entries(DOMAIN)
    assert len(entries) == 1
    case.entry = entries[0]
    assert case.entry.data[CONF_EMAIL] == EMAIL
    assert case.entry.data[CONF_TOKEN]["token"]
    return observed, recovery


# Longer than HA's longest wait between two setup retries, and than a poll.
TIMER_STEP = timedelta(seconds=90)
LOCKOUT_TICKS = 40  # an hour of polls or setup retries


async def after_lockout(case: Case) -> str:
    """Fire an hour of timers without a login, then let the user sign in now."""
    assert case.entry is not None
    for _ in range(LOCKOUT_TICKS):
        await tick(case.hass, TIMER_STEP)
    assert case.cloud.logins() == case.logins, "a login during the back-off"
    await sign_in_now(case.hass, case.entry)
    return "no login in 1 h of timers; fix flow 'sign in now': loaded"


async def run_setup(case: Case) -> tuple[str, str]:
    """HA restarts with the stored token while the cloud is broken."""
    hass = case.hass
    entry = case.entry = await loaded_entry(case)
    assert await hass.config_entries.async_unload(entry.entry_id)
    before = EntryFacts.of(entry)
    assert before.has_token
    await case.inject()
    await _setup(hass, entry)
    case.count_logins()
    if entry.state is ConfigEntryState.SETUP_RETRY:
        observed = "ConfigEntryNotReady: setup retried" + case.issue_suffix(entry)
    elif entry.state is ConfigEntryState.SETUP_ERROR and reauth_flows(hass, entry):
        observed = "ConfigEntryAuthFailed: reauth flow"
    elif entry.state is ConfigEntryState.LOADED:
        observed = f"loaded: {entry_view(hass, entry)}"
    else:  # pragma: no cover - reported as a mismatch
        observed = f"entry state {entry.state.value}"
    assert_entry_survived(hass, before)
    await case.clear()
    if case.fault.key == "rate_limit":
        recovery = await after_lockout(case)
    elif reauth_flows(hass, entry):
        await complete_reauth(hass, entry)
        recovery = "reauth answered with the new password: loaded"
    else:
        await tick(hass, UPDATE_INTERVAL)
        recovery = (
            "setup retried by itself (5 s): loaded"
            if observed.startswith("ConfigEntryNotReady")
            else "next poll: all entities available"
        )
    return observed, recovery


async def run_refresh(case: Case) -> tuple[str, str]:
    """The regular poll runs while the cloud is broken."""
    hass = case.hass
    entry = case.entry = await loaded_entry(case)
    before = EntryFacts.of(entry)
    await case.inject()
    await tick(hass, UPDATE_INTERVAL)
    case.count_logins()
    view = entry_view(hass, entry)
    if reauth_flows(hass, entry):
        observed = f"ConfigEntryAuthFailed: reauth flow; {view}"
    elif not entry.runtime_data.last_update_success:
        observed = f"UpdateFailed: {view}"
    else:
        observed = f"refreshed: {view}"
    observed += case.issue_suffix(entry)
    assert_entry_survived(hass, before)
    await case.clear()
    if case.fault.key == "rate_limit":
        recovery = await after_lockout(case)
    elif reauth_flows(hass, entry):
        await complete_reauth(hass, entry)
        recovery = "reauth answered with the new password: loaded"
    elif case.fault.key == "throttled":
        await tick(hass, THROTTLE_WAIT)
        recovery = "next poll, after the 60 s the cloud asked for: all available"
    else:
        await tick(hass, UPDATE_INTERVAL)
        recovery = "next poll: all entities available"
    # A lockout that ended leaves no repair issue behind.
    assert not case.has_issue(entry)
    return observed, recovery


async def _turn_on(hass: HomeAssistant, device_id: str) -> None:
    await hass.services.async_call(
        "switch",
        SERVICE_TURN_ON,
        {ATTR_ENTITY_ID: mist_switch(hass, device_id)},
        blocking=True,
    )


async def _mist(hass: HomeAssistant, device_id: str) -> None:
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, device_id), entry.entry_id
    )
    assert device is not None
    await hass.services.async_call(
        DOMAIN, "mist", {ATTR_DEVICE_ID: device.id, "duration": 20}, blocking=True
    )


async def _run_calls(case: Case, call: Any) -> str:
    outcomes = []
    for device_id in case.targets:
        error: HomeAssistantError | None = None
        try:
            await call(case.hass, device_id)
        except HomeAssistantError as err:
            error = err
        outcome = "ok"
        if error is not None:
            # Translated: our domain, a key with a message in strings.json.
            assert error.translation_domain == DOMAIN, error
            assert error.translation_key in EXCEPTION_KEYS, error
            case.guard.scanner.scan_exception(error)
            outcome = f"HomeAssistantError({error.translation_key})"
        prefix = f"{DEVICE_NAMES[device_id]}: " if len(case.targets) > 1 else ""
        outcomes.append(prefix + outcome)
    await case.hass.async_block_till_done(wait_background_tasks=True)
    return "; ".join(outcomes)


async def _run_user_call(case: Case, call: Any) -> tuple[str, str]:
    hass = case.hass
    entry = case.entry = await loaded_entry(case)
    before = EntryFacts.of(entry)
    await case.inject()
    observed = await _run_calls(case, call)
    case.count_logins()
    if reauth_flows(hass, entry):
        observed += " + reauth flow"
    observed += case.issue_suffix(entry)
    assert_entry_survived(hass, before)
    await case.clear()
    recovery = ""
    if case.fault.key == "rate_limit":
        recovery = await after_lockout(case) + "; "
    elif reauth_flows(hass, entry):
        await complete_reauth(hass, entry)
        recovery = "reauth answered with the new password; "
    again = await _run_calls(case, call)
    assert "HomeAssistantError" not in again, again
    await tick(hass, UPDATE_INTERVAL)
    return observed, recovery + "repeated: ok; next poll: all entities available"


async def run_command(case: Case) -> tuple[str, str]:
    """Turn a Spray switch on while the cloud is broken."""
    return await _run_user_call(case, _turn_on)


async def run_action(case: Case) -> tuple[str, str]:
    """Call moogo.mist while the cloud is broken."""
    return await _run_user_call(case, _mist)


RUNNERS = {
    "config_flow": run_config_flow,
    "setup": run_setup,
    "refresh": run_refresh,
    "command": run_command,
    "action": run_action,
}


def short_limits() -> ExitStack:
    """Shorten each request's time limit and the floor between sign-ins."""
    short = ExitStack()
    for target in REQUEST_LIMITS:
        short.enter_context(patch(target, SHORT_LIMIT))
    short.enter_context(
        patch("custom_components.moogo.api.auth._LOGIN_FLOOR", SHORT_FLOOR)
    )
    return short


async def finish(case: Case, observed: str, recovery: str) -> None:
    """Check the outcome and every invariant after recovery; record the row."""
    hass, cloud, guard = case.hass, case.cloud, case.guard
    expected = EXPECTED[(case.fault.key, case.phase.key)]
    assert observed == expected

    # Recovered by itself: loaded, every entity back, no reauth left open.
    entry = case.entry
    assert entry is not None
    assert entry.state is ConfigEntryState.LOADED
    assert entry_view(hass, entry) == "all entities available"
    assert not reauth_flows(hass, entry)

    # No secret where a user or a log could see it.
    guard.scanner.learn_tokens(cloud.sim, entry)
    guard.scanner.scan_states(hass)
    await guard.scanner.scan_diagnostics(hass, entry)

    # Unloading leaves nothing of ours behind, and HA's session open.
    client = entry.runtime_data.client
    assert client.has_injected_session
    assert client._session is async_get_clientsession(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert not async_get_clientsession(hass).closed
    assert leftovers(hass) == []

    guard.check(cloud)
    COLLECTOR.record_case(
        CaseRecord(
            case.fault.key, case.phase.key, expected, observed, case.logins, recovery
        )
    )


# The background phase needs the recorder: test_background_faults.py runs it.
@pytest.mark.parametrize(
    ("fault", "phase"),
    [pytest.param(f, p, id=f"{f.key}-{p.key}") for f, p in cells() if p.key in RUNNERS],
)
async def test_fault(
    hass: HomeAssistant, cloud: Cloud, guard: Guard, fault: Fault, phase: Phase
) -> None:
    """Inject, observe, clear, recover; then check every invariant."""
    case = Case(hass, cloud, guard, fault, phase)
    with short_limits():
        try:
            observed, recovery = await RUNNERS[phase.key](case)
        finally:
            case.stack.close()
    await finish(case, observed, recovery)
