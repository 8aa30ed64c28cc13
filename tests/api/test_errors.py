"""Typed errors: every failure the cloud (or the way to it) can produce."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
import json

import aiohttp
import pytest

from custom_components.moogo.api import (
    MoogoApiError,
    MoogoAuthError,
    MoogoClient,
    MoogoConnectionError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoFrostError,
    MoogoNotFoundError,
    MoogoRateLimitError,
    MoogoResponseError,
    MoogoSessionClosedError,
)
from moogo_sim import MoogoSimulator
from tests.common import DEVICES_ROUTE, logins

from .conftest import ClientFactory


def test_error_hierarchy() -> None:
    for error in (
        MoogoApiError,
        MoogoAuthError,
        MoogoConnectionError,
        MoogoDeviceOfflineError,
        MoogoFrostError,
        MoogoNotFoundError,
        MoogoRateLimitError,
        MoogoResponseError,
    ):
        assert issubclass(error, MoogoError)
    assert issubclass(MoogoSessionClosedError, MoogoConnectionError)
    assert MoogoError("x", code=7).code == 7
    assert MoogoError("x").code is None


# -- authentication and lockout ----------------------------------------------------


async def test_wrong_password_is_auth_error(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client(password="wrong-password")
    with pytest.raises(MoogoAuthError) as caught:
        await client.get_devices()
    assert caught.value.code == 10104
    assert client.token is None
    # Never retried, and the data request never went out.
    assert logins(sim) == 1
    assert sim.total_requests == 1


async def test_unknown_account_is_auth_error(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client(email="nobody@example.com")
    with pytest.raises(MoogoAuthError) as caught:
        await client.authenticate()
    assert caught.value.code == 10104
    assert logins(sim) == 1


async def test_rate_limited_login_is_never_retried(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    sim.faults.rate_limit = True
    with pytest.raises(MoogoRateLimitError) as caught:
        await client.get_devices()
    assert caught.value.code == 10000
    assert "24 hours" in str(caught.value)
    assert logins(sim) == 1
    assert sim.total_requests == 1
    assert client.token is None


async def test_lockout_after_failed_logins(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    for attempt in range(1, 6):
        with pytest.raises(MoogoAuthError):
            await make_client(password="guess").authenticate()
        assert logins(sim) == attempt

    # Now even the right password is answered with the lockout code, once.
    client = make_client()
    with pytest.raises(MoogoRateLimitError) as caught:
        await client.get_devices()
    assert caught.value.code == 10000
    assert logins(sim) == 6
    assert sim.total_requests == 6


async def test_rate_limited_relogin_after_revoked_token_is_not_retried(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    await client.get_devices()
    sim.revoke_tokens()
    sim.faults.rate_limit = True

    with pytest.raises(MoogoRateLimitError):
        await client.get_devices()

    # One initial login, one re-login answered 10000, nothing more.
    assert logins(sim) == 2
    assert sim.request_counts[DEVICES_ROUTE] == 2


async def test_http_429_is_rate_limit_and_not_retried(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    await client.authenticate()
    sim.faults.http_status = 429
    sim.faults.paths = ["/v1/devices"]
    with pytest.raises(MoogoRateLimitError) as caught:
        await client.get_devices()
    assert caught.value.code == 429
    # Throttling, with the wait the cloud asked for; not the login lockout.
    assert caught.value.retry_after == 60
    assert "slow down (HTTP 429): wait 60 s" in str(caught.value)
    assert "24 hours" not in str(caught.value)
    assert sim.request_counts[DEVICES_ROUTE] == 1
    assert logins(sim) == 1


async def test_http_401_on_login_is_auth_error(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    sim.faults.http_status = 401
    sim.faults.paths = ["/v1/user/login"]
    with pytest.raises(MoogoAuthError) as caught:
        await client.authenticate()
    assert caught.value.code == 401
    assert logins(sim) == 1


async def test_public_endpoint_answering_401_is_auth_error(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    sim.faults.http_status = 401
    sim.faults.paths = ["/v1/liquid"]
    with pytest.raises(MoogoAuthError, match="/v1/liquid"):
        await client.get_liquids()
    # A public endpoint never triggers a login.
    assert logins(sim) == 0


# -- device and resource errors ----------------------------------------------------


async def test_offline_device_refuses_commands(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    sim.set_online(device_ids[0], False)
    with pytest.raises(MoogoDeviceOfflineError) as caught:
        await client.start_mist(device_ids[0])
    assert caught.value.code == 10201
    with pytest.raises(MoogoDeviceOfflineError):
        await client.stop_mist(device_ids[0])
    with pytest.raises(MoogoDeviceOfflineError):
        await client.update_firmware(device_ids[0])
    assert not sim.is_spraying(device_ids[0])
    # A device error is not an account error: no new login, other device fine.
    await client.start_mist(device_ids[1])
    assert sim.is_spraying(device_ids[1])
    assert logins(sim) == 1


async def test_unknown_device_is_not_found(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    with pytest.raises(MoogoNotFoundError) as caught:
        await client.get_device("MG-NO-SUCH")
    assert caught.value.code == 404
    with pytest.raises(MoogoNotFoundError):
        await client.start_mist("MG-NO-SUCH")
    with pytest.raises(MoogoNotFoundError):
        await client.get_config("MG-NO-SUCH")


async def test_removed_device_is_not_found(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.get_device(device_ids[0])
    sim.remove_device(device_ids[0])
    with pytest.raises(MoogoNotFoundError):
        await client.get_device(device_ids[0])
    assert [device.device_id for device in await client.get_devices()] == device_ids[1:]


async def test_http_404_status(sim: MoogoSimulator, client: MoogoClient) -> None:
    await client.authenticate()
    sim.faults.http_status = 404
    with pytest.raises(MoogoNotFoundError):
        await client.get_devices()


@pytest.mark.parametrize(("status", "code"), [(400, 400), (403, 403), (418, 418)])
async def test_other_refusals_are_api_errors(
    sim: MoogoSimulator, client: MoogoClient, status: int, code: int
) -> None:
    await client.authenticate()
    sim.faults.http_status = status
    with pytest.raises(MoogoApiError) as caught:
        await client.get_devices()
    assert caught.value.code == code
    assert "Moogo cloud refused the request" in str(caught.value)


# -- server and transport failures -------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_connection_errors(
    sim: MoogoSimulator, client: MoogoClient, status: int
) -> None:
    await client.authenticate()
    sim.faults.http_status = status
    with pytest.raises(MoogoConnectionError) as caught:
        await client.get_devices()
    assert f"HTTP {status}" in str(caught.value)
    assert not isinstance(caught.value, MoogoSessionClosedError)
    assert sim.request_counts[DEVICES_ROUTE] == 1


async def test_server_error_in_envelope_is_connection_error(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    await client.authenticate()
    sim.faults.error_rate = 1.0
    with pytest.raises(MoogoConnectionError):
        await client.get_devices()


async def test_html_error_page_is_typed(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    await client.authenticate()
    sim.faults.html_error = True
    with pytest.raises(MoogoConnectionError) as caught:
        await client.get_devices()
    assert "HTTP 502" in str(caught.value)
    assert "<html" not in str(caught.value).lower()


async def test_html_error_page_on_login(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    sim.faults.html_error = True
    with pytest.raises(MoogoConnectionError):
        await client.authenticate()
    assert client.token is None


async def test_truncated_json_is_response_error(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.authenticate()
    sim.faults.truncated_json = True
    with pytest.raises(MoogoResponseError, match="not JSON"):
        await client.get_device(device_ids[0])
    with pytest.raises(MoogoResponseError):
        await client.get_devices()


async def test_truncated_login_answer(sim: MoogoSimulator, client: MoogoClient) -> None:
    sim.faults.truncated_json = True
    with pytest.raises(MoogoResponseError):
        await client.authenticate()
    assert client.token is None


@pytest.mark.parametrize(
    "call",
    [
        lambda client, _device: client.get_devices(),
        lambda client, device: client.get_device(device),
        lambda client, device: client.get_config(device),
        lambda client, device: client.get_schedules(device),
        lambda client, device: client.get_schedule_list(device),
        lambda client, device: client.get_spray_history(
            device, date(2026, 1, 1), date(2026, 1, 31)
        ),
        lambda client, device: client.check_firmware(device),
        # No configuration read, nothing to write back: nothing is written.
        lambda client, device: client.set_config(device, mist_seconds=45),
    ],
    ids=[
        "get_devices",
        "get_device",
        "get_config",
        "get_schedules",
        "get_schedule_list",
        "get_spray_history",
        "check_firmware",
        "set_config",
    ],
)
async def test_null_data_is_response_error(
    sim: MoogoSimulator,
    client: MoogoClient,
    device_ids: list[str],
    call: Callable[[MoogoClient, str], Awaitable[object]],
) -> None:
    await client.authenticate()
    sim.faults.null_data = True
    sim.reset_counts()
    with pytest.raises(MoogoResponseError):
        await call(client, device_ids[0])
    assert sim.total_requests == 1


async def test_null_data_on_commands_is_fine(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.authenticate()
    sim.faults.null_data = True
    # Commands expect nothing back; a null data is a success.
    await client.start_mist(device_ids[0])
    await client.rename_device(device_ids[0], "Renamed")
    assert sim.is_spraying(device_ids[0])
    assert sim.device(device_ids[0]).name == "Renamed"


async def test_null_login_data_is_response_error(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    sim.faults.null_data = True
    with pytest.raises(MoogoResponseError, match="login"):
        await client.authenticate()
    assert client.token is None


async def test_dropped_connection_is_connection_error(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    await client.authenticate()
    sim.faults.drop_connection = True
    with pytest.raises(MoogoConnectionError) as caught:
        await client.get_devices()
    assert isinstance(caught.value.__cause__, aiohttp.ClientError)
    assert "Could not reach the Moogo cloud" in str(caught.value)
    # The client recovers once the connection behaves again.
    sim.reset_faults()
    assert len(await client.get_devices()) == 2


async def test_unreachable_cloud_is_connection_error(socket_enabled: None) -> None:
    # Nothing listens on port 1 of the loopback interface.
    async with MoogoClient("a@b.c", "pw", base_url="http://127.0.0.1:1") as client:
        with pytest.raises(MoogoConnectionError, match="Could not reach"):
            await client.get_liquids()


async def test_timeout_is_connection_error(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client(timeout=0.2)
    await client.authenticate()
    sim.faults.latency = 1.0
    with pytest.raises(MoogoConnectionError, match="Timed out") as caught:
        await client.get_devices()
    assert isinstance(caught.value.__cause__, TimeoutError)


async def test_faults_limited_to_some_paths(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    sim.faults.http_status = 500
    sim.faults.paths = ["/configs"]
    assert len(await client.get_devices()) == 2
    with pytest.raises(MoogoConnectionError):
        await client.get_config(device_ids[0])


# -- the decoder on answers the simulator has no knob for ---------------------------


def _envelope(code: object, data: object = None, message: object = "msg") -> bytes:
    return json.dumps({"code": code, "message": message, "data": data}).encode()


@pytest.mark.parametrize(
    ("status", "content", "error", "text"),
    [
        (
            200,
            b"<html><body>Captive portal</body></html>",
            MoogoResponseError,
            "not JSON",
        ),
        (404, b"<html>Not Found</html>", MoogoResponseError, "not JSON"),
        (200, b"", MoogoResponseError, "not JSON"),
        (200, b"[1, 2]", MoogoResponseError, "not a JSON object"),
        (200, b'"ok"', MoogoResponseError, "not a JSON object"),
        (200, b'{"data": {}}', MoogoResponseError, "no status code"),
        (200, _envelope("zero"), MoogoResponseError, "no status code"),
        (200, _envelope(True), MoogoResponseError, "no status code"),
        (200, _envelope(1.5), MoogoResponseError, "no status code"),
        (400, _envelope(0), MoogoResponseError, "HTTP 400 with code 0"),
        (200, _envelope(10104), MoogoAuthError, "Wrong email or password"),
        (200, _envelope("10201"), MoogoDeviceOfflineError, "offline"),
        (200, _envelope(10202), MoogoFrostError, "locked against frost"),
        (200, _envelope(503), MoogoConnectionError, "server error 503"),
        (200, _envelope(12345, message=None), MoogoApiError, "refused the request: "),
        (404, b'{"message": "gone"}', MoogoNotFoundError, "Unknown device"),
    ],
)
def test_decoder_maps_odd_answers(
    status: int, content: bytes, error: type[MoogoError], text: str
) -> None:
    with pytest.raises(error, match=text):
        MoogoClient._decode("GET", "/v1/devices", status, content)


def test_decoder_401_code_with_http_200_is_a_token_rejection() -> None:
    # Some gateways report a dead token in the envelope only; the client
    # treats it like HTTP 401 (re-login), not like wrong credentials.
    with pytest.raises(MoogoError) as caught:
        MoogoClient._decode("GET", "/v1/devices", 200, _envelope(401))
    assert caught.value.code == 401
    assert not isinstance(caught.value, MoogoAuthError)
    assert str(caught.value) == "Token rejected"


def test_decoder_accepts_numeric_string_code() -> None:
    assert MoogoClient._decode("GET", "/x", 200, _envelope("0", {"a": 1})) == {"a": 1}
    assert MoogoClient._decode("GET", "/x", 200, b'{"code": 0}') is None


def test_decoder_cuts_long_server_messages() -> None:
    with pytest.raises(MoogoApiError) as caught:
        MoogoClient._decode("GET", "/x", 200, _envelope(777, message="x" * 1000))
    assert caught.value.code == 777
    assert len(str(caught.value)) < 300
