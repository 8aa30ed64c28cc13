"""The client's public names are the founding guide's, one per operation."""

from __future__ import annotations

import inspect

import aiohttp

from custom_components.moogo.api import MoogoClient
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD


def test_constructor_takes_the_guides_arguments() -> None:
    parameters = inspect.signature(MoogoClient).parameters
    assert list(parameters)[:2] == ["email", "password"]
    for keyword in ("session", "timeout", "base_url"):
        assert parameters[keyword].kind is inspect.Parameter.KEYWORD_ONLY


def test_sign_in_has_one_name() -> None:
    public = {name for name in dir(MoogoClient) if not name.startswith("_")}
    assert "authenticate" in public
    # No alias left behind from before the rename.
    assert not {name for name in public if name in {"login", "sign_in", "signin"}}
    assert inspect.iscoroutinefunction(MoogoClient.authenticate)


async def test_guides_calls_work_as_written(
    moogo_simulator: MoogoSimulator,
) -> None:
    async with aiohttp.ClientSession() as session:
        async with MoogoClient(
            email=TEST_EMAIL,
            password=TEST_PASSWORD,
            session=session,
            timeout=60,
            base_url=moogo_simulator.url,
        ) as client:
            token = await client.authenticate()
            devices = await client.get_devices()
            assert client.has_injected_session is True
        await client.close()
        assert not session.closed
    assert token.user_id == client.user_id
    assert [device.name for device in devices] == ["Front Yard", "Back Yard"]
