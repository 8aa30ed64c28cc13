"""The client's token and sign-in state, kept in the entry and told to the user."""

from __future__ import annotations

from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import MoogoClient
from .const import CONF_TOKEN, DOMAIN, ISSUE_RATE_LIMITED, ISSUE_SIGN_IN_PAUSED
from .entry_data import (
    stored_login_block,
    with_login_block,
    with_sign_in_state,
    with_token,
)


def _issue_id(entry: ConfigEntry) -> str:
    return f"{ISSUE_RATE_LIMITED}_{entry.entry_id}"


@callback
def _async_raise_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    key: str,
    data: dict[str, str | int],
    placeholders: dict[str, str] | None = None,
) -> None:
    """Raise the entry's fixable sign-in issue ``key``; its fix flow reads ``data``."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{key}_{entry.entry_id}",
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key=key,
        translation_placeholders={"title": entry.title, **(placeholders or {})},
        data={"entry_id": entry.entry_id, **data},
    )


@callback
def async_raise_rate_limit_issue(
    hass: HomeAssistant, entry: ConfigEntry, retry_at: datetime
) -> None:
    """Tell the user about the lockout; its fix flow lets them try at once."""
    # The fix flow's text says when Home Assistant tries by itself (shown in
    # HA's time zone, named).
    _async_raise_issue(
        hass,
        entry,
        ISSUE_RATE_LIMITED,
        {"retry_at": dt_util.as_utc(retry_at).isoformat()},
    )


@callback
def async_delete_rate_limit_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Withdraw the lockout issue: the account answers again."""
    ir.async_delete_issue(hass, DOMAIN, _issue_id(entry))


def _paused_issue_id(entry: ConfigEntry) -> str:
    return f"{ISSUE_SIGN_IN_PAUSED}_{entry.entry_id}"


@callback
def _async_show_sign_in_pause(
    hass: HomeAssistant, entry: ConfigEntry, client: MoogoClient
) -> None:
    """Tell the user while unusable answers keep the client from signing in."""
    state = client.sign_in_state
    if not state.paused:
        ir.async_delete_issue(hass, DOMAIN, _paused_issue_id(entry))
        return
    # The fix flow's text says how many answers could not be used.
    _async_raise_issue(
        hass,
        entry,
        ISSUE_SIGN_IN_PAUSED,
        {"count": state.unusable_answers},
        {"count": str(state.unusable_answers)},
    )


@callback
def async_store_client_state(
    hass: HomeAssistant, entry: ConfigEntry, client: MoogoClient
) -> None:
    """Keep the client's token and sign-in state in the entry when they changed.

    Read after every update and command instead of callbacks from the client,
    so the state flows one way: client, then coordinator, then entry. The
    sign-in state is stored with the fingerprint of the client's own
    credentials: a client still running on credentials the user has just
    replaced cannot hold back the new ones.
    """
    data = dict(entry.data)
    token = client.token
    if token is not None and token.as_dict() != data.get(CONF_TOKEN):
        # A working login also ends any lockout.
        async_delete_rate_limit_issue(hass, entry)
        data = with_token(data, token)
    blocked_until = client.login_blocked_until
    if blocked_until is not None and blocked_until != stored_login_block(data):
        data = with_login_block(data, blocked_until)
        async_raise_rate_limit_issue(hass, entry, blocked_until)
    data = with_sign_in_state(
        data, client.sign_in_state, client.credentials_fingerprint(entry.entry_id)
    )
    if data != entry.data:
        hass.config_entries.async_update_entry(entry, data=data)
    _async_show_sign_in_pause(hass, entry, client)
