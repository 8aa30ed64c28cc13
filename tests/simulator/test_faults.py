"""Every fault knob, the path filter and the error-rate determinism."""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from moogo_sim import FaultConfig, MoogoSimulator
from moogo_sim.faults import FaultInjector
from tests.common import START_TIME, TEST_EMAIL, TEST_PASSWORD

from .conftest import Api


async def _timed(api: Api, path: str, **kwargs: Any) -> float:
    started = time.monotonic()
    await api.get(path, **kwargs)
    return time.monotonic() - started


async def test_latency_slows_every_api_request_but_not_admin(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.faults.latency = 0.5
    # The path filter does not limit latency.
    moogo_simulator.faults.paths = ["/configs"]

    api_time = await _timed(api, "/v1/liquid", token=None)
    admin_time = await _timed(api, "/_admin/counters", token=None)

    assert api_time >= 0.5
    assert admin_time < 0.5


async def test_path_latency_slows_only_the_paths_it_names(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    """A fragment ending in "$" ends the path: the list, not what lies below it."""
    moogo_simulator.faults.update({"path_latency": 0.5, "paths": ["/v1/liquid$"]})

    slow = await _timed(api, "/v1/liquid", token=None)
    fast = await _timed(api, "/v1/devices/schedules", token=None)

    assert slow >= 0.5
    assert fast < 0.5
    assert moogo_simulator.faults.applies_to("/v1/devices/MG1", "GET") is False
    assert FaultConfig(paths=["/v1/devices/MG1$"]).applies_to("/v1/devices/MG1")
    assert not FaultConfig(paths=["/v1/devices/MG1$"]).applies_to(
        "/v1/devices/MG1/schedules"
    )


async def test_a_client_giving_up_cancels_the_slow_handler(
    moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    # A token without HTTP, so the abandoned request is the only connection.
    _, token = moogo_simulator.auth.login(TEST_EMAIL, TEST_PASSWORD)
    moogo_simulator.faults.latency = 0.5
    timeout = aiohttp.ClientTimeout(total=0.1)

    async with aiohttp.ClientSession(timeout=timeout) as impatient:
        with pytest.raises(TimeoutError):
            await impatient.post(
                f"{moogo_simulator.url}/v1/devices/{device_ids[0]}/start",
                json={},
                headers={"token": token},
            )
    await asyncio.sleep(0.1)
    # No server task keeps sleeping for a client that left...
    handlers = [
        task
        for task in asyncio.all_tasks()
        if "RequestHandler.start" in repr(task.get_coro())
    ]
    assert handlers == []
    await asyncio.sleep(0.7)  # well past the latency

    # ...and the command died with its connection instead of running late.
    assert moogo_simulator.request_counts["POST /v1/devices/{device_id}/start"] == 1
    assert not moogo_simulator.is_spraying(device_ids[0])
    assert moogo_simulator.device(device_ids[0]).logs == []


async def test_stop_cuts_latency_short_for_requests_in_flight(
    socket_enabled: None,
) -> None:
    sim = MoogoSimulator()
    await sim.start()
    sim.faults.latency = 30
    async with aiohttp.ClientSession() as session:
        request = asyncio.create_task(session.get(f"{sim.url}/v1/liquid"))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await sim.stop()
        stop_time = time.monotonic() - started
        # The request ends (answered while the server shuts down), no hang.
        async with asyncio.timeout(1):
            response = await request
        response.release()

    assert stop_time < 0.9  # below aiohttp's 1 s grace period
    assert response.status == 200


async def test_error_rate_is_deterministic_per_seed(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    async def statuses() -> list[int]:
        return [(await api.get("/v1/liquid", token=None)).status for _ in range(30)]

    moogo_simulator.faults.error_rate = 0.5
    moogo_simulator.faults.seed = 7
    first = await statuses()
    moogo_simulator.reset_faults()
    moogo_simulator.faults.update({"error_rate": 0.5, "seed": 7})
    moogo_simulator.injector.reseed()
    second = await statuses()

    draws = random.Random(7)  # noqa: S311 - the same generator as the simulator
    expected = [500 if draws.random() < 0.5 else 200 for _ in range(30)]
    assert first == expected
    assert second == expected
    assert {200, 500} <= set(first)


async def test_error_answers_are_500_envelopes(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.faults.error_rate = 1.0

    reply = await api.get("/v1/liquid", token=None)

    assert reply.status == 500
    assert reply.code == 500
    assert reply.data is None


@pytest.mark.parametrize(
    ("status", "message"),
    [(503, "service unavailable"), (401, "unauthorized"), (599, "error")],
)
async def test_http_status_fault(
    api: Api, moogo_simulator: MoogoSimulator, status: int, message: str
) -> None:
    moogo_simulator.faults.http_status = status

    reply = await api.get("/v1/liquid", token=None)

    assert reply.status == status
    assert reply.body == {"code": status, "message": message, "data": None}


async def test_http_429_says_when_to_retry(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.faults.http_status = 429

    reply = await api.get("/v1/liquid", token=None)

    assert reply.status == 429
    assert reply.headers["Retry-After"] == "60"


async def test_html_error_page(api: Api, moogo_simulator: MoogoSimulator) -> None:
    moogo_simulator.faults.html_error = True
    moogo_simulator.faults.http_status = 503  # the more drastic fault wins

    reply = await api.get("/v1/liquid", token=None)

    assert reply.status == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "502 Bad Gateway" in reply.text
    assert reply.body is None


async def test_truncated_json_is_a_valid_prefix(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    await api.login()
    whole = (await api.get("/v1/devices")).text
    moogo_simulator.faults.truncated_json = True

    reply = await api.get("/v1/devices")

    assert reply.status == 200
    assert reply.body is None
    assert whole.startswith(reply.text)
    assert len(reply.text) == len(whole) // 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.text)


async def test_null_data_keeps_the_effect_and_errors(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    moogo_simulator.faults.null_data = True

    listed = await api.get("/v1/devices")
    started = await api.post(f"/v1/devices/{device_ids[0]}/start", json_body={})
    unauthorized = await api.get("/v1/devices", token=None)

    assert listed.body == {"code": 0, "message": "success", "data": None}
    assert started.code == 0
    assert moogo_simulator.is_spraying(device_ids[0])  # the command still ran
    assert (unauthorized.status, unauthorized.code) == (401, 401)


async def test_dropped_connection(api: Api, moogo_simulator: MoogoSimulator) -> None:
    moogo_simulator.faults.drop_connection = True

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.get("/v1/liquid", token=None)

    moogo_simulator.faults.drop_connection = False
    assert (await api.get("/v1/liquid", token=None)).status == 200


async def test_path_filter_limits_faults(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.faults.update(
        {"http_status": 500, "rate_limit": True, "paths": ["/configs", "/liquid"]}
    )

    token = await api.login()  # login is not selected: no rate limit
    listed = await api.get("/v1/devices")
    configs = await api.get(f"/v1/devices/{device_ids[0]}/configs")
    liquid = await api.get("/v1/liquid", token=None)

    assert token
    assert listed.code == 0
    assert (configs.status, configs.code) == (500, 500)
    assert liquid.status == 500


async def test_method_filter_limits_faults(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    """Same path, other method: creating a schedule fails, listing them works."""
    moogo_simulator.faults.update(
        {"null_data": True, "paths": ["/schedules"], "methods": ["post"]}
    )
    await api.login()
    path = f"/v1/devices/{device_ids[0]}/schedules"

    created = await api.post(
        path,
        json_body={
            "hour": 6,
            "minute": 0,
            "duration": 30,
            "repeatSet": "1",
            "status": 1,
        },
    )
    listed = await api.get(path)

    assert moogo_simulator.faults.methods == ["POST"]
    assert (created.code, created.data) == (0, None)
    assert listed.code == 0
    assert listed.data is not None


async def test_reset_faults_restores_defaults(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.faults.update(
        {"http_status": 500, "latency": 0.01, "paths": ["/x"], "null_data": True}
    )

    moogo_simulator.reset_faults()

    assert moogo_simulator.faults == FaultConfig()
    assert (await api.get("/v1/liquid", token=None)).status == 200


async def test_replacing_the_fault_config(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.faults = FaultConfig(http_status=418)

    reply = await api.get("/v1/liquid", token=None)

    assert reply.status == 418
    assert reply.code == 418


def test_fault_config_update_checks_everything() -> None:
    config = FaultConfig()
    paths = ["/a"]

    config.update(
        {"latency": 0.5, "error_rate": 1, "paths": paths, "http_status": None}
    )

    assert config.latency == 0.5
    assert config.error_rate == 1
    paths.append("/b")
    assert config.paths == ["/a"]  # copied, not aliased
    assert config.applies_to("/v1/a/b")
    assert not config.applies_to("/v1/c")
    assert config.as_dict()["paths"] == ["/a"]


@pytest.mark.parametrize(
    "changes",
    [
        {"latncy": 1},
        {"latency": -1},
        {"latency": True},
        {"latency": "1"},
        {"error_rate": 1.5},
        {"http_status": 99},
        {"http_status": 600},
        {"http_status": True},
        {"http_status": "500"},
        {"seed": 1.5},
        {"paths": "/configs"},
        {"paths": [1]},
        {"drop_connection": 1},
        {"latency": 1, "null_data": "yes"},
    ],
)
def test_fault_config_rejects_bad_updates_atomically(changes: dict[str, Any]) -> None:
    config = FaultConfig()

    with pytest.raises(ValueError, match="fault setting"):
        config.update(changes)

    assert config == FaultConfig()


def test_responses_without_an_envelope_pass_through() -> None:
    injector = FaultInjector(FaultConfig(null_data=True, truncated_json=True))
    plain = web.Response(text="plain")

    assert injector.after(plain) is plain


async def test_garbled_total_spoils_every_lists_total_only(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.add_schedule(device_ids[0], hour=6, minute=0, duration=60)
    moogo_simulator.add_spray_record(device_ids[0], 1_780_000_000, 60)
    moogo_simulator.faults.garbled_total = True
    await api.login()

    answers = [
        (await api.get(path)).data
        for path in (
            "/v1/devices",
            f"/v1/devices/{device_ids[0]}/schedules",
            f"/v1/devices/{device_ids[0]}/logs",
        )
    ]
    detail = (await api.get(f"/v1/devices/{device_ids[0]}")).data

    assert [answer["total"] for answer in answers] == ["many"] * 3
    assert [len(answer["items"]) for answer in answers] == [2, 1, 1]
    assert detail["deviceId"] == device_ids[0]


async def test_repeating_pages_answer_page_one_whatever_was_asked(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.faults.update({"repeating_pages": True, "paths": ["/v1/devices"]})
    await api.login()

    pages = [
        await api.get("/v1/devices", params={"page": page, "pageSize": "1"})
        for page in ("1", "2", "7")
    ]

    assert [[item["deviceId"] for item in page.data["items"]] for page in pages] == [
        device_ids[:1]
    ] * 3
    assert [page.data["total"] for page in pages] == [2, 2, 2]


async def test_no_schedule_switch_leaves_the_master_switch_out(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    moogo_simulator.faults.no_schedule_switch = True
    await api.login()
    path = f"/v1/devices/{device_ids[0]}/schedules"

    listed = (await api.get(path)).data
    switched = (await api.put(f"{path}/switch/close")).data

    assert set(listed) == {"items", "total"}
    assert set(switched) == {"items", "total"}
    assert moogo_simulator.device(device_ids[0]).schedule_switch_status == 0


async def test_odd_next_run_takes_odd_values_in_turn(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    # START_TIME is Monday 05:00 in Los Angeles: 06:00 is an hour away.
    for _ in range(7):
        clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60)
    disabled = clocked_sim.add_schedule(
        clocked_device, hour=6, minute=0, duration=60, status=0
    )
    clocked_sim.faults.odd_next_run = True
    await clocked_api.login()
    path = f"/v1/devices/{clocked_device}/schedules"

    listed = (await clocked_api.get(path)).data["items"]
    single = (await clocked_api.put(f"{path}/{disabled.schedule_id}/disable")).data
    clocked_sim.injector.reseed()
    again = (await clocked_api.get(path)).data["items"]

    in_an_hour = int(START_TIME) + 3600
    assert [item["nextSprayingTime"] for item in listed] == [
        0,
        -1,
        "soon",
        1e30,
        None,
        in_an_hour * 1000,
        0,
        -1,
    ]
    assert single["nextSprayingTime"] == "soon"
    assert again[0]["nextSprayingTime"] == 0  # reseeding starts the turn again
    assert all(item["hour"] == 6 for item in listed)


async def test_the_ms_value_of_an_odd_next_run_is_a_time_even_when_off(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    clocked_sim.add_schedule(clocked_device, hour=6, minute=0, duration=60, status=0)
    clocked_sim.faults.odd_next_run = True
    await clocked_api.login()
    path = f"/v1/devices/{clocked_device}/schedules"

    for _ in range(5):
        await clocked_api.get(path)
    (item,) = (await clocked_api.get(path)).data["items"]

    assert isinstance(item["nextSprayingTime"], int)
    assert item["nextSprayingTime"] > 10**12


@pytest.mark.parametrize(
    "knob", ["garbled_total", "repeating_pages", "no_schedule_switch", "odd_next_run"]
)
async def test_the_list_knobs_are_set_through_the_admin_api(
    api: Api, moogo_simulator: MoogoSimulator, knob: str
) -> None:
    reply = await api.post("/_admin/faults", json_body={knob: True}, token=None)
    bad = await api.post("/_admin/faults", json_body={knob: "yes"}, token=None)

    assert reply.body[knob] is True
    assert getattr(moogo_simulator.faults, knob) is True
    assert bad.status == 400


async def test_list_knobs_leave_error_answers_alone(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.faults.update({"garbled_total": True, "odd_next_run": True})

    reply = await api.get("/v1/devices", token=None)

    assert reply.body == {"code": 401, "message": "token missing", "data": None}
