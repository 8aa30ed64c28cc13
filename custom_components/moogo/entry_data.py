"""What a Moogo config entry stores besides the credentials: token and lockout."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from homeassistant.util import dt as dt_util

from .api import MoogoToken
from .const import CONF_LOGIN_BLOCKED_UNTIL, CONF_TOKEN


def stored_token(data: Mapping[str, Any], user_id: str | None) -> MoogoToken | None:
    """Return the saved token, if it belongs to the entry's account ``user_id``."""
    token = MoogoToken.from_dict(data.get(CONF_TOKEN))
    if token is None or token.user_id != user_id:
        return None
    return token


def stored_login_block(data: Mapping[str, Any]) -> datetime | None:
    """Return the saved lockout back-off, if it is readable."""
    value = data.get(CONF_LOGIN_BLOCKED_UNTIL)
    if not isinstance(value, str) or (until := dt_util.parse_datetime(value)) is None:
        return None
    return dt_util.as_utc(until)


def without_login_block(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return entry data without a stored lockout back-off (a login may go out)."""
    return {
        key: value for key, value in data.items() if key != CONF_LOGIN_BLOCKED_UNTIL
    }


def with_token(data: Mapping[str, Any], token: MoogoToken) -> dict[str, Any]:
    """Return entry data holding ``token``; a working login ends any lockout."""
    return without_login_block(data) | {CONF_TOKEN: token.as_dict()}


def with_login_block(data: Mapping[str, Any], until: datetime) -> dict[str, Any]:
    """Return entry data holding the lockout back-off ``until``."""
    return {**data, CONF_LOGIN_BLOCKED_UNTIL: dt_util.as_utc(until).isoformat()}
