"""The sign-in budget of an entry: what leaves Home Assistant when sign-ins fail.

The cloud locks an account (the phone app included) for about a day after too
many sign-ins. Once the credentials are refused, no sign-in goes out until the
user gives new ones; a sign-in the cloud accepts with an unusable answer is
not repeated more than once in ten minutes, and three in a row stop sign-ins
with a repair issue. All of it holds across reloads and restarts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.moogo.api import SignInState
from custom_components.moogo.const import (
    CONF_SIGN_IN,
    CONF_TOKEN,
    DOMAIN,
    ISSUE_SIGN_IN_PAUSED,
    SIGN_IN_CREDENTIALS,
    SIGN_IN_NOT_BEFORE,
    SIGN_IN_REFUSED,
    SIGN_IN_UNUSABLE,
    UPDATE_INTERVAL,
)
from custom_components.moogo.entry_data import (
    stored_sign_in_state,
    without_sign_in_pause,
)
from tests.common import (
    EMAIL,
    ENTRY_TITLE,
    FROZEN_NOW,
    NEW_PASSWORD,
    PASSWORD,
    PATIO_ID,
    Cloud,
    advance,
    entity_id_of,
    make_entry,
)

AUTH_FAILED = (
    "The Moogo cloud rejected the account's credentials. "
    "Reauthenticate the Moogo integration"
)
# Longer than HA's longest wait between two setup retries.
SETUP_RETRY_STEP = timedelta(seconds=90)
HOUR = timedelta(hours=1)


def _flows(hass: HomeAssistant, source: str) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == source
    ]


def _paused_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"{ISSUE_SIGN_IN_PAUSED}_{entry.entry_id}"
    )


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _mist(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), entry.entry_id
    )
    assert device is not None
    await hass.services.async_call(
        DOMAIN, "mist", {ATTR_DEVICE_ID: device.id, "duration": 20}, blocking=True
    )


async def _assert_auth_error(call: Any) -> None:
    with pytest.raises(HomeAssistantError) as caught:
        await call
    assert caught.value.translation_key == "auth_failed"
    assert str(caught.value) == AUTH_FAILED


# -- refused credentials ----------------------------------------------------------


async def test_password_changed_elsewhere_signs_in_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """One refused sign-in; then 2 hours of actions, 6 of polls and a restart send none."""
    entry = make_entry(cloud)
    await _setup(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    await async_setup_component(hass, "homeassistant", {})
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), entry.entry_id
    )
    assert device is not None
    cloud.sim.change_password(EMAIL, NEW_PASSWORD)
    cloud.sim.reset_counts()

    # The next poll finds the token dead and signs in once: refused.
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.logins() == 1
    assert _flows(hass, SOURCE_REAUTH)
    assert entry.data[CONF_SIGN_IN][SIGN_IN_REFUSED] is True
    # A fingerprint, never the password.
    assert PASSWORD not in str(entry.data[CONF_SIGN_IN])
    assert len(entry.data[CONF_SIGN_IN][SIGN_IN_CREDENTIALS]) == 64
    requests = cloud.sim.total_requests

    # A calendar edit.
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "calendar/event/create",
            "entity_id": entity_id_of(hass, "calendar", PATIO_ID, "schedule"),
            "event": {
                "summary": "Mist",
                "dtstart": "2026-07-03T21:15:00-07:00",
                "dtend": "2026-07-03T21:17:00-07:00",
                "rrule": "FREQ=WEEKLY;BYDAY=FR",
            },
        }
    )
    answer = await ws.receive_json()
    assert not answer["success"]
    assert answer["error"]["message"] == AUTH_FAILED
    await ws.close()
    # An automation calls moogo.mist every 10 minutes for 2 hours.
    for _ in range(12):
        await _assert_auth_error(_mist(hass, entry))
        await advance(hass, freezer, timedelta(minutes=10))
    await _assert_auth_error(
        hass.services.async_call(
            DOMAIN,
            "add_schedule",
            {
                ATTR_DEVICE_ID: device.id,
                "time": "06:00",
                "duration": 30,
                "weekdays": ["sat"],
            },
            blocking=True,
        )
    )
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {ATTR_ENTITY_ID: entity_id_of(hass, "update", PATIO_ID, "firmware")},
        blocking=True,
    )
    await advance(hass, freezer, timedelta(hours=6))

    # A reload (as after a restart) with the same credentials: still nothing.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert cloud.logins() == 1
    assert cloud.sim.total_requests == requests
    assert not cloud.account.locked_until
    assert _flows(hass, SOURCE_REAUTH)

    # New credentials lift the refusal: the flow's sign-in, then the entry's own.
    flow = _flows(hass, SOURCE_REAUTH)[0]
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.state is ConfigEntryState.LOADED
    assert CONF_SIGN_IN not in entry.data
    assert cloud.logins() == 2
    await advance(hass, freezer, timedelta(minutes=10))
    cloud.sim.revoke_tokens()
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.logins() == 3
    assert entry.runtime_data.last_update_success


async def test_refusal_kept_for_the_same_credentials_only(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud
) -> None:
    """A restart keeps the refusal; a password changed in the entry lifts it."""
    freezer.move_to(FROZEN_NOW)
    cloud.sim.change_password(EMAIL, NEW_PASSWORD)
    entry = make_entry(cloud)
    await _setup(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert cloud.logins() == 1
    assert entry.data[CONF_SIGN_IN][SIGN_IN_REFUSED] is True

    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert cloud.logins() == 1
    assert entry.state is ConfigEntryState.SETUP_ERROR

    # Whoever writes the new password (reconfigure, reauth), the stored
    # refusal no longer matches the credentials.
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert cloud.logins() == 2
    assert CONF_SIGN_IN not in entry.data


# -- unusable sign-in answers ------------------------------------------------------


async def test_unusable_answers_during_setup_retries(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud
) -> None:
    """Accepted sign-ins with data null: 3 ten minutes apart, then a repair issue."""
    freezer.move_to(FROZEN_NOW)
    cloud.sim.faults.update({"null_data": True, "paths": ["/v1/user/login"]})
    entry = make_entry(cloud)
    await _setup(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert cloud.logins() == 1

    for _ in range(40):  # one hour of setup retries
        await advance(hass, freezer, SETUP_RETRY_STEP)
    assert cloud.logins() == 3
    assert entry.state is ConfigEntryState.SETUP_RETRY
    issue = _paused_issue(hass, entry)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_placeholders == {"title": ENTRY_TITLE, "count": "3"}
    assert entry.data[CONF_SIGN_IN][SIGN_IN_UNUSABLE] == 3

    # Silence from then on, also after a restart with the same credentials.
    for _ in range(40):
        await advance(hass, freezer, SETUP_RETRY_STEP)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert cloud.logins() == 3
    assert _paused_issue(hass, entry) is not None

    # The cloud works again and the user asks: one sign-in, and all is well.
    cloud.sim.reset_faults()
    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(
        DOMAIN, data={"issue_id": f"{ISSUE_SIGN_IN_PAUSED}_{entry.entry_id}"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"] == {"title": ENTRY_TITLE, "count": "3"}
    result = await manager.async_configure(result["flow_id"], {})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.state is ConfigEntryState.LOADED
    assert cloud.logins() == 4
    assert _paused_issue(hass, entry) is None
    assert CONF_SIGN_IN not in entry.data


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"null_data": True}, id="data_null"),
        pytest.param({"truncated_json": True}, id="truncated"),
        pytest.param({"http_status": 404}, id="not_found"),
    ],
)
async def test_unusable_answers_of_a_running_entry(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    fault: dict[str, Any],
) -> None:
    """The token dies while sign-in answers are unusable: 3 sign-ins, then none."""
    freezer.move_to(FROZEN_NOW)
    entry = make_entry(cloud)
    await _setup(hass, entry)
    await advance(hass, freezer, timedelta(minutes=10))
    cloud.sim.revoke_tokens()
    cloud.sim.reset_counts()
    cloud.sim.faults.update({**fault, "paths": ["/v1/user/login"]})

    for _ in range(120):  # one hour of polls
        await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.logins() == 3
    assert _paused_issue(hass, entry) is not None
    assert not entry.runtime_data.last_update_success

    for _ in range(120):
        await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.logins() == 3
    # Only the polls that found the token dead asked the cloud at all.
    assert cloud.sim.request_counts["GET /v1/devices"] == 1


async def test_command_held_back_by_the_floor_says_why(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud
) -> None:
    """A command that needs a sign-in the budget holds back fails translated, at once."""
    freezer.move_to(FROZEN_NOW)
    entry = make_entry(cloud)
    await _setup(hass, entry)
    cloud.sim.revoke_tokens()
    cloud.sim.faults.update({"null_data": True, "paths": ["/v1/user/login"]})
    await advance(hass, freezer, UPDATE_INTERVAL)
    assert cloud.logins() == 2
    cloud.sim.reset_counts()

    with pytest.raises(HomeAssistantError) as caught:
        await _mist(hass, entry)
    assert caught.value.translation_key == "sign_in_deferred"
    assert "protect the account from a lockout" in str(caught.value)
    assert cloud.logins() == 0
    assert entry.state is ConfigEntryState.LOADED


async def test_token_rejected_right_after_each_sign_in(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud
) -> None:
    """Sign-ins answer a token the cloud then rejects: at most 3, then silence."""
    freezer.move_to(FROZEN_NOW)
    entry = make_entry(cloud)
    await _setup(hass, entry)
    await advance(hass, freezer, timedelta(minutes=10))
    cloud.sim.reset_counts()
    cloud.sim.faults.update({"http_status": 401, "paths": ["/v1/devices"]})

    # An automation keeps asking, every minute, for two hours.
    for _ in range(120):
        with pytest.raises(HomeAssistantError):
            await _mist(hass, entry)
        await advance(hass, freezer, timedelta(minutes=1))
    assert cloud.logins() <= 3
    assert _paused_issue(hass, entry) is not None


# -- token lifetimes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("ttl", "logins_an_hour"),
    [
        # The cloud ends each token after 5 s: the spare re-login at once,
        # then one every ten minutes.
        pytest.param(5, (6, 6), id="5s"),
        # A lifetime beyond belief never expires locally: no sign-in at all.
        pytest.param(10**12, (0, 0), id="huge"),
    ],
)
async def test_token_lifetime_never_means_a_sign_in_per_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    ttl: int,
    logins_an_hour: tuple[int, int],
) -> None:
    freezer.move_to(FROZEN_NOW)
    cloud.sim.configure(token_ttl=ttl)
    entry = make_entry(cloud)
    await _setup(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data[CONF_TOKEN]["expires_at"] is None

    for hour in range(2):
        cloud.sim.reset_counts()
        for _ in range(116):  # one hour of polls (31 s apart)
            await advance(hass, freezer, UPDATE_INTERVAL)
        assert cloud.logins() == logins_an_hour[hour]
    assert _paused_issue(hass, entry) is None


# -- what the entry stores -------------------------------------------------------------


def test_a_fix_flow_keeps_a_refusal_and_lifts_the_rest() -> None:
    """Asking to sign in now ends a pause or a lockout, never a refusal."""
    saved = {
        SIGN_IN_CREDENTIALS: "f" * 64,
        SIGN_IN_REFUSED: True,
        SIGN_IN_NOT_BEFORE: "2026-07-01T18:10:00+00:00",
        SIGN_IN_UNUSABLE: 2,
    }
    data = {CONF_PASSWORD: PASSWORD, CONF_SIGN_IN: saved}
    assert without_sign_in_pause(data) == {
        CONF_PASSWORD: PASSWORD,
        CONF_SIGN_IN: {SIGN_IN_CREDENTIALS: "f" * 64, SIGN_IN_REFUSED: True},
    }
    assert (
        without_sign_in_pause({CONF_SIGN_IN: {**saved, SIGN_IN_REFUSED: False}}) == {}
    )


@pytest.mark.parametrize(
    "saved",
    [
        pytest.param("garbage", id="not_a_mapping"),
        pytest.param({SIGN_IN_CREDENTIALS: "other", SIGN_IN_REFUSED: True}, id="other"),
    ],
)
def test_a_sign_in_state_of_other_credentials_is_ignored(saved: object) -> None:
    assert stored_sign_in_state({CONF_SIGN_IN: saved}, "f" * 64) == SignInState()


def test_an_unreadable_sign_in_state_holds_nothing_back() -> None:
    saved = {
        SIGN_IN_CREDENTIALS: "f" * 64,
        SIGN_IN_REFUSED: "yes",
        SIGN_IN_NOT_BEFORE: 12,
        SIGN_IN_UNUSABLE: True,
    }
    assert stored_sign_in_state({CONF_SIGN_IN: saved}, "f" * 64) == SignInState()
