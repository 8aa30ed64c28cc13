"""Config flow of the Moogo integration, driven against the real simulator.

Every flow here logs in over 127.0.0.1 to a running simulator; failures come
from the simulator's own fault knobs (or a closed port), never from patching
the integration.
"""

from __future__ import annotations

from collections.abc import Mapping
import json
from pathlib import Path
import re
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.moogo import config_flow
from custom_components.moogo.api import DEFAULT_BASE_URL
from custom_components.moogo.config_flow import SECTION_ADVANCED
from custom_components.moogo.const import CONF_API_URL, CONF_TOKEN, DOMAIN
from moogo_sim import MoogoSimulator
from tests.common import EMAIL, ENTRY_TITLE, PASSWORD, Cloud

NEW_PASSWORD = "fresh-Secret-7"
OTHER_EMAIL = "neighbour@example.com"
OTHER_PASSWORD = "other-Secret-3"

LOGIN = "POST /v1/user/login"

# Each case: simulator fault settings (empty: a closed port instead), and the
# form error the user should see. "paths" limits every fault to the login.
ERROR_CASES = [
    pytest.param({}, "cannot_connect", id="connection_refused"),
    pytest.param({"drop_connection": True}, "cannot_connect", id="dropped"),
    pytest.param({"html_error": True}, "cannot_connect", id="html_page"),
    pytest.param({"truncated_json": True}, "cannot_connect", id="truncated_json"),
    pytest.param({"null_data": True}, "cannot_connect", id="null_data"),
    pytest.param({"http_status": 503}, "cannot_connect", id="http_503"),
    pytest.param({"error_rate": 1.0}, "cannot_connect", id="server_error"),
    pytest.param({"rate_limit": True}, "rate_limited", id="rate_limit_code"),
    pytest.param({"http_status": 429}, "throttled", id="http_429"),
    # Codes the client has no specific type for end up as "unknown".
    pytest.param({"http_status": 400}, "unknown", id="http_400"),
    pytest.param({"http_status": 404}, "unknown", id="http_404"),
]


def closed_port_url() -> str:
    """Return a loopback URL on which nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def break_login(cloud: Cloud, faults: Mapping[str, Any]) -> str:
    """Apply ``faults`` to login requests; return the API URL to enter.

    Empty ``faults`` means no simulator fault but a URL nobody listens on.
    """
    if not faults:
        return closed_port_url()
    cloud.sim.faults.update({**faults, "paths": ["/v1/user/login"]})
    return cloud.sim.url


def schema_keys(result: ConfigFlowResult) -> list[str]:
    """Return the top-level field (and section) names of a form, in order."""
    return [str(key) for key in result["data_schema"].schema]


def sections(result: ConfigFlowResult) -> dict[str, section]:
    """Return the form's sections by name."""
    return {
        str(key): value
        for key, value in result["data_schema"].schema.items()
        if isinstance(value, section)
    }


def marker(result: ConfigFlowResult, field: str) -> Any:
    """Return the schema marker of a field, at the top level or in a section."""
    schemas = [result["data_schema"].schema]
    schemas += [part.schema.schema for part in sections(result).values()]
    for schema in schemas:
        for key in schema:
            if str(key) == field:
                return key
    raise AssertionError(f"no field {field}")


def schema_default(result: ConfigFlowResult, field: str) -> Any:
    """Return the default of a form field."""
    return marker(result, field).default()


def section_default(result: ConfigFlowResult) -> Any:
    """Return the Advanced options section's default: what the frontend shows in it."""
    key = next(
        key for key in result["data_schema"].schema if str(key) == SECTION_ADVANCED
    )
    return key.default()


def suggested_value(result: ConfigFlowResult, field: str) -> Any:
    """Return the suggested value of a form field (None if there is none)."""
    return (marker(result, field).description or {}).get("suggested_value")


