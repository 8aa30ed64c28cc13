"""Request counters keyed by route pattern."""

from __future__ import annotations

from moogo_sim import MoogoSimulator

from .conftest import Api


async def test_counts_by_canonical_route(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    assert moogo_simulator.total_requests == 0

    await api.login()
    await api.get("/v1/devices")
    for device_id in device_ids:
        await api.get(f"/v1/devices/{device_id}")
    await api.put(f"/v1/devices/{device_ids[0]}/schedules/switch/open", json_body={})
    await api.get("/v1/devices/schedules", token=None)
    await api.get("/_admin/state", token=None)  # the control plane is not counted

    assert moogo_simulator.request_counts == {
        "POST /v1/user/login": 1,
        "GET /v1/devices": 1,
        "GET /v1/devices/{device_id}": 2,
        "PUT /v1/devices/{device_id}/schedules/switch/open": 1,
        "GET /v1/devices/schedules": 1,
    }
    assert moogo_simulator.total_requests == 6


async def test_failed_and_faulty_requests_count_too(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    await api.get("/v1/devices", token=None)  # 401
    await api.get("/v1/unknown", token=None)  # no route: counted by path
    moogo_simulator.faults.http_status = 503
    await api.get("/v1/liquid", token=None)

    assert moogo_simulator.request_counts == {
        "GET /v1/devices": 1,
        "GET /v1/unknown": 1,
        "GET /v1/liquid": 1,
    }


async def test_reset_counts(api: Api, moogo_simulator: MoogoSimulator) -> None:
    await api.get("/v1/liquid", token=None)

    moogo_simulator.reset_counts()

    assert moogo_simulator.request_counts == {}
    assert moogo_simulator.total_requests == 0
    await api.get("/v1/liquid", token=None)
    assert moogo_simulator.total_requests == 1
