"""Config flow of the Moogo integration: user, reauth and reconfigure steps."""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import IPv6Address, ip_address, ip_network
import re
from typing import Any, override
from urllib.parse import urlsplit

from homeassistant.config_entries import SOURCE_REAUTH, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from .api import (
    DEFAULT_BASE_URL,
    MoogoAuthError,
    MoogoClient,
    MoogoConnectionError,
    MoogoError,
    MoogoRateLimitError,
    MoogoResponseError,
    MoogoToken,
)
from .const import CONF_API_URL, CONF_TOKEN, DOMAIN, LOGGER, REQUEST_TIMEOUT
from .entry_data import account_title, without_login_block

EMAIL_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
)
PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
# The form section that holds the API URL, collapsed: pointing at another API
# is for the simulator and for development, not something a user should
# stumble over.
SECTION_ADVANCED = "advanced"

# Where plain http may carry the password: networks that do not leave the
# home (loopback, RFC 1918 and unique-local, link-local).
_LOCAL_NETWORKS = tuple(
    ip_network(net)
    for net in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)
# A host name: ASCII labels of letters, digits, "-" and "_", an optional
# final dot. Anything else (a backslash, a percent sign, a space) is a name
# another URL parser might read differently.
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


def _is_local_host(host: str) -> bool:
    """Tell whether ``host`` (an IP literal or a name) stays in the home network.

    Names are judged by name alone, without a DNS lookup: only ``localhost``
    and ``*.local`` (mDNS) are local.
    """
    try:
        address = ip_address(host)
    except ValueError:
        name = host.removesuffix(".")
        return name == "localhost" or name.endswith(".local")
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in _LOCAL_NETWORKS)


def api_url_error(url: str) -> str | None:
    """Return the form error key for an API URL the password may not go to.

    ``None`` means the URL is fine: https to any host, or http to a loopback,
    private or ``.local`` host. The URL is judged as typed; nothing is fixed.
    """
    if not url.isprintable() or any(char.isspace() or char == "\\" for char in url):
        return "invalid_api_url"
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number in range raises
    except ValueError:
        return "invalid_api_url"
    if not parts.scheme:
        return "invalid_api_url"
    if parts.scheme not in ("http", "https"):
        return "unsupported_api_url_scheme"
    if "@" in parts.netloc:
        return "api_url_has_credentials"
    if "?" in url.partition("#")[0]:
        return "api_url_has_query"
    if "#" in url:
        return "api_url_has_fragment"
    host = parts.hostname or ""
    try:
        ip_address(host)
    except ValueError:
        if not _HOST_NAME.fullmatch(host):
            return "invalid_api_url"
    if parts.scheme == "http" and not _is_local_host(host):
        return "insecure_api_url"
    return None


def _account_data(user_input: Mapping[str, Any], token: MoogoToken) -> dict[str, Any]:
    """Return the entry data for credentials that just logged in."""
    return {
        CONF_EMAIL: user_input[CONF_EMAIL],
        CONF_PASSWORD: user_input[CONF_PASSWORD],
        CONF_API_URL: user_input[SECTION_ADVANCED][CONF_API_URL],
        CONF_TOKEN: token.as_dict(),
    }


