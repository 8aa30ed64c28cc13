"""The client's sign-in state: refused credentials, the floor, unusable answers.

No answer of the cloud may make the client sign in more than about once in
ten minutes; refused credentials are never sent again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.moogo.api import (
    MoogoApiError,
    MoogoAuthError,
    MoogoLoginDeferredError,
    MoogoResponseError,
    MoogoToken,
    SignInState,
)
from custom_components.moogo.api.auth import credentials_fingerprint
from custom_components.moogo.api.const import LOGIN_FLOOR_SECONDS
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD, logins

from .conftest import ClientFactory

FLOOR = timedelta(seconds=LOGIN_FLOOR_SECONDS)
# What an answer the client cannot use raises.
UNUSABLE = (MoogoResponseError, MoogoApiError)


async def test_refused_credentials_are_never_sent_again(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client(password="wrong")
    with pytest.raises(MoogoAuthError):
        await client.get_devices()
    assert client.credentials_refused
    assert client.sign_in_state.credentials_refused

    for call in (client.get_devices, client.authenticate):
        with pytest.raises(MoogoAuthError) as caught:
            await call()
        assert caught.value.code == 10104
    assert logins(sim) == 1
    assert sim.total_requests == 1


async def test_refusal_given_back_at_construction_holds(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client(sign_in_state=SignInState(credentials_refused=True))
    with pytest.raises(MoogoAuthError):
        await client.get_devices()
    assert sim.total_requests == 0

    client.allow_login()
    assert client.sign_in_state == SignInState()
    await client.get_devices()
    assert logins(sim) == 1


async def test_a_refused_login_answered_401_is_a_refusal(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    sim.faults.update({"http_status": 401, "paths": ["/v1/user/login"]})
    with pytest.raises(MoogoAuthError, match="Login refused"):
        await client.authenticate()
    assert client.credentials_refused


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"null_data": True}, id="data_null"),
        pytest.param({"truncated_json": True}, id="not_json"),
        pytest.param({"http_status": 418}, id="unknown_answer"),
    ],
)
async def test_unusable_answers_wait_the_floor_then_stop(
    sim: MoogoSimulator,
    make_client: ClientFactory,
    fault: dict[str, Any],
) -> None:
    client = make_client()
    sim.faults.update({**fault, "paths": ["/v1/user/login"]})
    with pytest.raises(UNUSABLE):
        await client.get_devices()
    state = client.sign_in_state
    assert state.unusable_answers == 1
    assert state.not_before is not None

    # Within the floor: held back without a request, saying until when.
    with pytest.raises(MoogoLoginDeferredError) as caught:
        await client.get_devices()
    assert caught.value.retry_at == state.not_before
    assert logins(sim) == 1

    # Past the floor each time: two more answers, then no more sign-ins.
    for answers in (2, 3):
        client = make_client(
            sign_in_state=SignInState(
                not_before=datetime.now(UTC) - timedelta(seconds=1),
                unusable_answers=answers - 1,
            )
        )
        with pytest.raises(UNUSABLE):
            await client.get_devices()
        assert client.sign_in_state.unusable_answers == answers
    assert client.sign_in_state.paused
    paused = make_client(sign_in_state=SignInState(unusable_answers=3))
    with pytest.raises(MoogoLoginDeferredError) as stopped:
        await paused.authenticate()
    assert stopped.value.retry_at is None
    assert "not signing in again until allowed" in str(stopped.value)
    assert logins(sim) == 3

    # The user asks: one sign-in goes out.
    sim.reset_faults()
    paused.allow_login()
    await paused.get_devices()
    assert logins(sim) == 4


async def test_a_working_request_ends_the_streak(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client(sign_in_state=SignInState(unusable_answers=2))
    await client.get_devices()
    assert client.sign_in_state.unusable_answers == 0


async def test_one_spare_sign_in_then_one_per_floor(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    """A revoked token is replaced at once once; the next waits the floor."""
    client = make_client()
    await client.get_devices()
    sim.revoke_tokens()
    await client.get_devices()
    assert logins(sim) == 2

    sim.revoke_tokens()
    with pytest.raises(MoogoLoginDeferredError) as caught:
        await client.get_devices()
    assert caught.value.retry_at is not None
    assert caught.value.retry_at - datetime.now(UTC) <= FLOOR
    assert logins(sim) == 2


async def test_a_token_rejected_right_after_its_sign_in_counts_as_unusable(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    client = make_client()
    sim.faults.update({"http_status": 401, "paths": ["/v1/devices"]})
    with pytest.raises(MoogoAuthError, match="fresh login"):
        await client.get_devices()
    assert logins(sim) == 1
    assert client.sign_in_state.unusable_answers == 1
    with pytest.raises(MoogoLoginDeferredError):
        await client.get_devices()
    assert logins(sim) == 1


def test_fingerprint_tells_credentials_apart_and_hides_them() -> None:
    first = credentials_fingerprint(TEST_EMAIL, TEST_PASSWORD, "entry-1")
    assert first == credentials_fingerprint(TEST_EMAIL, TEST_PASSWORD, "entry-1")
    assert first != credentials_fingerprint(TEST_EMAIL, "other", "entry-1")
    assert first != credentials_fingerprint(TEST_EMAIL, TEST_PASSWORD, "entry-2")
    assert TEST_PASSWORD not in first
    assert len(first) == 64


async def test_client_fingerprint_is_of_its_own_credentials(
    make_client: ClientFactory,
) -> None:
    assert make_client().credentials_fingerprint("salt") == credentials_fingerprint(
        TEST_EMAIL, TEST_PASSWORD, "salt"
    )


@pytest.mark.parametrize(
    ("ttl", "lifetime"),
    [
        pytest.param(5, None, id="shorter_than_the_floor"),
        pytest.param(599, None, id="just_under"),
        pytest.param(600, timedelta(minutes=10), id="the_minimum"),
        pytest.param(86400, timedelta(days=1), id="a_day"),
        pytest.param(-5, None, id="negative"),
        pytest.param(4e8, None, id="beyond_ten_years"),
    ],
)
def test_token_lifetime_is_believed_only_within_reason(
    ttl: float, lifetime: timedelta | None
) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    token = MoogoToken.from_login({"token": "t", "userId": "u", "ttl": ttl}, now)
    assert token.expires_at == (now + lifetime if lifetime else None)
