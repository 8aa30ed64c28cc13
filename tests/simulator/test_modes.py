"""The ``mode`` of start / stop: taken in every encoding, recorded, self-test."""

from __future__ import annotations

from typing import Any

import pytest

from moogo_sim import MoogoSimulator, SprayCommand
from tests.common import START_TIME, FakeClock

from .conftest import Api

FORM = "application/x-www-form-urlencoded"


def _commands(sim: MoogoSimulator, device_id: str) -> list[tuple[str, str | None]]:
    return [
        (command.command, command.mode) for command in sim.device(device_id).commands
    ]


async def _run_status(api: Api, device_id: str) -> int:
    return int((await api.get(f"/v1/devices/{device_id}")).data["runStatus"])


@pytest.mark.parametrize(
    ("kwargs", "headers", "recorded"),
    [
        ({}, None, None),  # no body at all
        ({"json_body": {}}, None, None),  # pymoogo
        ({"json_body": {"mode": "normal"}}, None, "normal"),
        ({"form": {"mode": "normal"}}, None, "normal"),  # the app's buttons
        ({"form": {"mode": "self-test"}}, None, "self-test"),  # the app's self-test
        ({"json_body": {"mode": "manual"}}, None, "manual"),  # the community notes
        ({"raw": "mode=normal"}, {"Content-Type": f"{FORM}; charset=UTF-8"}, "normal"),
        # The evidence is silent on other values: taken and kept as sent.
        ({"json_body": {"mode": "turbo"}}, None, "turbo"),
        ({"form": {"mode": "Normal"}}, None, "Normal"),
        ({"form": {"mode": ""}}, None, ""),
    ],
)
async def test_start_and_stop_record_the_mode_they_carried(
    api: Api,
    moogo_simulator: MoogoSimulator,
    device_ids: list[str],
    kwargs: dict[str, Any],
    headers: dict[str, str] | None,
    recorded: str | None,
) -> None:
    await api.login()
    base = f"/v1/devices/{device_ids[0]}"

    started = await api.post(f"{base}/start", headers=headers, **kwargs)
    spraying = moogo_simulator.is_spraying(device_ids[0])
    stopped = await api.post(f"{base}/stop", headers=headers, **kwargs)

    assert (started.code, stopped.code) == (0, 0), (started.text, stopped.text)
    assert spraying
    assert not moogo_simulator.is_spraying(device_ids[0])
    assert _commands(moogo_simulator, device_ids[0]) == [
        ("start", recorded),
        ("stop", recorded),
    ]


async def test_each_command_is_recorded_with_its_time_and_answer(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    base = f"/v1/devices/{clocked_device}"

    await clocked_api.post(f"{base}/start", form={"mode": "normal"})
    clock.advance(10)
    await clocked_api.post(f"{base}/stop", form={"mode": "normal"})
    clocked_sim.set_online(clocked_device, False)
    refused = await clocked_api.post(f"{base}/start", json_body={})

    assert refused.code == 10201
    assert list(clocked_sim.device(clocked_device).commands) == [
        SprayCommand(START_TIME, "start", "normal", 0),
        SprayCommand(START_TIME + 10, "stop", "normal", 0),
        SprayCommand(START_TIME + 10, "start", None, 10201),
    ]


async def test_the_admin_state_shows_the_commands(
    api: Api, device_ids: list[str]
) -> None:
    await api.login()
    await api.post(f"/v1/devices/{device_ids[0]}/start", form={"mode": "self-test"})
    await api.post(f"/v1/devices/{device_ids[0]}/stop", form={"mode": "normal"})

    state = (await api.get("/_admin/state", token=None)).body
    first, second = state["accounts"][0]["devices"]

    assert [
        (item["command"], item["mode"], item["code"]) for item in first["commands"]
    ] == [
        ("start", "self-test", 0),
        ("stop", "normal", 0),
    ]
    assert second["commands"] == []


@pytest.mark.parametrize(
    "body", [{"mode": 1}, {"mode": None}, {"mode": "normal", "x": 1}]
)
async def test_a_refused_body_is_no_command(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str], body: Any
) -> None:
    await api.login()

    reply = await api.post(f"/v1/devices/{device_ids[0]}/start", json_body=body)

    assert (reply.status, reply.code) == (400, 400)
    assert _commands(moogo_simulator, device_ids[0]) == []


@pytest.mark.parametrize(
    "kwargs", [{"form": {"mode": "self-test"}}, {"json_body": {"mode": "self-test"}}]
)
async def test_a_self_test_mists_three_minutes_then_stops_by_itself(
    clocked_api: Api,
    clocked_sim: MoogoSimulator,
    clock: FakeClock,
    clocked_device: str,
    kwargs: dict[str, Any],
) -> None:
    await clocked_api.login()

    reply = await clocked_api.post(f"/v1/devices/{clocked_device}/start", **kwargs)

    assert reply.code == 0
    clock.advance(3)  # reaction_delay
    assert await _run_status(clocked_api, clocked_device) == 1
    clock.advance(179.9)  # longer than the device's 60 s sprayingSeconds
    assert await _run_status(clocked_api, clocked_device) == 1
    clock.advance(0.1)
    assert await _run_status(clocked_api, clocked_device) == 0
    device = clocked_sim.device(clocked_device)
    assert (device.latest_spraying_duration, device.latest_spraying_end) == (
        180,
        START_TIME + 183,
    )
    assert device.logs[-1].details == "sprayed 180 s (finished)"


async def test_a_self_test_is_stopped_like_any_mist(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    await clocked_api.post(
        f"/v1/devices/{clocked_device}/start", form={"mode": "self-test"}
    )
    clock.advance(30)

    reply = await clocked_api.post(
        f"/v1/devices/{clocked_device}/stop", form={"mode": "normal"}
    )
    clock.advance(3)

    assert reply.code == 0
    assert await _run_status(clocked_api, clocked_device) == 0
    assert clocked_sim.device(clocked_device).latest_spraying_duration == 30


@pytest.mark.parametrize("mode", ["normal", "manual", "turbo"])
async def test_every_other_mode_mists_the_configured_seconds(
    clocked_api: Api, clock: FakeClock, clocked_device: str, mode: str
) -> None:
    await clocked_api.login()

    reply = await clocked_api.post(
        f"/v1/devices/{clocked_device}/start", form={"mode": mode}
    )

    assert reply.code == 0
    clock.advance(3 + 59.9)
    assert await _run_status(clocked_api, clocked_device) == 1
    clock.advance(0.1)  # sprayingSeconds = 60
    assert await _run_status(clocked_api, clocked_device) == 0