def flatten(tree: Mapping[str, Any], prefix: str) -> dict[str, str]:
    """Flatten nested translations into HA's dotted keys."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{prefix}.{key}")
        else:
            flat[f"{prefix}.{key}"] = value
    return flat


STRINGS = flatten(
    json.loads(Path(config_flow.__file__).with_name("strings.json").read_text()),
    f"component.{DOMAIN}",
)


class Texts(dict[str, str]):
    """Translations that hold a key only if every source has it."""

    def __init__(self, *sources: Mapping[str, str]) -> None:
        super().__init__(
            (key, value)
            for key, value in sources[0].items()
            if all(key in source for source in sources[1:])
        )


async def assert_translated(hass: HomeAssistant, result: ConfigFlowResult) -> None:
    """Fail unless every text the result needs is in strings.json and loaded.

    Checks both the source strings.json and the translations HA itself loads
    for the frontend (translations/en.json), so a key missing from either
    fails here. Results in HA's own domain (reauth_successful, ...) are
    checked against HA's translations only.
    """
    domain = result.get("translation_domain") or DOMAIN
    loaded = await async_get_translations(hass, "en", "config", [domain])
    texts = Texts(loaded, STRINGS) if domain == DOMAIN else Texts(loaded)
    prefix = f"component.{domain}.config"
    if result["type"] is FlowResultType.ABORT:
        assert f"{prefix}.abort.{result['reason']}" in texts
        return
    assert result["type"] is FlowResultType.FORM
    step = f"{prefix}.step.{result['step_id']}"
    assert f"{step}.title" in texts
    parts = sections(result)
    for field in schema_keys(result):
        if field in parts:
            assert f"{step}.sections.{field}.name" in texts
            for inner in parts[field].schema.schema:
                assert f"{step}.sections.{field}.data.{inner}" in texts
                assert f"{step}.sections.{field}.data_description.{inner}" in texts
            continue
        assert f"{step}.data.{field}" in texts
        assert f"{step}.data_description.{field}" in texts
    for error in (result["errors"] or {}).values():
        assert f"{prefix}.error.{error}" in texts
    # Every placeholder the description uses is given (HA adds others).
    wanted = set(re.findall(r"\{(\w+)\}", texts.get(f"{step}.description", "")))
    assert wanted <= set(result.get("description_placeholders") or {})


async def start_user_flow(hass: HomeAssistant) -> ConfigFlowResult:
    """Open the user step."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    await assert_translated(hass, result)
    return result


def user_input(
    url: str, email: str = EMAIL, password: str = PASSWORD
) -> dict[str, Any]:
    """The answers of the user and reconfigure steps."""
    return {
        CONF_EMAIL: email,
        CONF_PASSWORD: password,
        SECTION_ADVANCED: {CONF_API_URL: url},
    }


def other_account(cloud: Cloud) -> str:
    """Add a second account (without devices) and return its user id."""
    return cloud.sim.add_account(OTHER_EMAIL, OTHER_PASSWORD).user_id


# -- user step ---------------------------------------------------------------


