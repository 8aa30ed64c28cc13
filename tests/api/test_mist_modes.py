"""Start and stop as the app sends them: the mode, the self-test and the frost lock."""

from __future__ import annotations

import pytest

from custom_components.moogo.api import (
    MistMode,
    MoogoClient,
    MoogoDeviceError,
    MoogoDeviceOfflineError,
    MoogoFrostError,
)
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD, FakeClock, logins


def _sent(sim: MoogoSimulator, device_id: str) -> list[tuple[str, str | None, int]]:
    return [
        (command.command, command.mode, command.code)
        for command in sim.device(device_id).commands
    ]


async def test_start_and_stop_carry_the_apps_normal_mode(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.start_mist(device_ids[0])
    await client.stop_mist(device_ids[0])

    assert _sent(sim, device_ids[0]) == [("start", "normal", 0), ("stop", "normal", 0)]
    # As form fields, the app's encoding: a JSON mode is not known to be read.
    assert [
        (request.route.rsplit("/", 1)[-1], request.encoding, request.body_fields)
        for request in sim.request_log
        if request.route.endswith(("/start", "/stop"))
    ] == [("start", "form", {"mode"}), ("stop", "form", {"mode"})]


async def test_self_test_carries_its_mode_and_mists_three_minutes(
    clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    async with MoogoClient(
        TEST_EMAIL, TEST_PASSWORD, base_url=clocked_sim.url
    ) as client:
        await client.start_mist(clocked_device, mode=MistMode.SELF_TEST)
        clock.advance(3 + 179)
        # Longer than the device's 60 s default mist.
        assert (await client.get_device(clocked_device)).misting is True
        clock.advance(1)
        detail = await client.get_device(clocked_device)

    assert detail.misting is False
    assert detail.latest_mist_duration == 180
    assert _sent(clocked_sim, clocked_device) == [("start", "self-test", 0)]


async def test_a_mode_the_app_does_not_send_is_refused_unsent(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.authenticate()
    sim.reset_counts()

    with pytest.raises(ValueError, match="turbo"):
        await client.start_mist(device_ids[0], mode="turbo")  # type: ignore[arg-type]

    assert sim.total_requests == 0
    assert _sent(sim, device_ids[0]) == []


@pytest.mark.parametrize("mode", list(MistMode))
async def test_a_start_below_eight_degrees_is_a_frost_error(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str], mode: MistMode
) -> None:
    sim.set_temperature(device_ids[0], 5)

    with pytest.raises(MoogoFrostError) as caught:
        await client.start_mist(device_ids[0], mode=mode)

    assert caught.value.code == 10202
    assert "below 8 °C (46 °F)" in str(caught.value)
    assert not sim.is_spraying(device_ids[0])
    assert _sent(sim, device_ids[0]) == [("start", mode.value, 10202)]
    # A device's refusal, not the account's: no new login, the other device mists.
    await client.start_mist(device_ids[1])
    assert sim.is_spraying(device_ids[1])
    assert logins(sim) == 1


async def test_at_nine_degrees_a_start_works(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    sim.set_temperature(device_ids[0], 9)

    await client.start_mist(device_ids[0])

    assert sim.is_spraying(device_ids[0])
    assert _sent(sim, device_ids[0]) == [("start", "normal", 0)]


def test_frost_is_a_device_error_told_apart_from_offline() -> None:
    assert issubclass(MoogoFrostError, MoogoDeviceError)
    assert issubclass(MoogoDeviceOfflineError, MoogoDeviceError)
    assert not issubclass(MoogoFrostError, MoogoDeviceOfflineError)
