"""Frost: a device below 8 °C refuses a start with code 10202 (the app)."""

from __future__ import annotations

from typing import Any

import pytest

from moogo_sim import MoogoSimulator
from tests.common import FakeClock

from .conftest import Api


def _start(device_id: str) -> str:
    return f"/v1/devices/{device_id}/start"


def _codes(sim: MoogoSimulator, device_id: str) -> list[tuple[str, int]]:
    return [
        (command.command, command.code) for command in sim.device(device_id).commands
    ]


@pytest.mark.parametrize("celsius", [7.9, 7, 0, -12.5, "7.5"])
@pytest.mark.parametrize(
    "kwargs",
    [{"json_body": {}}, {"form": {"mode": "normal"}}, {"form": {"mode": "self-test"}}],
)
async def test_a_start_below_eight_degrees_is_refused_with_10202(
    clocked_api: Api,
    clocked_sim: MoogoSimulator,
    clock: FakeClock,
    clocked_device: str,
    celsius: Any,
    kwargs: dict[str, Any],
) -> None:
    clocked_sim.set_temperature(clocked_device, celsius)
    await clocked_api.login()

    reply = await clocked_api.post(_start(clocked_device), **kwargs)
    clock.advance(5)

    assert (reply.status, reply.code, reply.data) == (200, 10202, None)
    assert "frost" in reply.body["message"]
    assert not clocked_sim.is_spraying(clocked_device)
    assert _codes(clocked_sim, clocked_device) == [("start", 10202)]
    assert clocked_sim.device(clocked_device).episodes == []


@pytest.mark.parametrize("celsius", [8, 8.0, 9.9, 10, "9"])
async def test_between_eight_and_ten_degrees_a_start_works(
    clocked_api: Api,
    clocked_sim: MoogoSimulator,
    clock: FakeClock,
    clocked_device: str,
    celsius: Any,
) -> None:
    clocked_sim.set_temperature(clocked_device, celsius)
    await clocked_api.login()

    reply = await clocked_api.post(_start(clocked_device), form={"mode": "normal"})
    clock.advance(3)

    assert reply.code == 0
    assert clocked_sim.is_spraying(clocked_device)


@pytest.mark.parametrize("odd", [None, "cold", True, [5]])
async def test_a_temperature_that_is_no_number_locks_nothing(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str], odd: Any
) -> None:
    moogo_simulator.set_temperature(device_ids[0], odd)
    await api.login()

    reply = await api.post(_start(device_ids[0]), json_body={})

    assert reply.code == 0
    assert moogo_simulator.is_spraying(device_ids[0])


async def test_a_stop_is_never_refused_for_frost(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    await api.post(_start(device_ids[0]), json_body={})
    moogo_simulator.set_temperature(device_ids[0], 3.0)

    reply = await api.post(f"/v1/devices/{device_ids[0]}/stop", json_body={})

    assert reply.code == 0
    assert not moogo_simulator.is_spraying(device_ids[0])


async def test_warming_up_lifts_the_lock_and_the_detail_shows_it(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    device = moogo_simulator.set_temperature(device_ids[0], 4.5)
    await api.login()
    cold = await api.post(_start(device_ids[0]), json_body={})
    cold_detail = (await api.get(f"/v1/devices/{device_ids[0]}")).data

    moogo_simulator.set_temperature(device_ids[0], 12)
    warm = await api.post(_start(device_ids[0]), json_body={})

    assert device is moogo_simulator.device(device_ids[0])
    assert cold_detail["temperature"] == 4.5
    assert (cold.code, warm.code) == (10202, 0)
    assert _codes(moogo_simulator, device_ids[0]) == [("start", 10202), ("start", 0)]


async def test_an_offline_frozen_device_answers_offline(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.set_temperature(device_ids[0], -3)
    moogo_simulator.set_online(device_ids[0], False)
    await api.login()

    reply = await api.post(_start(device_ids[0]), json_body={})

    assert reply.code == 10201


async def test_the_admin_endpoint_sets_the_temperature(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    patched = await api.post(
        f"/_admin/devices/{device_ids[0]}", json_body={"temperature": 6}, token=None
    )
    await api.login()

    reply = await api.post(_start(device_ids[0]), json_body={})

    assert patched.body["temperature"] == 6
    assert reply.code == 10202
    assert not moogo_simulator.is_spraying(device_ids[0])


def test_set_temperature_of_an_unknown_device_is_a_key_error() -> None:
    sim = MoogoSimulator()

    with pytest.raises(KeyError, match="MGNONE"):
        sim.set_temperature("MGNONE", 5)
