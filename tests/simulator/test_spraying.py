"""Start / stop, the reaction delay and the automatic end (on a fake clock)."""

from __future__ import annotations

from moogo_sim import MoogoSimulator
from tests.common import START_TIME, FakeClock

from .conftest import Api


async def _run_status(api: Api, device_id: str) -> int:
    reply = await api.get(f"/v1/devices/{device_id}")
    assert reply.code == 0
    return int(reply.data["runStatus"])


async def _detail(api: Api, device_id: str) -> dict[str, object]:
    return dict((await api.get(f"/v1/devices/{device_id}")).data)


def _events(sim: MoogoSimulator, device_id: str) -> list[str]:
    """The device's internal event log, newest first."""
    return [entry.event for entry in reversed(sim.device(device_id).logs)]


async def _history(api: Api, device_id: str) -> list[dict[str, int]]:
    return list((await api.get(f"/v1/devices/{device_id}/logs")).data["items"])


async def test_start_shows_after_the_delay_and_ends_by_itself(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()

    reply = await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})
    assert reply.status == 200
    assert reply.code == 0

    clock.advance(2.9)
    assert await _run_status(clocked_api, clocked_device) == 0
    clock.advance(0.1)  # reaction_delay = 3
    assert await _run_status(clocked_api, clocked_device) == 1
    listed = (await clocked_api.get("/v1/devices")).data["items"]
    assert listed[0]["runStatus"] == 1
    clock.advance(59.9)
    assert await _run_status(clocked_api, clocked_device) == 1
    clock.advance(0.1)  # sprayingSeconds = 60
    detail = await _detail(clocked_api, clocked_device)
    assert detail["runStatus"] == 0
    assert detail["latestSprayingEnd"] == int(START_TIME + 63)
    assert detail["latestSprayingDuration"] == 60
    assert _events(clocked_sim, clocked_device) == ["spray_end", "start"]
    assert await _history(clocked_api, clocked_device) == [
        {"id": 1, "createdAt": int(START_TIME + 63), "seconds": 60}
    ]


async def test_stop_is_delayed_and_records_the_actual_duration(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})
    clock.advance(16)  # sprayed 13 s so far

    reply = await clocked_api.post(f"/v1/devices/{clocked_device}/stop", json_body={})
    assert reply.code == 0

    clock.advance(2.9)
    assert await _run_status(clocked_api, clocked_device) == 1
    clock.advance(0.1)
    detail = await _detail(clocked_api, clocked_device)
    assert detail["runStatus"] == 0
    assert detail["latestSprayingDuration"] == 16
    assert detail["latestSprayingEnd"] == int(START_TIME + 19)
    assert clocked_sim.device(clocked_device).logs[-1].details == (
        "sprayed 16 s (stopped)"
    )
    assert await _history(clocked_api, clocked_device) == [
        {"id": 1, "createdAt": int(START_TIME + 19), "seconds": 16}
    ]


async def test_stop_before_the_pump_reacts_cancels_the_spray(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})
    await clocked_api.post(f"/v1/devices/{clocked_device}/stop", json_body={})

    for _ in range(5):
        clock.advance(1)
        assert await _run_status(clocked_api, clocked_device) == 0
    assert clocked_sim.device(clocked_device).latest_spraying_end is None
    assert _events(clocked_sim, clocked_device) == ["stop", "start"]
    assert await _history(clocked_api, clocked_device) == []


async def test_stop_landing_after_the_natural_end_changes_nothing(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})
    clock.advance(62)  # the pump stops by itself at 63; this stop acts at 65

    await clocked_api.post(f"/v1/devices/{clocked_device}/stop", json_body={})
    clock.advance(1)

    detail = await _detail(clocked_api, clocked_device)
    assert detail["runStatus"] == 0
    assert detail["latestSprayingDuration"] == 60
    spray_end = clocked_sim.device(clocked_device).logs[-1]
    assert spray_end.details == "sprayed 60 s (finished)"


async def test_start_while_spraying_does_not_extend_the_spray(
    clocked_api: Api, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})
    clock.advance(30)
    await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})

    clock.advance(33)  # original natural end: start + 3 + 60
    detail = await _detail(clocked_api, clocked_device)
    assert detail["runStatus"] == 0
    assert detail["latestSprayingDuration"] == 60


async def test_restart_after_a_spray_ends(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    for _ in range(2):
        await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})
        clock.advance(3)
        assert await _run_status(clocked_api, clocked_device) == 1
        clock.advance(60)
        assert await _run_status(clocked_api, clocked_device) == 0

    events = _events(clocked_sim, clocked_device)
    assert events == ["spray_end", "start", "spray_end", "start"]
    assert len(await _history(clocked_api, clocked_device)) == 2
    assert clocked_sim.device(clocked_device).latest_spraying_end == START_TIME + 126


async def test_spray_length_follows_the_configured_seconds(
    clocked_api: Api, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    reply = await clocked_api.put(
        f"/v1/devices/{clocked_device}/configs", json_body={"sprayingSeconds": 10}
    )
    assert reply.code == 0

    await clocked_api.post(
        f"/v1/devices/{clocked_device}/start", form={"mode": "normal"}
    )
    clock.advance(12.9)
    assert await _run_status(clocked_api, clocked_device) == 1
    clock.advance(0.1)
    assert await _run_status(clocked_api, clocked_device) == 0


async def test_commands_to_an_offline_device_answer_10201(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    clocked_sim.set_online(clocked_device, False)

    for command in ("start", "stop"):
        reply = await clocked_api.post(
            f"/v1/devices/{clocked_device}/{command}", json_body={}
        )
        assert reply.status == 200
        assert reply.code == 10201
    clock.advance(5)
    assert not clocked_sim.is_spraying(clocked_device)
    assert _events(clocked_sim, clocked_device) == ["offline"]


async def test_an_offline_device_reports_idle_while_its_pump_runs(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})
    clock.advance(5)

    clocked_sim.set_online(clocked_device, False)

    assert clocked_sim.is_spraying(clocked_device)
    assert await _run_status(clocked_api, clocked_device) == 0


async def test_command_bodies_are_checked(
    clocked_api: Api, clocked_device: str
) -> None:
    await clocked_api.login()

    empty = await clocked_api.post(f"/v1/devices/{clocked_device}/start")
    bad_mode = await clocked_api.post(
        f"/v1/devices/{clocked_device}/start", json_body={"mode": 1}
    )
    not_object = await clocked_api.post(f"/v1/devices/{clocked_device}/stop", raw="[]")

    assert empty.code == 0
    assert (bad_mode.status, bad_mode.code) == (400, 400)
    assert (not_object.status, not_object.code) == (400, 400)


async def test_ms_timestamps_fault_sends_milliseconds(
    clocked_api: Api, clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    await clocked_api.login()
    await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})
    clock.advance(63)

    clocked_sim.faults.ms_timestamps = True
    in_ms = (await _detail(clocked_api, clocked_device))["latestSprayingEnd"]
    clocked_sim.faults.paths = ["/logs"]  # detail no longer selected
    in_s = (await _detail(clocked_api, clocked_device))["latestSprayingEnd"]

    assert in_ms == int(START_TIME + 63) * 1000
    assert in_s == int(START_TIME + 63)


async def test_reaction_delay_can_change_while_running(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    await clocked_api.login()
    clocked_sim.reaction_delay = 0

    await clocked_api.post(f"/v1/devices/{clocked_device}/start", json_body={})

    assert await _run_status(clocked_api, clocked_device) == 1
