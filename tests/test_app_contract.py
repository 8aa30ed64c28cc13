"""The contract with the real cloud: the official app's endpoints, held in one table.

``moogo_sim/app_api.py`` lists every call of the app's network layer (method,
route, encodings, field names). The simulator serves exactly those routes,
and every request the client sends, by every public endpoint method, must
match a row: a client (or a simulator) that drifts from the app fails here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
import inspect

import pytest

from custom_components.moogo.api import (
    MoogoClient,
    configuration as client_configuration,
)
from moogo_sim import MoogoSimulator
from moogo_sim.app_api import APP_ENDPOINTS, APP_ROUTES, CONFIG_WRITABLE
from moogo_sim.server import ADMIN_PREFIX
from tests.common import TEST_EMAIL, TEST_PASSWORD

type Call = Callable[[MoogoClient, str, str], Awaitable[object]]

#: Every public endpoint method of the client, called once each.
CALLS: dict[str, Call] = {
    "authenticate": lambda client, _device, _schedule: client.authenticate(),
    "get_devices": lambda client, _device, _schedule: client.get_devices(),
    "get_device": lambda client, device, _schedule: client.get_device(device),
    "rename_device": lambda client, device, _schedule: client.rename_device(
        device, "Porch"
    ),
    "start_mist": lambda client, device, _schedule: client.start_mist(device),
    "stop_mist": lambda client, device, _schedule: client.stop_mist(device),
    "get_schedules": lambda client, device, _schedule: client.get_schedules(device),
    "get_schedule_list": lambda client, device, _schedule: client.get_schedule_list(
        device
    ),
    "create_schedule": lambda client, device, _schedule: client.create_schedule(
        device, hour=7, minute=30, duration=60, weekdays=(1, 2, 3)
    ),
    "update_schedule": lambda client, device, schedule: client.update_schedule(
        device, schedule, hour=8, weekdays=(0, 6), enabled=False
    ),
    "enable_schedule": lambda client, device, schedule: client.enable_schedule(
        device, schedule
    ),
    "disable_schedule": lambda client, device, schedule: client.disable_schedule(
        device, schedule
    ),
    "skip_schedule": lambda client, device, schedule: client.skip_schedule(
        device, schedule
    ),
    "set_schedule_switch": lambda client, device, _schedule: client.set_schedule_switch(
        device, False
    ),
    "get_config": lambda client, device, _schedule: client.get_config(device),
    "set_config": lambda client, device, _schedule: client.set_config(
        device, pause_in_rain=False, stop_temperature=12
    ),
    "get_messages": lambda client, _device, _schedule: client.get_messages(),
    "get_unread_count": lambda client, _device, _schedule: client.get_unread_count(),
    "get_spray_history": lambda client, device, _schedule: client.get_spray_history(
        device, date(2026, 1, 1), date(2026, 12, 31)
    ),
    "check_firmware": lambda client, device, _schedule: client.check_firmware(device),
    "update_firmware": lambda client, device, _schedule: client.update_firmware(device),
    "get_liquids": lambda client, _device, _schedule: client.get_liquids(),
    "get_recommended_schedules": lambda client, _device, _schedule: (
        client.get_recommended_schedules()
    ),
    "delete_schedule": lambda client, device, schedule: client.delete_schedule(
        device, schedule
    ),
}

# Public coroutine methods that send no request of their own.
_NOT_ENDPOINTS = {"close"}


def _public_endpoint_methods() -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(MoogoClient)
        if not name.startswith("_")
        and inspect.iscoroutinefunction(member)
        and name not in _NOT_ENDPOINTS
    }


def test_every_public_endpoint_method_is_held_to_the_table() -> None:
    assert _public_endpoint_methods() <= CALLS.keys()


def test_the_simulator_serves_exactly_the_apps_routes() -> None:
    app = MoogoSimulator().build_app()
    served = {
        f"{route.method} {route.resource.canonical}"
        for route in app.router.routes()
        if route.resource is not None
        and not route.resource.canonical.startswith(ADMIN_PREFIX)
        and route.method != "HEAD"
    }
    assert served == set(APP_ROUTES)


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_the_clients_requests_match_the_apps(
    moogo_simulator: MoogoSimulator, device_ids: list[str], name: str
) -> None:
    sim = moogo_simulator
    device = device_ids[0]
    schedule = sim.add_schedule(device, hour=19, minute=0, duration=60).schedule_id
    async with MoogoClient(TEST_EMAIL, TEST_PASSWORD, base_url=sim.url) as client:
        await client.authenticate()
        sim.reset_counts()
        await CALLS[name](client, device, schedule)
        requests = list(sim.request_log)
    assert requests, f"{name} sent no request"
    for request in requests:
        endpoint = APP_ROUTES.get(f"{request.method} {request.route}")
        assert endpoint is not None, f"{name}: {request} is no call of the app"
        assert request.encoding in endpoint.encodings, (name, request)
        assert request.body_fields <= endpoint.body_fields, (name, request)
        assert request.query_fields <= endpoint.query_fields, (name, request)
        if "pageSize" in endpoint.query_fields:
            # Lists are read with an explicit page size: the cloud's default is unknown.
            assert {"page", "pageSize"} <= request.query_fields, (name, request)


def test_the_client_writes_the_configuration_fields_the_app_names() -> None:
    """The client cannot import the simulator: the two sets are held equal here."""
    assert client_configuration.CONFIG_WRITABLE == CONFIG_WRITABLE


def test_the_table_names_each_route_once() -> None:
    keys = [endpoint.key for endpoint in APP_ENDPOINTS]
    assert len(keys) == len(set(keys))
    assert all(key.split(" ", 1)[1].startswith("/v1/") for key in keys)
