"""Credentials never leak: not in errors, reprs or DEBUG logs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import logging
import traceback

import aiohttp
import pytest

from custom_components.moogo.api import MoogoClient, MoogoError, MoogoToken
from moogo_sim import MoogoSimulator
from tests.common import exception_chain

from .conftest import ClientFactory

SECRET_EMAIL = "secretive@example.com"
SECRET_PASSWORD = "Pa55-Very-Secret-Word"
WRONG_PASSWORD = "Wrong-But-Also-Secret-7"


def _texts_of(error: BaseException) -> list[str]:
    texts = ["".join(traceback.format_exception(error))]
    for link in exception_chain(error):
        texts.extend((str(link), repr(link), repr(link.args)))
    return texts


async def test_no_secret_in_errors_reprs_or_debug_logs(
    sim: MoogoSimulator,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sim.add_account(SECRET_EMAIL, SECRET_PASSWORD)
    device = sim.add_device(SECRET_EMAIL, device_id="MGSECRET")
    tokens: list[MoogoToken] = []
    client = make_client(SECRET_EMAIL, SECRET_PASSWORD, on_token_update=tokens.append)
    errors: list[MoogoError] = []

    async def expect_error(call: Callable[[], Awaitable[object]]) -> None:
        try:
            await call()
        except MoogoError as err:
            errors.append(err)
        else:
            pytest.fail("expected a MoogoError")

    # Normal use, including a re-login after a revoked token.
    await client.get_devices()
    await client.get_device(device.device_id)
    sim.revoke_tokens()
    await client.get_devices()
    await client.start_mist(device.device_id)

    # Every kind of failure.
    await expect_error(lambda: make_client(SECRET_EMAIL, WRONG_PASSWORD).authenticate())
    sim.faults.rate_limit = True
    await expect_error(make_client(SECRET_EMAIL, SECRET_PASSWORD).authenticate)
    sim.reset_faults()
    for fault in (
        {"http_status": 500},
        {"http_status": 418},
        {"http_status": 429},
        {"http_status": 404},
        {"html_error": True},
        {"truncated_json": True},
        {"null_data": True},
        {"drop_connection": True},
    ):
        sim.faults.update(fault)
        await expect_error(lambda: client.get_device(device.device_id))
        sim.reset_faults()
    sim.faults.update({"http_status": 401, "paths": ["/v1/devices"]})
    # Two sign-ins already: the floor would hold the re-login back.
    client.allow_login()
    await expect_error(client.get_devices)
    sim.reset_faults()
    sim.set_online(device.device_id, False)
    await expect_error(lambda: client.start_mist(device.device_id))
    slow = make_client(SECRET_EMAIL, SECRET_PASSWORD, timeout=0.1)
    sim.faults.latency = 0.5
    await expect_error(slow.authenticate)
    sim.reset_faults()
    session = aiohttp.ClientSession()
    await session.close()
    closed = make_client(SECRET_EMAIL, SECRET_PASSWORD, session=session)
    await expect_error(closed.authenticate)

    assert len(errors) == 14
    assert len(tokens) == 3  # first login, re-login, the 401 round's re-login
    secrets = [SECRET_PASSWORD, WRONG_PASSWORD, *(token.token for token in tokens)]

    texts: list[str] = [
        repr(client),
        str(client),
        *map(repr, tokens),
        *map(str, tokens),
    ]
    for error in errors:
        texts.extend(_texts_of(error))
    assert any(
        record.levelno == logging.DEBUG
        and record.name.startswith("custom_components.moogo")
        for record in caplog.records
    ), "the client's DEBUG logging was not captured"
    for record in caplog.records:
        texts.append(record.getMessage())
        if record.exc_info:
            texts.append("".join(traceback.format_exception(*record.exc_info)))
    texts.append(caplog.text)

    for secret in secrets:
        leaks = [text for text in texts if secret in text]
        assert not leaks, f"a secret leaked into: {leaks[0][:300]!r}"


def test_token_repr_keeps_only_the_user_id() -> None:
    token = MoogoToken(token="abcdef0123456789", user_id="100001")
    assert "abcdef0123456789" not in repr(token)
    assert "100001" in repr(token)


def test_client_repr_has_no_credentials() -> None:
    client = MoogoClient(SECRET_EMAIL, SECRET_PASSWORD, base_url="http://127.0.0.1:9")
    assert SECRET_PASSWORD not in repr(client)
    assert SECRET_EMAIL not in repr(client)
