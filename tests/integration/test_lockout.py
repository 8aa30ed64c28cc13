"""Account lockout (code 10000): HA waits it out instead of extending it.

Every sign-in attempt on a locked account restarts the cloud's 24 hour lock,
so after one refused login the entry signs in no more until the back-off
kept in its data ends, across setup retries and restarts, unless the user
explicitly asks to try now (the repair issue's fix flow, reauth, reconfigure).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.components.repairs.issue_handler import RepairsFlowManager
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo.api.const import LOGIN_BACKOFF_SECONDS
from custom_components.moogo.config_flow import SECTION_ADVANCED
from custom_components.moogo.const import (
    CONF_API_URL,
    CONF_LOGIN_BLOCKED_UNTIL,
    DOMAIN,
    ISSUE_RATE_LIMITED,
    UPDATE_INTERVAL,
)
from tests.common import (
    EMAIL,
    ENTRY_TITLE,
    PASSWORD,
    PATIO_ID,
    Cloud,
    advance,
    entity_id_of,
    make_entry,
)

BACKOFF = timedelta(seconds=LOGIN_BACKOFF_SECONDS)
# Longer than HA's longest wait between two setup retries.
SETUP_RETRY_STEP = timedelta(seconds=90)


def _issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"{ISSUE_RATE_LIMITED}_{entry.entry_id}"
    )


def _blocked_until(entry: MockConfigEntry) -> datetime | None:
    value = entry.data.get(CONF_LOGIN_BLOCKED_UNTIL)
    return dt_util.parse_datetime(value) if value else None


async def _locked_out_entry(hass: HomeAssistant, cloud: Cloud) -> MockConfigEntry:
    """Set up an entry whose only login is refused with 10000."""
    cloud.sim.faults.rate_limit = True
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert cloud.logins() == 1
    return entry


async def _running_entry_whose_account_locks(
    hass: HomeAssistant, cloud: Cloud
) -> MockConfigEntry:
    """Load an entry, then lock the account and kill its token: a login is due."""
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    cloud.sim.revoke_tokens()
    cloud.sim.faults.rate_limit = True
    cloud.sim.reset_counts()
    return entry


async def test_refused_login_is_not_repeated_across_setup_retries(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    """One refused login, then none until the back-off ends; then one that works."""
    freezer.move_to("2026-07-01T18:00:00+00:00")
    entry = await _locked_out_entry(hass, cloud)
    refused_at = dt_util.utcnow()

    assert _blocked_until(entry) == refused_at + BACKOFF
    issue = _issue(hass, entry)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.data is not None
    assert issue.data["retry_at"] == (refused_at + BACKOFF).isoformat()

    # The cloud would accept a login again (a lock that ended early), yet an
    # hour of setup retries sends none.
    cloud.sim.reset_faults()
    for _ in range(40):
        await advance(hass, freezer, SETUP_RETRY_STEP)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert cloud.logins() == 1
    assert _issue(hass, entry) is not None

    # Past the back-off, the next retry signs in once and everything is back.
    freezer.move_to(refused_at + BACKOFF)
    await advance(hass, freezer, SETUP_RETRY_STEP)
    assert entry.state is ConfigEntryState.LOADED
    assert cloud.logins() == 2
    assert _issue(hass, entry) is None
    assert CONF_LOGIN_BLOCKED_UNTIL not in entry.data


async def test_back_off_survives_a_restart(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    """A block saved before HA stopped still holds: setup sends no login."""
    freezer.move_to("2026-07-01T18:00:00+00:00")
    entry = make_entry(cloud)
    until = dt_util.utcnow() + timedelta(hours=5)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_LOGIN_BLOCKED_UNTIL: until.isoformat()}
    )

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert cloud.sim.total_requests == 0
    assert _issue(hass, entry) is not None
    assert _blocked_until(entry) == until


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("2026-07-01T17:59:00+00:00", id="ended"),
        pytest.param("not a time", id="unreadable"),
        pytest.param(12345, id="not_text"),
    ],
)
async def test_ended_or_unreadable_back_off_lets_setup_sign_in(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    stored: object,
) -> None:
    freezer.move_to("2026-07-01T18:00:00+00:00")
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_LOGIN_BLOCKED_UNTIL: stored}
    )

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry.state is ConfigEntryState.LOADED
    assert cloud.logins() == 1
    assert CONF_LOGIN_BLOCKED_UNTIL not in entry.data


async def test_polling_sends_no_login_while_blocked(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    """A lockout met by a running entry: polls stay local until the back-off ends."""
    freezer.move_to("2026-07-01T18:00:00+00:00")
    entry = await _running_entry_whose_account_locks(hass, cloud)

    await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.logins() == 1
    refused_at = dt_util.utcnow()
    cloud.sim.reset_faults()
    for _ in range(20):
        await advance(hass, freezer, UPDATE_INTERVAL)

    # One list request answered 401 and one refused login; then nothing.
    assert cloud.logins() == 1
    assert cloud.sim.total_requests == 2
    assert not entry.runtime_data.last_update_success
    assert _issue(hass, entry) is not None

    freezer.move_to(refused_at + BACKOFF)
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert entry.runtime_data.last_update_success
    assert cloud.logins() == 2
    assert _issue(hass, entry) is None


async def test_command_meeting_a_lockout_starts_the_back_off(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    """A refused login during a command is kept and shown like one in a poll."""
    freezer.move_to("2026-07-01T18:00:00+00:00")
    entry = await _running_entry_whose_account_locks(hass, cloud)
    switch = entity_id_of(hass, "switch", PATIO_ID, "spray")

    for _ in range(2):
        with pytest.raises(HomeAssistantError) as caught:
            await hass.services.async_call(
                "switch", "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
            )
        assert caught.value.translation_key == "rate_limited"

    assert cloud.logins() == 1
    assert _blocked_until(entry) == dt_util.utcnow() + BACKOFF
    assert _issue(hass, entry) is not None


def _fix_flow_manager(hass: HomeAssistant) -> RepairsFlowManager:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return manager


async def _start_fix_flow(
    hass: HomeAssistant, entry: MockConfigEntry
) -> tuple[str, dict[str, str]]:
    assert await async_setup_component(hass, "repairs", {})
    result = await _fix_flow_manager(hass).async_init(
        DOMAIN, data={"issue_id": f"{ISSUE_RATE_LIMITED}_{entry.entry_id}"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"
    return result["flow_id"], dict(result["description_placeholders"] or {})


async def test_fix_flow_signs_in_at_once(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    """The user knows the lock is over: one login now, and the entry loads."""
    freezer.move_to("2026-07-01T18:00:00+00:00")
    entry = await _locked_out_entry(hass, cloud)
    cloud.sim.reset_faults()

    flow_id, placeholders = await _start_fix_flow(hass, entry)
    # Local time with HA's time zone named, not a bare clock time.
    retry_local = dt_util.as_local(dt_util.utcnow() + BACKOFF)
    assert placeholders == {
        "title": ENTRY_TITLE,
        "retry_at": f"{retry_local:%Y-%m-%d %H:%M} ({hass.config.time_zone})",
    }
    assert cloud.logins() == 1
    result = await _fix_flow_manager(hass).async_configure(flow_id, {})
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.state is ConfigEntryState.LOADED
    assert cloud.logins() == 2
    assert _issue(hass, entry) is None
    assert CONF_LOGIN_BLOCKED_UNTIL not in entry.data


async def test_fix_flow_on_a_still_locked_account_restarts_the_back_off(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-07-01T18:00:00+00:00")
    entry = await _locked_out_entry(hass, cloud)
    freezer.tick(timedelta(hours=2))

    flow_id, _ = await _start_fix_flow(hass, entry)
    await _fix_flow_manager(hass).async_configure(flow_id, {})
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert cloud.logins() == 2
    assert _issue(hass, entry) is not None
    assert _blocked_until(entry) == dt_util.utcnow() + BACKOFF


async def test_fix_flow_of_a_removed_entry_aborts(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    entry = await _locked_out_entry(hass, cloud)
    assert await async_setup_component(hass, "repairs", {})
    manager = _fix_flow_manager(hass)
    issue_id = f"{ISSUE_RATE_LIMITED}_{entry.entry_id}"
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    # The issue outlives the entry only until HA's cleanup; open it before.
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_RATE_LIMITED,
        translation_placeholders={"title": EMAIL},
        data={"entry_id": entry.entry_id, "retry_at": "2026-07-02 18:15"},
    )

    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_removed"
    assert cloud.logins() == 1


async def test_reauth_lifts_the_back_off(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-07-01T18:00:00+00:00")
    entry = await _locked_out_entry(hass, cloud)
    cloud.sim.reset_faults()

    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert CONF_LOGIN_BLOCKED_UNTIL not in entry.data
    assert entry.state is ConfigEntryState.LOADED
    # The flow's own login; the reloaded entry reuses its token.
    assert cloud.logins() == 2
    assert _issue(hass, entry) is None


async def test_reconfigure_lifts_the_back_off(
    hass: HomeAssistant, cloud: Cloud, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-07-01T18:00:00+00:00")
    entry = await _locked_out_entry(hass, cloud)
    cloud.sim.reset_faults()

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_EMAIL: EMAIL,
            CONF_PASSWORD: PASSWORD,
            SECTION_ADVANCED: {CONF_API_URL: cloud.sim.url},
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert CONF_LOGIN_BLOCKED_UNTIL not in entry.data
    assert entry.state is ConfigEntryState.LOADED
    assert cloud.logins() == 2


async def test_fix_flow_shows_an_unreadable_retry_time_as_stored(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """An issue whose stored time does not parse still opens, showing it as is."""
    entry = await _locked_out_entry(hass, cloud)
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{ISSUE_RATE_LIMITED}_{entry.entry_id}",
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_RATE_LIMITED,
        translation_placeholders={"title": EMAIL},
        data={"entry_id": entry.entry_id, "retry_at": "tomorrow evening"},
    )
    _, placeholders = await _start_fix_flow(hass, entry)
    assert placeholders["retry_at"] == "tomorrow evening"
