"""``app_limits``: the app's durations (20-120 s) and its 20 schedules a device.

Off by default, since nothing shows the real cloud refuses more; on in the
demo servers, so that a demo user meets the app's limits.
"""

from __future__ import annotations

from typing import Any

import pytest

from moogo_sim import DEMO_APP_LIMITS, MoogoSimulator
from moogo_sim.__main__ import create_simulator, parse_args

from .conftest import Api

NEW_SCHEDULE = {"hour": 7, "minute": 0, "repeatSet": "0,1,2,3,4,5,6", "status": 1}


def _schedules(device_id: str) -> str:
    return f"/v1/devices/{device_id}/schedules"


def _configs(device_id: str) -> str:
    return f"/v1/devices/{device_id}/configs"


def _fill(sim: MoogoSimulator, device_id: str, count: int) -> None:
    for hour in range(count):
        sim.add_schedule(device_id, hour=hour, minute=0, duration=60)


@pytest.mark.parametrize("seconds", [1, 19, 121, 3600])
async def test_without_the_knob_durations_outside_the_apps_are_taken(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str], seconds: int
) -> None:
    await api.login()

    created = await api.post(
        _schedules(device_ids[0]), json_body={**NEW_SCHEDULE, "duration": seconds}
    )
    configured = await api.put(
        _configs(device_ids[0]), json_body={"sprayingSeconds": seconds}
    )

    assert moogo_simulator.app_limits is False
    assert (created.code, created.data["duration"]) == (0, seconds)
    assert (configured.code, configured.data["sprayingSeconds"]) == (0, seconds)


