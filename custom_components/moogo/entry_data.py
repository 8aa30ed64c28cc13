"""What a Moogo config entry stores besides the credentials: token and sign-in state.

The sign-in state is the client's (:class:`SignInState`): the lockout back-off
under its own key, and under ``sign_in`` a refusal of the credentials, the
floor before the next sign-in and the streak of unusable sign-in answers. The
latter hold only for the credentials whose fingerprint they carry, so new
credentials (reauth, reconfigure) lift them by themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.util import dt as dt_util

from .api import MoogoToken, SignInState
from .api.auth import credentials_fingerprint
from .const import (
    CONF_LOGIN_BLOCKED_UNTIL,
    CONF_SIGN_IN,
    CONF_TOKEN,
    SIGN_IN_CREDENTIALS,
    SIGN_IN_NOT_BEFORE,
    SIGN_IN_REFUSED,
    SIGN_IN_UNUSABLE,
)


def account_title(email: str) -> str:
    """Title an entry by its email with all but the name's first letter hidden.

    Home Assistant writes entry titles into its own log lines (setup retries,
    reloads) and repair texts; the whole address would leave with every
    shared log. The domain and the first letter keep two accounts apart.
    """
    name, at, domain = email.partition("@")
    return f"{name[:1]}***{at}{domain}"


def entry_fingerprint(entry_id: str, data: Mapping[str, Any]) -> str:
    """Return the fingerprint of the entry's credentials (salted with its id)."""
    return credentials_fingerprint(
        str(data.get(CONF_EMAIL, "")), str(data.get(CONF_PASSWORD, "")), entry_id
    )


def stored_token(data: Mapping[str, Any], user_id: str | None) -> MoogoToken | None:
    """Return the saved token, if it belongs to the entry's account ``user_id``."""
    token = MoogoToken.from_dict(data.get(CONF_TOKEN))
    if token is None or token.user_id != user_id:
        return None
    return token


def _parse_moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or (moment := dt_util.parse_datetime(value)) is None:
        return None
    return dt_util.as_utc(moment)


def stored_login_block(data: Mapping[str, Any]) -> datetime | None:
    """Return the saved lockout back-off, if it is readable."""
    return _parse_moment(data.get(CONF_LOGIN_BLOCKED_UNTIL))


def stored_sign_in_state(data: Mapping[str, Any], fingerprint: str) -> SignInState:
    """Return the saved sign-in state that holds for the credentials ``fingerprint``.

    What was saved for other credentials (or is unreadable) is ignored; the
    lockout back-off is the account's and holds whatever the credentials.
    """
    blocked_until = stored_login_block(data)
    saved = data.get(CONF_SIGN_IN)
    if not isinstance(saved, Mapping) or saved.get(SIGN_IN_CREDENTIALS) != fingerprint:
        return SignInState(blocked_until=blocked_until)
    unusable = saved.get(SIGN_IN_UNUSABLE)
    return SignInState(
        credentials_refused=saved.get(SIGN_IN_REFUSED) is True,
        blocked_until=blocked_until,
        not_before=_parse_moment(saved.get(SIGN_IN_NOT_BEFORE)),
        unusable_answers=unusable
        if isinstance(unusable, int) and not isinstance(unusable, bool) and unusable > 0
        else 0,
    )


def with_sign_in_state(
    data: Mapping[str, Any], state: SignInState, fingerprint: str
) -> dict[str, Any]:
    """Return entry data holding ``state`` (its lockout aside) for ``fingerprint``.

    A state that holds nothing back (a floor already passed included) leaves
    no trace in the entry.
    """
    rest = {key: value for key, value in data.items() if key != CONF_SIGN_IN}
    not_before = state.not_before
    if not_before is not None and not_before <= dt_util.utcnow():
        not_before = None
    if not (state.credentials_refused or state.unusable_answers or not_before):
        return rest
    saved: dict[str, Any] = {SIGN_IN_CREDENTIALS: fingerprint}
    if state.credentials_refused:
        saved[SIGN_IN_REFUSED] = True
    if not_before is not None:
        saved[SIGN_IN_NOT_BEFORE] = dt_util.as_utc(not_before).isoformat()
    if state.unusable_answers:
        saved[SIGN_IN_UNUSABLE] = state.unusable_answers
    return rest | {CONF_SIGN_IN: saved}


def without_login_block(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return entry data with no hold on signing in: the credentials just worked.

    Drops the lockout back-off and the whole sign-in state (a refusal too).
    """
    return {
        key: value
        for key, value in data.items()
        if key not in {CONF_LOGIN_BLOCKED_UNTIL, CONF_SIGN_IN}
    }


def without_sign_in_pause(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return entry data that lets one sign-in go out now: the user asked.

    Drops the lockout back-off, the floor and the streak of unusable answers;
    a refusal of the credentials stays (only new credentials lift it).
    """
    rest = without_login_block(data)
    saved = data.get(CONF_SIGN_IN)
    if isinstance(saved, Mapping) and saved.get(SIGN_IN_REFUSED) is True:
        rest[CONF_SIGN_IN] = {
            key: value
            for key, value in saved.items()
            if key in {SIGN_IN_CREDENTIALS, SIGN_IN_REFUSED}
        }
    return rest


def with_token(data: Mapping[str, Any], token: MoogoToken) -> dict[str, Any]:
    """Return entry data holding ``token``; a working login ends any lockout."""
    return {
        key: value for key, value in data.items() if key != CONF_LOGIN_BLOCKED_UNTIL
    } | {CONF_TOKEN: token.as_dict()}


def with_login_block(data: Mapping[str, Any], until: datetime) -> dict[str, Any]:
    """Return entry data holding the lockout back-off ``until``."""
    return {**data, CONF_LOGIN_BLOCKED_UNTIL: dt_util.as_utc(until).isoformat()}
