"""The client's token and lockout, kept in the entry and told to the user."""

from __future__ import annotations

from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import MoogoClient
from .const import CONF_TOKEN, DOMAIN, ISSUE_RATE_LIMITED
from .entry_data import stored_login_block, with_login_block, with_token


def _issue_id(entry: ConfigEntry) -> str:
    return f"{ISSUE_RATE_LIMITED}_{entry.entry_id}"


@callback
def async_raise_rate_limit_issue(
    hass: HomeAssistant, entry: ConfigEntry, retry_at: datetime
) -> None:
    """Tell the user about the lockout; its fix flow lets them try at once."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(entry),
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_RATE_LIMITED,
        translation_placeholders={"title": entry.title},
        # The fix flow's text says when Home Assistant tries by itself
        # (shown in HA's time zone, named).
        data={
            "entry_id": entry.entry_id,
            "retry_at": dt_util.as_utc(retry_at).isoformat(),
        },
    )


@callback
def async_delete_rate_limit_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Withdraw the lockout issue: the account answers again."""
    ir.async_delete_issue(hass, DOMAIN, _issue_id(entry))


@callback
def async_store_client_state(
    hass: HomeAssistant, entry: ConfigEntry, client: MoogoClient
) -> None:
    """Keep the client's token and lockout in the entry when they changed.

    Read after every update and command instead of callbacks from the client,
    so the state flows one way: client, then coordinator, then entry.
    """
    token = client.token
    if token is not None and token.as_dict() != entry.data.get(CONF_TOKEN):
        # A working login also ends any lockout.
        async_delete_rate_limit_issue(hass, entry)
        hass.config_entries.async_update_entry(
            entry, data=with_token(entry.data, token)
        )
    blocked_until = client.login_blocked_until
    if blocked_until is not None and blocked_until != stored_login_block(entry.data):
        hass.config_entries.async_update_entry(
            entry, data=with_login_block(entry.data, blocked_until)
        )
        async_raise_rate_limit_issue(hass, entry, blocked_until)
