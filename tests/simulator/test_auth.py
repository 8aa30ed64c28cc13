"""Logins, tokens, lockout and revocation."""

from __future__ import annotations

import re

import pytest

from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD, FakeClock

from .conftest import Api

LOGIN = "/v1/user/login"
OTHER_EMAIL = "neighbour@example.com"
OTHER_PASSWORD = "other-secret"


async def _login(api: Api, email: str = TEST_EMAIL, password: str = TEST_PASSWORD):
    return await api.post(
        LOGIN,
        json_body={"email": email, "password": password, "keep": True},
        token=None,
    )


async def test_login_returns_token_identity_and_ttl(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    reply = await _login(api)

    assert reply.status == 200
    assert reply.body["code"] == 0
    data = reply.data
    assert set(data) == {"token", "userId", "email", "nickname", "ttl"}
    assert data["nickname"] == "user"
    assert re.fullmatch(r"[0-9a-f]{48}", data["token"])
    assert data["userId"] == moogo_simulator.account(TEST_EMAIL).user_id
    assert data["email"] == TEST_EMAIL
    assert data["ttl"] == 31536000
    assert moogo_simulator.account(TEST_EMAIL).login_count == 1


async def test_login_ignores_email_case_and_keeps_stored_spelling(api: Api) -> None:
    reply = await _login(api, email="  USER@Example.COM ")

    assert reply.code == 0
    assert reply.data["email"] == TEST_EMAIL


async def test_every_login_gets_a_new_token_and_old_ones_stay_valid(api: Api) -> None:
    first = await api.login()
    second = await api.login()

    assert first != second
    for token in (first, second):
        reply = await api.get("/v1/devices", token=token)
        assert reply.code == 0


@pytest.mark.parametrize(
    ("email", "password"),
    [(TEST_EMAIL, "wrong"), ("nobody@example.com", TEST_PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
async def test_wrong_credentials_answer_10104_with_http_200(
    api: Api, moogo_simulator: MoogoSimulator, email: str, password: str
) -> None:
    reply = await _login(api, email, password)

    assert reply.status == 200
    assert reply.code == 10104
    assert reply.data is None
    assert moogo_simulator.account(TEST_EMAIL).login_count == 0


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        '{"email": "user@example.com"}',
        '{"email": 5, "password": "x"}',
        '{"email": "  ", "password": "x"}',
        '{"email": "user@example.com", "password": "correct-horse", "keep": "yes"}',
        '{"email": "user@example.com", "password": "correct-horse", "keep": "true"}',
        "",
    ],
)
async def test_malformed_login_bodies_answer_400(api: Api, body: str) -> None:
    reply = await api.post(LOGIN, raw=body, token=None)

    assert reply.status == 400
    assert reply.code == 400


async def test_lockout_after_consecutive_failures_then_expires(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock
) -> None:
    # lockout_after=5, lockout_seconds=600 in clocked_sim.
    for _ in range(5):
        reply = await _login(clocked_api, password="wrong")
        assert reply.code == 10104

    locked = await _login(clocked_api)
    assert locked.status == 200
    assert locked.code == 10000
    assert clocked_sim.account(TEST_EMAIL).login_count == 0

    # Waiting out the lockout without knocking lets the right password in.
    clock.advance(600)
    assert (await _login(clocked_api)).code == 0


async def test_knocking_during_lockout_extends_it(
    clocked_api: Api, clock: FakeClock
) -> None:
    for _ in range(5):
        await _login(clocked_api, password="wrong")
    clock.advance(500)
    assert (await _login(clocked_api)).code == 10000  # restarts the 600 s

    clock.advance(500)
    assert (await _login(clocked_api)).code == 10000
    clock.advance(600)
    assert (await _login(clocked_api)).code == 0


async def test_success_resets_the_failure_count(clocked_api: Api) -> None:
    for _ in range(4):
        await _login(clocked_api, password="wrong")
    assert (await _login(clocked_api)).code == 0
    for _ in range(4):
        reply = await _login(clocked_api, password="wrong")
    assert reply.code == 10104
    assert (await _login(clocked_api)).code == 0


async def test_lockout_is_per_account(
    clocked_api: Api, clocked_sim: MoogoSimulator
) -> None:
    clocked_sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    for _ in range(5):
        await _login(clocked_api, password="wrong")

    assert (await _login(clocked_api)).code == 10000
    assert (await _login(clocked_api, OTHER_EMAIL, OTHER_PASSWORD)).code == 0


@pytest.mark.parametrize(
    "headers",
    [{}, {"token": "deadbeef"}, {"token": ""}],
    ids=["missing", "unknown", "empty"],
)
async def test_private_endpoints_need_a_valid_token(
    api: Api, headers: dict[str, str]
) -> None:
    reply = await api.get("/v1/devices", token=None, headers=headers)

    assert reply.status == 401
    assert reply.code == 401
    assert reply.data is None


async def test_token_must_be_in_a_header_named_token(api: Api) -> None:
    token = await api.login()

    reply = await api.get(
        "/v1/devices", token=None, headers={"Authorization": f"Bearer {token}"}
    )

    assert reply.status == 401


async def test_tokens_expire_by_the_clock(clocked_api: Api, clock: FakeClock) -> None:
    await clocked_api.login()  # token_ttl=3600 in clocked_sim

    clock.advance(3599)
    assert (await clocked_api.get("/v1/devices")).status == 200
    clock.advance(1)
    reply = await clocked_api.get("/v1/devices")
    assert reply.status == 401
    assert reply.code == 401
    # A dead token stays dead even if the clock were set back.
    clock.advance(-10)
    assert (await clocked_api.get("/v1/devices")).status == 401


async def test_revoking_all_tokens(api: Api, moogo_simulator: MoogoSimulator) -> None:
    old = await api.login()

    assert moogo_simulator.revoke_tokens() == 1

    assert (await api.get("/v1/devices", token=old)).status == 401
    new = await api.login()
    assert (await api.get("/v1/devices", token=new)).status == 200


async def test_revoking_one_account_leaves_the_other_alone(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    mine = await api.login()
    theirs = await api.login(OTHER_EMAIL, OTHER_PASSWORD)

    moogo_simulator.revoke_tokens(OTHER_EMAIL)

    assert (await api.get("/v1/devices", token=mine)).status == 200
    assert (await api.get("/v1/devices", token=theirs)).status == 401
    assert moogo_simulator.account(OTHER_EMAIL).tokens == {}


async def test_password_change_revokes_tokens_and_old_password(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    old_token = await api.login()

    moogo_simulator.change_password(TEST_EMAIL, "new-horse")

    assert (await api.get("/v1/devices", token=old_token)).status == 401
    assert (await _login(api)).code == 10104
    assert (await _login(api, password="new-horse")).code == 0


async def test_rate_limit_fault_refuses_every_login_only(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    await api.login()
    moogo_simulator.faults.rate_limit = True

    reply = await _login(api)

    assert reply.status == 200
    assert reply.code == 10000
    assert (await api.get("/v1/devices")).code == 0
    assert moogo_simulator.account(TEST_EMAIL).login_count == 1


def test_account_registry_errors() -> None:
    sim = MoogoSimulator()
    account = sim.add_account(TEST_EMAIL, TEST_PASSWORD)

    with pytest.raises(ValueError, match="exists already"):
        sim.add_account(TEST_EMAIL.upper(), "x")
    with pytest.raises(KeyError, match="no account"):
        sim.account("missing@example.com")
    with pytest.raises(KeyError):
        sim.revoke_tokens("missing@example.com")
    assert sim.accounts == [account]
    # Credentials never show in the repr (and so never in logs of it).
    assert TEST_PASSWORD not in repr(account)


def test_user_ids_are_unique_and_stable() -> None:
    sim = MoogoSimulator()
    first = sim.add_account("a@example.com", "pw")
    second = sim.add_account("b@example.com", "pw")

    assert first.user_id != second.user_id
    assert MoogoSimulator().add_account("c@example.com", "pw").user_id == first.user_id
