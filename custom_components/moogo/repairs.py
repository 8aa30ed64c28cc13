"""Repair flows: let the user sign in again at once after a lockout or a pause."""

from __future__ import annotations

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import probatio as vol

from .const import ISSUE_RATE_LIMITED, ISSUE_SIGN_IN_PAUSED
from .entry_data import without_sign_in_pause


def _local_time_with_zone(hass: HomeAssistant, moment: str) -> str:
    """Return a stored moment as HA's local time, with the zone named.

    The user may read it from another zone than HA's (a phone abroad); a bare
    clock time would be ambiguous.
    """
    if (parsed := dt_util.parse_datetime(moment)) is None:
        return moment
    return f"{dt_util.as_local(parsed):%Y-%m-%d %H:%M} ({hass.config.time_zone})"


class SignInNowRepairFlow(RepairsFlow):
    """Lift what holds back one entry's sign-ins at the user's explicit request.

    The lockout back-off: Home Assistant waits it out by itself; this is for a
    user who knows the lock is over early (the Moogo app signs in again) and
    accepts that one attempt on a still-locked account extends the lock. The
    pause after unusable sign-in answers: only the user ends it. A refusal of
    the credentials stays: only new credentials (reauth) lift it.
    """

    def __init__(self, entry_id: str | None, placeholders: dict[str, str]) -> None:
        """Remember which entry the issue is about, and what its text shows."""
        super().__init__()
        self._entry_id = entry_id
        self._placeholders = placeholders

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Ask before signing in; then clear the back-off and reload the entry."""
        entry = (
            self.hass.config_entries.async_get_entry(self._entry_id)
            if self._entry_id
            else None
        )
        if entry is None:
            # The entry was deleted meanwhile: nothing left to sign in to.
            return self.async_abort(reason="entry_removed")
        if user_input is not None:
            self.hass.config_entries.async_update_entry(
                entry, data=without_sign_in_pause(entry.data)
            )
            # A fresh client starts without the hold and signs in if it
            # needs to; a refusal or unusable answers raise the issue again.
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders={"title": entry.title, **self._placeholders},
        )


async def async_create_fix_flow(
    hass: HomeAssistant,
    issue_id: str,
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """Create the fix flow of a Moogo repair issue."""
    data = data or {}
    entry_id = data.get("entry_id")
    if issue_id.startswith(ISSUE_SIGN_IN_PAUSED):
        # The text says how many answers in a row could not be used.
        placeholders = {"count": str(data.get("count"))}
    elif issue_id.startswith(ISSUE_RATE_LIMITED):
        # The text says when Home Assistant tries by itself.
        placeholders = {
            "retry_at": _local_time_with_zone(hass, str(data.get("retry_at")))
        }
    else:  # pragma: no cover - guard
        raise ValueError(f"Issue {issue_id} has no fix flow")
    return SignInNowRepairFlow(
        entry_id if isinstance(entry_id, str) else None, placeholders
    )
