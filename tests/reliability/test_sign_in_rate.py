"""Sign-ins an hour under each login fault: what leaves Home Assistant.

The cloud locks an account, the phone app included, for about a day after
too many sign-ins. For each way a sign-in can fail, a running entry loses
its token and then lives one hour with the fault: a poll every 30 s, and
every 10 minutes an automation that mists and asks for an update (errors
ignored, as ``continue_on_error`` would). The sign-ins the simulator heard
are counted and held to a bound; the figures go to docs/reliability.md
("Sign-ins an hour under each login fault").
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest

from custom_components.moogo.const import (
    ATTR_DURATION,
    DOMAIN,
    ISSUE_RATE_LIMITED,
    ISSUE_SIGN_IN_PAUSED,
    UPDATE_INTERVAL,
)
from tests.common import (
    EMAIL,
    FROZEN_NOW,
    NEW_PASSWORD,
    PATIO_ID,
    Cloud,
    advance,
    entity_id_of,
    make_entry,
)

from .conftest import Guard
from .report import COLLECTOR

HOUR_OF_POLLS = 120
AUTOMATION_EVERY = 20  # polls: every 10 minutes
# The sign-in floor: one sign-in per 10 minutes on average, with one spare,
# so an hour holds at most its 6 intervals and 2 more.
FLOOR_BOUND = 8
LOGIN = ["/v1/user/login"]


@dataclass(frozen=True)
class LoginFault:
    """One way sign-ins fail, how the simulator makes it, and the bound."""

    title: str
    bound: int
    faults: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    password_changed: bool = False


LOGIN_FAULTS = {
    "password_changed": LoginFault(
        "Password changed in the app (10104)", 1, password_changed=True
    ),
    "lockout": LoginFault("Account locked (10000)", 1, {"rate_limit": True}),
    "throttled": LoginFault(
        "Sign-in throttled (HTTP 429, Retry-After 60 s)",
        FLOOR_BOUND,
        {"http_status": 429, "paths": LOGIN},
    ),
    "data_null": LoginFault(
        "Sign-in answer without data", 3, {"null_data": True, "paths": LOGIN}
    ),
    "token_rejected": LoginFault(
        "Token rejected right after each sign-in",
        3,
        {"http_status": 401, "paths": ["/v1/devices"]},
    ),
    "short_ttl": LoginFault("Token ttl 20 s", FLOOR_BOUND, settings={"token_ttl": 20}),
    "server_error": LoginFault(
        "Sign-in answered HTTP 503", FLOOR_BOUND, {"http_status": 503, "paths": LOGIN}
    ),
    "redirect": LoginFault(
        "Sign-in answered with a redirect (HTTP 307)",
        FLOOR_BOUND,
        {"http_status": 307, "paths": LOGIN},
    ),
}


async def _automation(hass: HomeAssistant, device_id: str, sensor: str) -> None:
    """Mist and ask for an update, ignoring errors like ``continue_on_error``."""
    calls = (
        (DOMAIN, "mist", {ATTR_DEVICE_ID: device_id, ATTR_DURATION: 30}),
        ("homeassistant", "update_entity", {ATTR_ENTITY_ID: sensor}),
    )
    for domain, service, data in calls:
        with suppress(HomeAssistantError):
            await hass.services.async_call(domain, service, data, blocking=True)


@pytest.mark.parametrize("key", list(LOGIN_FAULTS))
async def test_sign_ins_in_an_hour_of_a_login_fault(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    guard: Guard,
    key: str,
) -> None:
    fault = LOGIN_FAULTS[key]
    freezer.move_to(FROZEN_NOW)
    assert await async_setup_component(hass, "homeassistant", {})
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # Past the floor of the setup's own sign-in.
    await advance(hass, freezer, timedelta(minutes=10))
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), entry.entry_id
    )
    assert device is not None
    sensor = entity_id_of(hass, "sensor", PATIO_ID, "temperature")

    # The token dies and every sign-in meets the fault from now on.
    cloud.sim.revoke_tokens()
    cloud.sim.reset_counts()
    if fault.password_changed:
        cloud.sim.change_password(EMAIL, NEW_PASSWORD)
    cloud.sim.configure(**fault.settings)
    cloud.sim.faults.update(fault.faults)
    for poll in range(HOUR_OF_POLLS):
        if poll % AUTOMATION_EVERY == 0:
            await _automation(hass, device.id, sensor)
        await advance(hass, freezer, UPDATE_INTERVAL)
    sign_ins = cloud.logins()

    issues = ir.async_get(hass)
    told = [
        name
        for name, issue_key in (
            ("lockout repair", ISSUE_RATE_LIMITED),
            ("sign-in pause repair", ISSUE_SIGN_IN_PAUSED),
        )
        if issues.async_get_issue(DOMAIN, f"{issue_key}_{entry.entry_id}")
    ]
    if hass.config_entries.flow.async_progress_by_handler(DOMAIN):
        told.append("reauth flow")
    assert 1 <= sign_ins <= fault.bound, sign_ins
    guard.check(cloud)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    COLLECTOR.record_section(
        "sign_ins",
        [
            (
                fault.title,
                f"{sign_ins} sign-in{'s' if sign_ins != 1 else ''}",
                f"at most {fault.bound}, asserted; user told by: "
                + (", ".join(told) or "unavailable entities"),
            )
        ],
    )
