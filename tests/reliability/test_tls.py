"""TLS verification is never disabled.

The simulator is served over HTTPS with a self-signed certificate. The config
flow and a config entry pointed at it must refuse the connection (the
certificate is not trusted), and no request may reach the server. A client
given an SSL context that trusts the certificate gets through, which proves
the refusal is certificate verification and nothing else. A source scan
makes sure no code path of the integration turns verification off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
import ipaddress
from pathlib import Path
import re
import ssl

import aiohttp
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.moogo.api import MoogoClient
from custom_components.moogo.config_flow import SECTION_ADVANCED
from custom_components.moogo.const import CONF_API_URL, DOMAIN
from moogo_sim import MoogoSimulator
from tests.common import EMAIL, LOGIN_ROUTE, PASSWORD, build_simulator, entry_for

from .conftest import Guard
from .report import COLLECTOR, REPO_ROOT

INTEGRATION = REPO_ROOT / "custom_components" / "moogo"
# Ways to switch certificate checks off in aiohttp, ssl and HA.
DISABLING = re.compile(
    r"verify_ssl\s*=\s*False|ssl\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False"
    r"|client_context_no_verify|async_get_clientsession\([^)]*False"
    r"|async_create_clientsession\([^)]*False|_create_unverified_context"
)


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Keep asyncio's debug mode off here (HA's plugin turns it on).

    In debug mode asyncio reports the *server* side of every refused
    handshake ("Error on transport creation for incoming connection") to the
    loop's exception handler, which HA's test harness turns into an error of
    the test; that is the test server's business, not the integration's.
    """
    return


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that nobody trusts, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate written to disk (outside the event loop)."""
    return _self_signed(tmp_path)


@pytest.fixture
def contexts(certificate: tuple[Path, Path]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """The server's context, and a client context that trusts the certificate."""
    cert_path, key_path = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    trusting = ssl.create_default_context(cafile=str(cert_path))
    return server, trusting


@pytest.fixture
async def https_cloud(
    socket_enabled: None, contexts: tuple[ssl.SSLContext, ssl.SSLContext]
) -> AsyncIterator[tuple[MoogoSimulator, str]]:
    """The simulator's app served over HTTPS on 127.0.0.1."""
    sim, _ = build_simulator()
    runner = web.AppRunner(sim.build_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=contexts[0])
    await site.start()
    try:
        yield sim, f"https://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def test_no_code_path_disables_verification() -> None:
    """Nothing in the integration (client included) turns TLS checks off."""
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in sorted(INTEGRATION.rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if DISABLING.search(line)
    ]
    assert offenders == []
    # The pattern itself works.
    assert DISABLING.search("session = async_get_clientsession(hass, False)")
    assert DISABLING.search("connector = TCPConnector(ssl=False)")


async def test_untrusted_certificate_is_refused(
    hass: HomeAssistant,
    https_cloud: tuple[MoogoSimulator, str],
    contexts: tuple[ssl.SSLContext, ssl.SSLContext],
    guard: Guard,
) -> None:
    """Flow and setup refuse a server whose certificate is not trusted."""
    sim, url = https_cloud
    user_input = {
        CONF_EMAIL: EMAIL,
        CONF_PASSWORD: PASSWORD,
        SECTION_ADVANCED: {CONF_API_URL: url},
    }
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    assert result["errors"] == {"base": "cannot_connect"}
    assert sim.request_counts.get(LOGIN_ROUTE, 0) == 0, "a request got past TLS"

    # An entry pointed at the same server does not set up either.
    entry = entry_for(sim.accounts[0].user_id, url)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert sim.total_requests == 0
    assert not async_get_clientsession(hass).closed
    await hass.config_entries.async_unload(entry.entry_id)

    # Control: trusting the certificate, the same server answers.
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=contexts[1])
    ) as session:
        token = await MoogoClient(
            EMAIL, PASSWORD, session=session, base_url=url
        ).authenticate()
    assert token.user_id == sim.accounts[0].user_id
    assert sim.request_counts[LOGIN_ROUTE] == 1
    guard.check()

    COLLECTOR.record_section(
        "tls",
        [
            (
                "config flow against a self-signed HTTPS server",
                "form error: cannot_connect",
                "0 requests reached it",
            ),
            (
                "setup against it",
                "ConfigEntryNotReady (setup retried)",
                "0 requests reached it",
            ),
            (
                "same server, client trusting the certificate",
                "login ok",
                "control: only verification refused it",
            ),
            (
                "source scan for verify_ssl=False, ssl=False, CERT_NONE, ...",
                "0 hits",
                "custom_components/moogo",
            ),
            (
                "session used by every entry",
                "async_get_clientsession(hass): verifying",
                "asserted in every matrix row",
            ),
        ],
    )