def _typed_values(user_input: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the typed form values under the keys of ``_credentials_schema``.

    A re-shown form is built with them as defaults: the collapsed section's
    URL is filled from the section's default, so a suggested value alone
    would put the cloud's address back.
    """
    if user_input is None:
        return {}
    return {
        CONF_EMAIL: user_input[CONF_EMAIL],
        CONF_API_URL: user_input[SECTION_ADVANCED][CONF_API_URL],
    }


class MoogoConfigFlow(ConfigFlow, domain=DOMAIN):
    """Log in to a Moogo account and keep its token."""

    VERSION = 1
    # 1.2: entities that repeated another entity removed (see __init__).
    MINOR_VERSION = 3

    async def _async_login(
        self, email: str, password: str, api_url: str
    ) -> tuple[MoogoToken | None, dict[str, str]]:
        """Log in once; return the token or the form errors."""
        client = MoogoClient(
            email,
            password,
            session=async_get_clientsession(self.hass),
            request_timeout=REQUEST_TIMEOUT,
            base_url=api_url,
        )
        try:
            return await client.authenticate(), {}
        except MoogoAuthError:
            return None, {"base": "invalid_auth"}
        except MoogoRateLimitError as err:
            if err.throttled:
                return None, {"base": "throttled"}
            return None, {"base": "rate_limited"}
        except MoogoConnectionError, MoogoResponseError:
            return None, {"base": "cannot_connect"}
        except MoogoError:
            LOGGER.exception("Unexpected answer from the Moogo cloud during login")
            return None, {"base": "unknown"}
        finally:
            await client.close()

    async def _async_login_checked(
        self, user_input: Mapping[str, Any]
    ) -> tuple[MoogoToken | None, dict[str, str]]:
        """Log in with the answers of a form that has the API URL, if it is safe.

        A refused URL is a form error before any request: the password must
        not leave in clear. HA's frontend shows a section's errors only under
        the section's own key, so the error goes there, just above the URL.
        """
        api_url: str = user_input[SECTION_ADVANCED][CONF_API_URL]
        if (error := api_url_error(api_url)) is not None:
            return None, {SECTION_ADVANCED: error}
        return await self._async_login(
            user_input[CONF_EMAIL], user_input[CONF_PASSWORD], api_url
        )

    @staticmethod
    def _credentials_schema(defaults: Mapping[str, Any]) -> vol.Schema:
        # HA no longer has an "advanced mode" for flows (show_advanced_options
        # is always True and deprecated): a collapsed section hides the URL.
        advanced = vol.Schema(
            {
                vol.Required(
                    CONF_API_URL, default=defaults.get(CONF_API_URL, DEFAULT_BASE_URL)
                ): URL_SELECTOR
            }
        )
        return vol.Schema(
            {
                vol.Required(
                    CONF_EMAIL, default=defaults.get(CONF_EMAIL, "")
                ): EMAIL_SELECTOR,
                vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
                # The section's default must carry the URL: HA's frontend fills
                # a section's fields from the section default, not theirs.
                vol.Optional(
                    SECTION_ADVANCED,
                    default={
                        CONF_API_URL: defaults.get(CONF_API_URL, DEFAULT_BASE_URL)
                    },
                ): section(advanced, {"collapsed": True}),
            }
        )

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the account's email and password."""
        errors: dict[str, str] = {}
        if user_input is not None:
            email: str = user_input[CONF_EMAIL]
            # Signing in again would spend one of the account's few sign-ins
            # (and make a new token) only to learn it is already here.
            if any(
                str(entry.data.get(CONF_EMAIL, "")).casefold() == email.casefold()
                for entry in self._async_current_entries(include_ignore=False)
            ):
                return self.async_abort(reason="already_configured")
            token, errors = await self._async_login_checked(user_input)
            if token is not None:
                await self.async_set_unique_id(token.user_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=account_title(email), data=_account_data(user_input, token)
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                self._credentials_schema(_typed_values(user_input)), user_input
            ),
            errors=errors,
        )

    async def _async_update_same_account(
        self, token: MoogoToken, data_updates: dict[str, Any], **kwargs: Any
    ) -> ConfigFlowResult:
        """Update and reload the entry, unless the login is another account's."""
        await self.async_set_unique_id(token.user_id)
        self._abort_if_unique_id_mismatch(reason="wrong_account")
        entry = (
            self._get_reauth_entry()
            if self.source == SOURCE_REAUTH
            else self._get_reconfigure_entry()
        )
        # A login just worked, so a lockout back-off kept in the entry is over.
        return self.async_update_reload_and_abort(
            entry, data=without_login_block(entry.data) | data_updates, **kwargs
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication after the stored credentials stopped working."""
        # An entry made before URLs were checked may hold one the password
        # must not go to; asking for a password is pointless then.
        if api_url_error(entry_data.get(CONF_API_URL, DEFAULT_BASE_URL)) is not None:
            return self.async_abort(reason="unsafe_api_url")
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the password of the same account again."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            token, errors = await self._async_login(
                entry.data[CONF_EMAIL],
                user_input[CONF_PASSWORD],
                entry.data.get(CONF_API_URL, DEFAULT_BASE_URL),
            )
            if token is not None:
                return await self._async_update_same_account(
                    token,
                    {
                        CONF_PASSWORD: user_input[CONF_PASSWORD],
                        CONF_TOKEN: token.as_dict(),
                    },
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR}),
            description_placeholders={"email": entry.data[CONF_EMAIL]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the credentials (or API URL) of the same account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            token, errors = await self._async_login_checked(user_input)
            if token is not None:
                # A title the user chose stays; the one we gave follows the email.
                title = (
                    account_title(user_input[CONF_EMAIL])
                    if entry.title
                    in {entry.data[CONF_EMAIL], account_title(entry.data[CONF_EMAIL])}
                    else entry.title
                )
                return await self._async_update_same_account(
                    token, _account_data(user_input, token), title=title
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                self._credentials_schema({**entry.data, **_typed_values(user_input)}),
                {CONF_EMAIL: entry.data[CONF_EMAIL]} | (user_input or {}),
            ),
            errors=errors,
        )