async def test_without_the_knob_a_21st_schedule_is_taken(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    _fill(moogo_simulator, device_ids[0], 20)
    await api.login()

    reply = await api.post(
        _schedules(device_ids[0]), json_body={**NEW_SCHEDULE, "duration": 60}
    )

    assert reply.code == 0
    assert len(moogo_simulator.device(device_ids[0]).schedules) == 21


@pytest.fixture
def limited(moogo_simulator: MoogoSimulator) -> MoogoSimulator:
    moogo_simulator.configure(app_limits=True)
    return moogo_simulator


@pytest.mark.parametrize(
    "kwargs",
    [
        {"json_body": {**NEW_SCHEDULE, "duration": 19}},
        {"json_body": {**NEW_SCHEDULE, "duration": 121}},
        {"json_body": {**NEW_SCHEDULE, "duration": 3600}},
        {"form": {"hour": "7", "minute": "0", "duration": "15"}},  # the app's encoding
    ],
)
async def test_with_the_knob_a_new_schedule_outside_20_to_120_s_is_400(
    api: Api, limited: MoogoSimulator, device_ids: list[str], kwargs: dict[str, Any]
) -> None:
    await api.login()

    reply = await api.post(_schedules(device_ids[0]), **kwargs)

    assert (reply.status, reply.code, reply.data) == (400, 400, None)
    assert "duration" in reply.body["message"]
    assert limited.device(device_ids[0]).schedules == []


@pytest.mark.parametrize("seconds", [20, 60, 120])
async def test_with_the_knob_the_apps_durations_are_taken(
    api: Api, limited: MoogoSimulator, device_ids: list[str], seconds: int
) -> None:
    await api.login()

    created = await api.post(
        _schedules(device_ids[0]),
        form={"hour": "7", "minute": "0", "duration": str(seconds)},
    )
    edited = await api.put(
        f"{_schedules(device_ids[0])}/{created.data['id']}",
        json_body={"duration": seconds},
    )
    configured = await api.put(
        _configs(device_ids[0]), json_body={"sprayingSeconds": seconds}
    )

    assert (created.code, edited.code, configured.code) == (0, 0, 0)
    assert (edited.data["duration"], configured.data["sprayingSeconds"]) == (
        seconds,
        seconds,
    )


@pytest.mark.parametrize("seconds", [19, 121])
async def test_with_the_knob_an_edit_outside_20_to_120_s_is_400(
    api: Api, limited: MoogoSimulator, device_ids: list[str], seconds: int
) -> None:
    schedule = limited.add_schedule(device_ids[0], hour=6, minute=0, duration=60)
    await api.login()

    reply = await api.put(
        f"{_schedules(device_ids[0])}/{schedule.schedule_id}",
        json_body={"duration": seconds, "hour": 8},
    )

    assert (reply.status, reply.code) == (400, 400)
    assert "duration" in reply.body["message"]
    assert (schedule.duration, schedule.hour) == (60, 6)


@pytest.mark.parametrize("seconds", [1, 19, 121, 3600])
async def test_with_the_knob_spraying_seconds_outside_20_to_120_is_400(
    api: Api, limited: MoogoSimulator, device_ids: list[str], seconds: int
) -> None:
    await api.login()
    before = (await api.get(_configs(device_ids[0]))).data

    # The app's way: the whole configuration as read, one value changed.
    reply = await api.put(
        _configs(device_ids[0]),
        json_body={
            **{key: value for key, value in before.items() if key != "syncStatus"},
            "sprayingSeconds": seconds,
        },
    )

    assert (reply.status, reply.code) == (400, 400)
    assert "sprayingSeconds" in reply.body["message"]
    assert (await api.get(_configs(device_ids[0]))).data == before


async def test_with_the_knob_a_21st_schedule_is_400(
    api: Api, limited: MoogoSimulator, device_ids: list[str]
) -> None:
    _fill(limited, device_ids[0], 19)
    await api.login()
    body = {**NEW_SCHEDULE, "duration": 60}

    twentieth = await api.post(_schedules(device_ids[0]), json_body=body)
    twenty_first = await api.post(_schedules(device_ids[0]), json_body=body)
    on_another_device = await api.post(_schedules(device_ids[1]), json_body=body)
    deleted = await api.delete(f"{_schedules(device_ids[0])}/{twentieth.data['id']}")
    after_deleting = await api.post(_schedules(device_ids[0]), json_body=body)

    assert twentieth.code == 0
    assert (twenty_first.status, twenty_first.code) == (400, 400)
    assert "20 schedules" in twenty_first.body["message"]
    assert (on_another_device.code, deleted.code, after_deleting.code) == (0, 0, 0)
    assert len(limited.device(device_ids[0]).schedules) == 20


async def test_the_knob_can_be_lifted_again(
    api: Api, limited: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    body = {**NEW_SCHEDULE, "duration": 300}

    refused = await api.post(_schedules(device_ids[0]), json_body=body)
    limited.configure(app_limits=False)
    taken = await api.post(_schedules(device_ids[0]), json_body=body)

    assert (refused.code, taken.code) == (400, 0)
    assert limited.settings()["app_limits"] is False


async def test_the_admin_endpoint_turns_the_knob_on(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    reply = await api.post("/_admin/config", json_body={"app_limits": True}, token=None)
    await api.login()

    refused = await api.put(_configs(device_ids[0]), json_body={"sprayingSeconds": 10})

    assert reply.body["app_limits"] is True
    assert (refused.status, refused.code) == (400, 400)


def test_the_demo_servers_turn_the_knob_on_and_tests_choose() -> None:
    demo = create_simulator(parse_args([]))
    lenient = create_simulator(parse_args(["--no-app-limits"]))
    explicit = create_simulator(parse_args(["--app-limits"]))

    assert DEMO_APP_LIMITS is True
    assert (demo.app_limits, lenient.app_limits, explicit.app_limits) == (
        True,
        False,
        True,
    )
    assert MoogoSimulator.seeded_demo().app_limits is False
    assert MoogoSimulator.seeded_demo(app_limits=True).app_limits is True
    assert MoogoSimulator(app_limits=True).settings()["app_limits"] is True


def test_the_demo_data_keeps_the_apps_limits() -> None:
    sim = MoogoSimulator.seeded_demo(extra_devices=2)

    for device in sim.devices:
        assert 20 <= device.spraying_seconds <= 120
        assert len(device.schedules) <= 20
        assert all(20 <= schedule.duration <= 120 for schedule in device.schedules)
        assert not device.frost_locked  # the demo keeps its devices warm