@pytest.mark.parametrize("advanced", [False, True])
async def test_user_form_tucks_api_url_away(
    hass: HomeAssistant,
    cloud: Cloud,
    advanced: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The API URL sits in a collapsed section, defaulting to the real cloud.

    HA 2026.10 has no advanced mode for flows any more (the deprecated
    show_advanced_options is always True), so the form is the same either
    way and the flow does not touch the deprecated property.
    """
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": advanced}
    )
    assert result["type"] is FlowResultType.FORM
    assert schema_keys(result) == [CONF_EMAIL, CONF_PASSWORD, SECTION_ADVANCED]
    advanced_section = sections(result)[SECTION_ADVANCED]
    assert advanced_section.options == {"collapsed": True}
    assert [str(key) for key in advanced_section.schema.schema] == [CONF_API_URL]
    assert schema_default(result, CONF_API_URL) == DEFAULT_BASE_URL
    assert schema_default(result, CONF_EMAIL) == ""
    await assert_translated(hass, result)
    # Left out (as by a client that never opens the section), the real
    # cloud's address applies.
    answers = result["data_schema"]({CONF_EMAIL: EMAIL, CONF_PASSWORD: PASSWORD})
    assert answers[SECTION_ADVANCED] == {CONF_API_URL: DEFAULT_BASE_URL}
    assert "show_advanced_options" not in caplog.text
    # Opening forms talks to nobody.
    assert cloud.sim.total_requests == 0


async def test_user_flow_creates_entry_and_sets_up(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """A good login creates the entry, whose setup reuses the flow's token."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url)
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == ENTRY_TITLE
    assert result["result"].unique_id == cloud.account.user_id
    data = result["data"]
    assert data[CONF_EMAIL] == EMAIL
    assert data[CONF_PASSWORD] == PASSWORD
    assert data[CONF_API_URL] == cloud.sim.url
    token = data[CONF_TOKEN]
    assert token["user_id"] == cloud.account.user_id
    # The stored token is one the cloud really issued and still accepts.
    assert token["token"] in cloud.account.tokens

    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    # One login in total: the flow's. Setup used the stored token.
    assert cloud.logins() == 1
    assert cloud.sim.request_counts.get("GET /v1/devices") == 1


async def test_user_flow_invalid_auth_then_success(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """A wrong password keeps the form with invalid_auth and the email filled in."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url, password="wrong-password")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested_value(result, CONF_EMAIL) == EMAIL
    await assert_translated(hass, result)
    assert cloud.logins() == 1

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PASSWORD] == PASSWORD
    assert cloud.logins() == 2


async def test_user_flow_unknown_email_is_invalid_auth(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """An email without an account gets the same answer as a wrong password."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url, email="nobody@example.com")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert hass.config_entries.async_entries(DOMAIN) == []


@pytest.mark.parametrize(("faults", "error"), ERROR_CASES)
async def test_user_flow_errors_then_recovery(
    hass: HomeAssistant,
    cloud: Cloud,
    faults: dict[str, Any],
    error: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each failure shows its error once (no retry); the same flow then succeeds."""
    url = break_login(cloud, faults)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}
    assert suggested_value(result, CONF_API_URL) == url
    # The collapsed section shows the typed URL again, not the cloud's.
    assert section_default(result) == {CONF_API_URL: url}
    assert schema_default(result, CONF_EMAIL) == EMAIL
    await assert_translated(hass, result)
    # Exactly one login reached the cloud (none with a closed port): a
    # failed login is never retried, above all not a rate-limited one.
    assert cloud.logins() == (1 if faults else 0)
    assert ("Unexpected answer from the Moogo cloud" in caplog.text) is (
        error == "unknown"
    )
    assert hass.config_entries.async_entries(DOMAIN) == []

    cloud.sim.reset_faults()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_API_URL] == cloud.sim.url
    assert result["result"].unique_id == cloud.account.user_id
    assert result["result"].state is ConfigEntryState.LOADED


# API URLs the password may go to: https anywhere, plain http only inside the
# home (loopback, private, link-local, .local names judged by name alone).
SAFE_API_URLS = [
    DEFAULT_BASE_URL,
    "https://api.moogo.com/",
    "HTTPS://API.MOOGO.COM/v1",
    "https://8.8.8.8:8443",
    "https://[2001:4860::8888]",
    "http://127.0.0.1:8080",
    "http://127.9.9.9",
    "http://localhost:8080",
    "http://[::1]:8080",
    "http://10.0.0.5",
    "http://172.16.0.1",
    "http://172.31.255.254",
    "http://192.168.1.2:8080",
    "http://169.254.1.1",
    "http://[fd00::1]",
    "http://[fe80::1]",
    "http://[::ffff:192.168.1.2]",
    "http://printer.local",
    "http://Printer.Local.:8080",
]

# Each case: an API URL the flow refuses, and the form error it shows.
UNSAFE_API_URLS = [
    pytest.param("http://api.moogo.com", "insecure_api_url", id="http_public_name"),
    pytest.param("http://8.8.8.8", "insecure_api_url", id="http_public_ipv4"),
    pytest.param("http://[2001:4860::8888]", "insecure_api_url", id="http_public_ipv6"),
    pytest.param("http://[::ffff:8.8.8.8]", "insecure_api_url", id="http_mapped_ipv4"),
    pytest.param("http://172.32.0.1", "insecure_api_url", id="http_beside_rfc1918"),
    pytest.param("http://0.0.0.0", "insecure_api_url", id="http_unspecified"),
    pytest.param("http://2130706433", "insecure_api_url", id="http_decimal_ip"),
    pytest.param(
        "http://localhost.evil.com", "insecure_api_url", id="http_localhost_sub"
    ),
    pytest.param(
        "http://printer.local.evil.com", "insecure_api_url", id="http_local_sub"
    ),
    pytest.param(
        "https://owner:pw@api.moogo.com", "api_url_has_credentials", id="userinfo"
    ),
    pytest.param("http://me@127.0.0.1:8080", "api_url_has_credentials", id="user"),
    pytest.param(
        "http://evil.com:80@127.0.0.1", "api_url_has_credentials", id="host_as_user"
    ),
    pytest.param("https://api.moogo.com/?a=1", "api_url_has_query", id="query"),
    pytest.param("https://api.moogo.com?", "api_url_has_query", id="empty_query"),
    pytest.param("https://api.moogo.com#top", "api_url_has_fragment", id="fragment"),
    pytest.param("http://evil.com#.local", "api_url_has_fragment", id="local_fragment"),
    pytest.param("ftp://api.moogo.com", "unsupported_api_url_scheme", id="ftp"),
    pytest.param("ws://127.0.0.1:8080", "unsupported_api_url_scheme", id="ws"),
    pytest.param("localhost:8080", "unsupported_api_url_scheme", id="no_scheme"),
    pytest.param("not a url", "invalid_api_url", id="words"),
    pytest.param("", "invalid_api_url", id="empty"),
    pytest.param("https://", "invalid_api_url", id="no_host"),
    pytest.param("http:api.moogo.com", "invalid_api_url", id="no_slashes"),
    pytest.param(" https://api.moogo.com", "invalid_api_url", id="leading_space"),
    pytest.param("https://api.moogo.com\n", "invalid_api_url", id="newline"),
    pytest.param("http://evil.com\\.local", "invalid_api_url", id="backslash"),
    pytest.param("https://api.moogo.com:99999", "invalid_api_url", id="port_range"),
    pytest.param("https://api.moogo.com:https", "invalid_api_url", id="port_name"),
    pytest.param("http://[::1", "invalid_api_url", id="open_bracket"),
    pytest.param("http://b\u00fccher.local", "invalid_api_url", id="non_ascii"),
    pytest.param("http://evil%2ecom.local", "invalid_api_url", id="escaped_host"),
]


@pytest.mark.parametrize("url", SAFE_API_URLS)
def test_api_url_error_accepts(url: str) -> None:
    """https goes anywhere; plain http only to loopback, private or .local hosts."""
    assert config_flow.api_url_error(url) is None


@pytest.mark.parametrize(("url", "error"), UNSAFE_API_URLS)
def test_api_url_error_refuses(url: str, error: str) -> None:
    """Each kind of unsafe or broken URL has its own error."""
    assert config_flow.api_url_error(url) == error


# The refusals the flows are driven through (the validator tests hold the rest).
FLOW_REFUSALS = [
    pytest.param("http://api.moogo.com", "insecure_api_url", id="http_public_name"),
    pytest.param("http://8.8.8.8", "insecure_api_url", id="http_public_ipv4"),
    pytest.param(
        "https://owner:pw@api.moogo.com", "api_url_has_credentials", id="userinfo"
    ),
    pytest.param("https://api.moogo.com/?a=1", "api_url_has_query", id="query"),
    pytest.param("https://api.moogo.com#top", "api_url_has_fragment", id="fragment"),
    pytest.param("ftp://api.moogo.com", "unsupported_api_url_scheme", id="ftp"),
    pytest.param("not a url", "invalid_api_url", id="not_a_url"),
]


@pytest.mark.parametrize(("url", "error"), FLOW_REFUSALS)
async def test_user_flow_refuses_unsafe_api_url(
    hass: HomeAssistant, cloud: Cloud, url: str, error: str
) -> None:
    """An unsafe API URL is a form error before any request; a safe one then works.

    The error sits under the Advanced options section (HA's frontend shows a
    section's errors there, right above its URL field), not under "base".
    """
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {SECTION_ADVANCED: error}
    await assert_translated(hass, result)
    # What was typed comes back as typed, to be corrected.
    assert section_default(result) == {CONF_API_URL: url}
    assert schema_default(result, CONF_EMAIL) == EMAIL
    # Nothing left: not the password, not even a connection to the simulator.
    assert cloud.sim.total_requests == 0
    assert cloud.sim.request_counts == {}
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_API_URL] == cloud.sim.url


async def test_user_flow_https_url_is_tried(hass: HomeAssistant, cloud: Cloud) -> None:
    """An https URL passes the check and is tried (the plain simulator fails TLS)."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url.replace("http://", "https://"))
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_user_flow_locked_account_is_rate_limited(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """A real lockout (too many wrong passwords) is reported, never retried."""
    cloud.sim.configure(lockout_after=1)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url, password="wrong-password")
    )
    assert result["errors"] == {"base": "invalid_auth"}

    # The right password no longer helps while the lock lasts.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "rate_limited"}
    assert cloud.logins() == 2
    assert cloud.account.login_count == 0


async def test_user_flow_already_configured(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """An existing entry's email (in any case) aborts before any sign-in."""
    config_entry.add_to_hass(hass)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url, email=EMAIL.upper())
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await assert_translated(hass, result)
    # No sign-in spent (the account locks after too many) and no new token.
    assert cloud.logins() == 0
    assert cloud.sim.total_requests == 0
    assert cloud.account.tokens == {}
    assert hass.config_entries.async_entries(DOMAIN) == [config_entry]
    assert config_entry.title == ENTRY_TITLE


async def test_user_flow_second_account(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Another account next to a configured one gets its own entry."""
    other_id = other_account(cloud)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(cloud.sim.url, email=OTHER_EMAIL, password=OTHER_PASSWORD),
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "n***@example.com"
    assert result["result"].unique_id == other_id != init_integration.unique_id
    assert {entry.unique_id for entry in hass.config_entries.async_entries(DOMAIN)} == {
        cloud.account.user_id,
        other_id,
    }
    assert result["result"].state is ConfigEntryState.LOADED
    assert init_integration.state is ConfigEntryState.LOADED


# -- reauth ------------------------------------------------------------------


async def test_reauth_after_password_change(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A password changed in the app leads to reauth; the new one is stored."""
    old_token = init_integration.data[CONF_TOKEN]["token"]
    cloud.sim.change_password(EMAIL, NEW_PASSWORD)
    await init_integration.runtime_data.async_refresh()
    await hass.async_block_till_done()

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == "reauth"
    assert flows[0]["context"]["entry_id"] == init_integration.entry_id
    assert flows[0]["step_id"] == "reauth_confirm"
    logins_before = cloud.logins()

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await assert_translated(hass, result)
    assert init_integration.data[CONF_PASSWORD] == NEW_PASSWORD
    token = init_integration.data[CONF_TOKEN]
    assert token["token"] != old_token
    assert token["token"] in cloud.account.tokens
    assert token["user_id"] == cloud.account.user_id
    # Reloaded with the flow's token: one login, the flow's own.
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.last_update_success
    assert cloud.logins() == logins_before + 1
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_reauth_form(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """Reauth asks only for the password and names the account."""
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert schema_keys(result) == [CONF_PASSWORD]
    assert result["description_placeholders"]["email"] == EMAIL
    assert result["errors"] == {}
    await assert_translated(hass, result)
    assert cloud.sim.total_requests == 0


async def test_reauth_invalid_auth_then_success(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """A wrong password in reauth keeps the form; the right one sets the entry up."""
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "wrong-password"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    await assert_translated(hass, result)
    assert CONF_TOKEN not in config_entry.data

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_TOKEN]["token"] in cloud.account.tokens
    assert config_entry.state is ConfigEntryState.LOADED
    assert cloud.logins() == 2


@pytest.mark.parametrize(("faults", "error"), ERROR_CASES)
async def test_reauth_errors_then_recovery(
    hass: HomeAssistant,
    cloud: Cloud,
    faults: dict[str, Any],
    error: str,
) -> None:
    """Reauth shows the same errors as the user step, once each, then recovers."""
    url = break_login(cloud, faults)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=EMAIL,
        unique_id=cloud.account.user_id,
        data={CONF_EMAIL: EMAIL, CONF_PASSWORD: "old-password", CONF_API_URL: url},
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": error}
    await assert_translated(hass, result)
    assert cloud.logins() == (1 if faults else 0)
    assert entry.data[CONF_PASSWORD] == "old-password"

    if faults:
        cloud.sim.reset_faults()
    else:
        # Reauth cannot change the URL: fix the entry as a reconfigure would.
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_API_URL: cloud.sim.url}
        )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD
    assert entry.data[CONF_TOKEN]["token"] in cloud.account.tokens
    assert entry.state is ConfigEntryState.LOADED


async def test_reauth_wrong_account(hass: HomeAssistant, cloud: Cloud) -> None:
    """Credentials that log in to another account abort and change nothing.

    The entry's email now belongs to another Moogo account (say the owner
    moved to a new address and someone else signed up with the old one).
    """
    other_account(cloud)
    data = {
        CONF_EMAIL: OTHER_EMAIL,
        CONF_PASSWORD: "old-password",
        CONF_API_URL: cloud.sim.url,
    }
    entry = MockConfigEntry(
        domain=DOMAIN, title=EMAIL, unique_id=cloud.account.user_id, data=data
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: OTHER_PASSWORD}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    await assert_translated(hass, result)
    assert dict(entry.data) == data
    assert entry.unique_id == cloud.account.user_id
    assert entry.state is ConfigEntryState.NOT_LOADED


# -- reconfigure ---------------------------------------------------------------


async def start_reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry
) -> ConfigFlowResult:
    """Open the reconfigure step of ``entry``."""
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    await assert_translated(hass, result)
    return result


async def test_reconfigure_form(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Reconfigure starts from the stored email and API URL."""
    result = await start_reconfigure(hass, init_integration)
    assert schema_keys(result) == [CONF_EMAIL, CONF_PASSWORD, SECTION_ADVANCED]
    assert sections(result)[SECTION_ADVANCED].options == {"collapsed": True}
    assert suggested_value(result, CONF_EMAIL) == EMAIL
    assert schema_default(result, CONF_API_URL) == cloud.sim.url
    # The stored password is never sent back to the browser.
    assert suggested_value(result, CONF_PASSWORD) is None
    assert cloud.logins() == 1


async def test_reconfigure_new_password(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """New credentials of the same account are stored and the entry reloaded."""
    cloud.sim.change_password(EMAIL, NEW_PASSWORD)
    logins_before = cloud.logins()
    result = await start_reconfigure(hass, init_integration)
    # The collapsed section left out: the stored API URL stays.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_EMAIL: EMAIL.upper(), CONF_PASSWORD: NEW_PASSWORD}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await assert_translated(hass, result)
    assert init_integration.title == "O***@EXAMPLE.COM"
    assert init_integration.data[CONF_EMAIL] == EMAIL.upper()
    assert init_integration.data[CONF_PASSWORD] == NEW_PASSWORD
    assert init_integration.data[CONF_API_URL] == cloud.sim.url
    assert init_integration.data[CONF_TOKEN]["token"] in cloud.account.tokens
    assert init_integration.unique_id == cloud.account.user_id
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.last_update_success
    assert cloud.logins() == logins_before + 1


async def test_reconfigure_moves_to_another_api_url(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The collapsed section can point the same account at another API."""
    mirror = MoogoSimulator(reaction_delay=0)
    account = mirror.add_account(EMAIL, PASSWORD)
    # Same account in the second cloud: the same user id.
    assert account.user_id == cloud.account.user_id
    await mirror.start()
    try:
        result = await start_reconfigure(hass, init_integration)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(mirror.url)
        )
        await hass.async_block_till_done()
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        assert init_integration.data[CONF_API_URL] == mirror.url
        assert init_integration.data[CONF_TOKEN]["token"] in account.tokens
        assert init_integration.state is ConfigEntryState.LOADED
        # After the reload the entry polls the new address only.
        assert mirror.request_counts.get("GET /v1/devices") == 1
        assert mirror.request_counts.get(LOGIN) == 1
        await hass.config_entries.async_unload(init_integration.entry_id)
    finally:
        await mirror.stop()


async def test_reconfigure_invalid_auth_then_success(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """A wrong password keeps the form and the typed email; then it works."""
    result = await start_reconfigure(hass, init_integration)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url, password="wrong-password")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested_value(result, CONF_EMAIL) == EMAIL
    await assert_translated(hass, result)
    assert init_integration.data[CONF_PASSWORD] == PASSWORD

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(("faults", "error"), ERROR_CASES)
async def test_reconfigure_errors_then_recovery(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    faults: dict[str, Any],
    error: str,
) -> None:
    """Reconfigure shows each error once, keeps the entry, then recovers."""
    config_entry.add_to_hass(hass)
    original = dict(config_entry.data)
    url = break_login(cloud, faults)
    result = await start_reconfigure(hass, config_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": error}
    assert suggested_value(result, CONF_API_URL) == url
    # The typed URL, not the entry's stored one, comes back in the section.
    assert section_default(result) == {CONF_API_URL: url}
    await assert_translated(hass, result)
    assert cloud.logins() == (1 if faults else 0)
    assert dict(config_entry.data) == original

    cloud.sim.reset_faults()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data[CONF_API_URL] == cloud.sim.url
    assert config_entry.data[CONF_TOKEN]["token"] in cloud.account.tokens
    assert config_entry.state is ConfigEntryState.LOADED


async def test_reconfigure_wrong_account(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Credentials of another account abort; the entry keeps its account."""
    other_account(cloud)
    original = dict(init_integration.data)
    result = await start_reconfigure(hass, init_integration)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(cloud.sim.url, email=OTHER_EMAIL, password=OTHER_PASSWORD),
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    await assert_translated(hass, result)
    assert dict(init_integration.data) == original
    assert init_integration.title == ENTRY_TITLE
    assert init_integration.state is ConfigEntryState.LOADED


async def test_user_flow_silent_cloud_is_cannot_connect(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """A cloud that never answers ends the login after a bounded time."""
    cloud.sim.faults.latency = 1.0
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    with patch("custom_components.moogo.config_flow.REQUEST_TIMEOUT", 0.1):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_EMAIL: EMAIL,
                CONF_PASSWORD: PASSWORD,
                SECTION_ADVANCED: {CONF_API_URL: cloud.sim.url},
            },
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_reconfigure_keeps_a_title_the_user_chose(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Only a title that was the email follows a new email; a chosen one stays."""
    hass.config_entries.async_update_entry(init_integration, title="Backyard misters")
    result = await start_reconfigure(hass, init_integration)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_EMAIL: EMAIL.upper(), CONF_PASSWORD: PASSWORD}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.title == "Backyard misters"
    assert init_integration.data[CONF_EMAIL] == EMAIL.upper()


@pytest.mark.parametrize(("url", "error"), FLOW_REFUSALS)
async def test_reconfigure_refuses_unsafe_api_url(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    url: str,
    error: str,
) -> None:
    """Reconfigure checks the URL as the user step does, before any request."""
    config_entry.add_to_hass(hass)
    original = dict(config_entry.data)
    result = await start_reconfigure(hass, config_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(url)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {SECTION_ADVANCED: error}
    await assert_translated(hass, result)
    assert section_default(result) == {CONF_API_URL: url}
    assert cloud.sim.total_requests == 0
    assert dict(config_entry.data) == original

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(cloud.sim.url)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"


async def test_reauth_with_unsafe_stored_url_aborts(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """An entry stored with a plain-http public URL never asks for a password.

    Reauth has no URL field: it ends, pointing at Reconfigure, and sends nothing.
    """
    data = {CONF_EMAIL: EMAIL, CONF_PASSWORD: PASSWORD, CONF_API_URL: "http://8.8.8.8"}
    entry = MockConfigEntry(
        domain=DOMAIN, title=EMAIL, unique_id=cloud.account.user_id, data=data
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unsafe_api_url"
    await assert_translated(hass, result)
    assert cloud.sim.total_requests == 0
    assert dict(entry.data) == data
