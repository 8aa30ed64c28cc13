"""Ids go into URL paths escaped: each one stays one segment, whatever it holds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import aiohttp
import pytest

from custom_components.moogo.api import (
    MoogoClient,
    MoogoConnectionError,
    MoogoInvalidIdError,
    MoogoNotFoundError,
    MoogoToken,
)
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL

from .conftest import ClientFactory
from .http_stub import serve

SCHEDULE_ROUTE = "/v1/devices/{device_id}/schedules/{schedule_id}"
ODD_IDS = [
    "a/b",
    "S1?force=1",
    "S1#frag",
    "100%",
    "%2F..%2F",
    "with space",
    "..a",
    "ü/../..",
]


async def test_path_like_schedule_id_deletes_nothing_else(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    mine, other = device_ids
    kept = sim.add_schedule(mine, hour=6, minute=0, duration=30)
    sim.add_schedule(other, hour=7, minute=0, duration=30)

    with pytest.raises(MoogoNotFoundError):
        await client.delete_schedule(mine, f"../../{other}")

    # The request stayed a schedule deletion on the first device ...
    assert sim.request_counts[f"DELETE {SCHEDULE_ROUTE}"] == 1
    assert not any(
        key.startswith("DELETE") and key != f"DELETE {SCHEDULE_ROUTE}"
        for key in sim.request_counts
    )
    # ... and deleted nothing: both devices and their schedules are there.
    assert [device.device_id for device in sim.devices_of(TEST_EMAIL)] == device_ids
    assert [s.schedule_id for s in await client.get_schedules(mine)] == [
        kept.schedule_id
    ]
    assert len(await client.get_schedules(other)) == 1


@pytest.mark.parametrize("odd_id", ODD_IDS)
async def test_odd_schedule_ids_address_only_their_schedule(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str], odd_id: str
) -> None:
    device = device_ids[0]
    sibling = sim.add_schedule(device, hour=6, minute=0, duration=30)
    odd = sim.add_schedule(device, hour=8, minute=0, duration=30)
    odd.schedule_id = odd_id
    # The sibling's id is what a naive path would reach ("S1?force=1" -> "S1").
    sibling.schedule_id = "S1"

    await client.disable_schedule(device, odd_id)
    assert (odd.status, sibling.status) == (0, 1)
    await client.enable_schedule(device, odd_id)
    await client.update_schedule(device, odd_id, hour=9)
    await client.skip_schedule(device, odd_id)
    assert (odd.status, odd.hour, sibling.hour) == (1, 9, 6)
    assert odd.skip_count == 1
    assert sibling.skip_count == 0

    await client.delete_schedule(device, odd_id)
    assert [s.schedule_id for s in await client.get_schedules(device)] == ["S1"]


async def test_odd_device_id_reaches_its_device_on_every_endpoint(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    odd_id = "MG 1/../x?y=1#z%"
    sim.add_device(TEST_EMAIL, device_id=odd_id, name="Odd")
    client = make_client()

    assert (await client.get_device(odd_id)).name == "Odd"
    await client.rename_device(odd_id, "Renamed")
    await client.start_mist(odd_id)
    await client.stop_mist(odd_id)
    created = await client.create_schedule(
        odd_id, hour=6, minute=0, duration=30, weekdays=[1]
    )
    assert created is not None
    await client.set_schedule_switch(odd_id, False)
    schedules = await client.get_schedule_list(odd_id)
    assert schedules.master_switch is False
    assert [s.schedule_id for s in schedules.schedules] == [created.schedule_id]
    await client.set_config(odd_id, mist_seconds=45)
    assert (await client.get_config(odd_id)).mist_seconds == 45
    await client.get_spray_history(odd_id, date(2026, 1, 1), date(2026, 1, 2))
    await client.check_firmware(odd_id)
    await client.update_firmware(odd_id)

    assert sim.device(odd_id).name == "Renamed"
    # Every request went to a device route: none fell to another path.
    assert all(key.split()[1].startswith("/v1/") for key in sim.request_counts)
    assert (
        sum(count for key, count in sim.request_counts.items() if "{device_id}" in key)
        == sim.total_requests - 1
    )  # all but the login


async def test_escaped_path_reaches_the_server_as_sent(socket_enabled: None) -> None:
    async with serve() as stub, aiohttp.ClientSession() as session:
        client = MoogoClient(
            "e@example.com",
            "pw",
            session=session,
            base_url=stub.url,
            token=MoogoToken(token="T", user_id="1"),
        )
        await client.delete_schedule("DEV/1", "S1?force=1")
        await client.skip_schedule("DEV1", "../../DEV2")
        await client.stop_mist("a b#c%d")

    # Not decoded, not normalised (no "=" for "%3D", no dot segment resolved).
    assert [seen.raw_path for seen in stub.seen] == [
        "/v1/devices/DEV%2F1/schedules/S1%3Fforce%3D1",
        "/v1/devices/DEV1/schedules/..%2F..%2FDEV2/skip",
        "/v1/devices/a%20b%23c%25d/stop",
    ]


type Call = Callable[[MoogoClient, str], Awaitable[object]]

DEVICE_CALLS: list[Call] = [
    lambda client, bad: client.get_device(bad),
    lambda client, bad: client.start_mist(bad),
    lambda client, bad: client.get_schedules(bad),
    lambda client, bad: client.set_schedule_switch(bad, True),
    lambda client, bad: client.get_config(bad),
    lambda client, bad: client.set_config(bad, mist_seconds=45),
    lambda client, bad: client.check_firmware(bad),
]
SCHEDULE_CALLS: list[Call] = [
    lambda client, bad: client.delete_schedule("MG1", bad),
    lambda client, bad: client.enable_schedule("MG1", bad),
    lambda client, bad: client.skip_schedule("MG1", bad),
    lambda client, bad: client.update_schedule("MG1", bad, hour=1),
]


@pytest.mark.parametrize("bad", ["", ".", ".."])
@pytest.mark.parametrize("call", DEVICE_CALLS + SCHEDULE_CALLS)
async def test_empty_or_dot_ids_are_refused_before_any_request(
    sim: MoogoSimulator, client: MoogoClient, call: Call, bad: str
) -> None:
    with pytest.raises(MoogoInvalidIdError, match=r"Not a valid (device|schedule) id"):
        await call(client, bad)
    assert sim.total_requests == 0


async def test_invalid_api_url_is_a_connection_error() -> None:
    async with MoogoClient("a@b.c", "pw", base_url="http://[::1") as client:
        with pytest.raises(MoogoConnectionError, match="API URL is not valid"):
            await client.get_liquids()
