"""Secret hygiene: no password or token where a log, a user or a download sees it.

Every matrix case already ends with this scan (at DEBUG). Here: the scanner
proves it can fail, and one long scenario walks an account through its whole
life at DEBUG (sign-in, polls, a revoked token, failing commands, a refused
re-login, a lockout, a changed password and the reauth flow, diagnostics
downloaded through HA's HTTP API) and scans everything it produced.
"""

from __future__ import annotations

from http import HTTPStatus
import json
import logging
from typing import Any

from homeassistant.components.diagnostics import DOMAIN as DIAGNOSTICS_DOMAIN
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_EMAIL,
    CONF_PASSWORD,
    SERVICE_TURN_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.moogo.config_flow import SECTION_ADVANCED
from custom_components.moogo.const import (
    CONF_API_URL,
    CONF_TOKEN,
    DOMAIN,
    UPDATE_INTERVAL,
)
from tests.common import EMAIL, NEW_PASSWORD, PASSWORD, PATIO_ID, Cloud, tick

from .common import SecretScanner, complete_reauth, mist_switch, sign_in_now
from .conftest import Guard
from .report import COLLECTOR

A_TOKEN = "0123456789abcdef" * 3  # the simulator's token shape: 48 hex digits


def test_scanner_finds_what_it_looks_for(hass: HomeAssistant) -> None:
    """A scanner that cannot find a leak would make every other check moot."""
    scanner = SecretScanner(scanned=COLLECTOR.scanned.copy())
    record = logging.LogRecord(
        "x", logging.DEBUG, "f", 1, "login %s", (PASSWORD,), None
    )
    scanner.scan_records([record])
    scanner.scan_text("message", f"token={A_TOKEN}")
    scanner.scan_exception(HomeAssistantError(f"bad {NEW_PASSWORD}"))
    hass.states.async_set("sensor.leak", "on", {"token": A_TOKEN})
    scanner.scan_states(hass)
    assert len(scanner.leaks) == 4, scanner.leaks
    with pytest.raises(AssertionError):
        scanner.assert_clean()

    clean = SecretScanner(scanned=COLLECTOR.scanned.copy())
    clean.scan_text("message", "user 100001 logged in; entry 01MOOGO; ulid 01J0ABCDEF")
    clean.assert_clean()


async def _diagnostics(
    hass: HomeAssistant, client: ClientSessionGenerator, entry_id: str, device_id: str
) -> list[Any]:
    """Download the entry's and a device's diagnostics through HA's HTTP API."""
    http = await client()
    paths = [f"/api/diagnostics/config_entry/{entry_id}"]
    paths.append(f"/api/diagnostics/config_entry/{entry_id}/device/{device_id}")
    payloads = []
    for path in paths:
        response = await http.get(path)
        assert response.status == HTTPStatus.OK
        payloads.append(await response.json())
    return payloads


async def test_a_whole_account_life_at_debug_leaks_nothing(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    cloud: Cloud,
    guard: Guard,
) -> None:
    """Sign in, poll, fail, re-login, get locked out, change password, reauth."""
    assert await async_setup_component(hass, DIAGNOSTICS_DOMAIN, {})
    scanner = guard.scanner
    sim = cloud.sim

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    user_input = {
        CONF_EMAIL: EMAIL,
        CONF_PASSWORD: PASSWORD,
        SECTION_ADVANCED: {CONF_API_URL: cloud.url},
    }
    # A wrong password first: the form error must not echo it.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**user_input, CONF_PASSWORD: NEW_PASSWORD}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    scanner.scan_text("flow result", json.dumps(result, default=str))
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    scanner.learn_tokens(sim, entry)
    errors: list[BaseException] = []

    async def command() -> None:
        try:
            await hass.services.async_call(
                "switch",
                SERVICE_TURN_ON,
                {ATTR_ENTITY_ID: mist_switch(hass, PATIO_ID)},
                blocking=True,
            )
        except HomeAssistantError as err:
            errors.append(err)
        await hass.async_block_till_done(wait_background_tasks=True)

    await tick(hass, UPDATE_INTERVAL)
    sim.revoke_tokens()  # one re-login, with the password on the wire
    await tick(hass, UPDATE_INTERVAL)
    scanner.learn_tokens(sim, entry)
    sim.set_online(PATIO_ID, False)
    await command()  # 10201
    sim.set_online(PATIO_ID, True)
    sim.faults.update({"http_status": 503, "paths": ["/start"]})
    await command()  # 5xx
    sim.faults.update({"truncated_json": True, "http_status": None})
    await command()  # garbled answer
    sim.reset_faults()
    sim.revoke_tokens()
    sim.faults.rate_limit = True
    await command()  # re-login answered 10000: no sign-in until the user says so
    sim.reset_faults()
    await sign_in_now(hass, entry)
    await tick(hass, UPDATE_INTERVAL)
    scanner.learn_tokens(sim, entry)

    sim.change_password(EMAIL, NEW_PASSWORD)
    await tick(hass, UPDATE_INTERVAL)  # re-login answered 10104: reauth
    await complete_reauth(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data[CONF_PASSWORD] == NEW_PASSWORD
    scanner.learn_tokens(sim, entry)
    assert len(errors) == 4
    for error in errors:
        scanner.scan_exception(error)

    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, PATIO_ID), entry.entry_id
    )
    assert device is not None
    payloads = await _diagnostics(hass, hass_client, entry.entry_id, device.id)
    for payload in payloads:
        scanner.scanned["diagnostics"] += 1
        scanner.scan_text("diagnostics download", json.dumps(payload))
    # The diagnostics are useful: the devices are there (by position, their
    # serials redacted), the secrets are not.
    assert len(payloads[0]["data"]["devices"]) == 2
    assert PATIO_ID not in json.dumps(payloads[0])
    assert payloads[0]["data"]["entry"]["data"][CONF_TOKEN] == "**REDACTED**"
    scanner.scan_states(hass)
    scanner.scan_text("client repr", repr(entry.runtime_data.client))
    scanner.scan_text("token repr", repr(entry.runtime_data.client.token))
    guard.check(cloud)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    COLLECTOR.record_section(
        "secrets",
        [
            (
                "secrets looked for",
                "both passwords, every token the simulator issued, any 48-hex string",
                "",
            ),
            (
                "whole-life scenario at DEBUG",
                (
                    "sign-in, polls, revoked token, 10201, 5xx, garbled answer, "
                    "10000 on re-login, 'sign in now' fix flow, password changed, "
                    "reauth, diagnostics download"
                ),
                "0 leaks",
            ),
        ],
    )
