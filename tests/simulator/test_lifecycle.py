"""Starting and stopping, the clock, and the seeded demo."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest

from moogo_sim import DEMO_EMAIL, DEMO_PASSWORD, MoogoSimulator
from moogo_sim.demo import DEMO_PATIO_FIRMWARE, DEMO_PATIO_NEW_FIRMWARE
from tests.common import START_TIME, TEST_EMAIL, FakeClock

from .conftest import Api

HOUR = 3600
DAY = 86400
START = int(START_TIME)


async def test_async_with_starts_and_stops(socket_enabled: None) -> None:
    async with MoogoSimulator() as sim:
        assert sim.url == f"http://127.0.0.1:{sim.port}"
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{sim.url}/v1/liquid") as resp,
        ):
            assert resp.status == 200
        url = sim.url

    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(f"{url}/v1/liquid")


async def test_start_twice_and_stop_twice(socket_enabled: None) -> None:
    sim = MoogoSimulator()
    await sim.start()
    try:
        with pytest.raises(RuntimeError, match="already started"):
            await sim.start()
    finally:
        await sim.stop()
    await sim.stop()  # harmless

    # A stopped simulator can start again, keeping its state.
    await sim.start()
    await sim.stop()
    assert sim.port > 0


async def test_url_needs_a_started_simulator() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = MoogoSimulator().url


async def test_a_taken_port_fails_cleanly(socket_enabled: None) -> None:
    async with MoogoSimulator() as first:
        second = MoogoSimulator()
        with pytest.raises(OSError):  # noqa: PT011 - errno varies by platform
            await second.start(port=first.port)
        with pytest.raises(RuntimeError):
            _ = second.port
        await second.stop()


def test_default_clock_follows_freezegun(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to("2030-01-01 00:00:00+00:00")
    sim = MoogoSimulator()

    assert sim.now() == datetime(2030, 1, 1, tzinfo=UTC).timestamp()


def test_devices_of_accepts_account_or_email() -> None:
    sim = MoogoSimulator()
    account = sim.add_account(TEST_EMAIL, "pw")
    device = sim.add_device(TEST_EMAIL)

    assert sim.devices_of(account) == [device]
    assert sim.devices_of(TEST_EMAIL.upper()) == [device]


async def test_seeded_demo_over_http(http_session: aiohttp.ClientSession) -> None:
    async with MoogoSimulator.seeded_demo(reaction_delay=0) as sim:
        api = Api(http_session, sim)
        await api.login(DEMO_EMAIL, DEMO_PASSWORD)

        items = (await api.get("/v1/devices")).data["items"]
        assert [
            (item["deviceName"], item["onlineStatus"], item["runStatus"])
            for item in items
        ] == [
            ("Patio Mister", 1, 0),
            ("Garden Mister", 1, 0),
            ("Garage Mister", 0, 0),
        ]
        patio, garden, garage = (item["deviceId"] for item in items)
        assert (await api.get(f"/v1/devices/{garden}")).data["water_level"] == 0
        assert (await api.get(f"/v1/devices/{patio}")).data["water_level"] == 1
        for device_id in (patio, garden, garage):
            schedules = (await api.get(f"/v1/devices/{device_id}/schedules")).data[
                "items"
            ]
            assert 1 <= len(schedules) <= 2
        # Patio and Garage are offered new firmware; only Patio is online to install it.
        offers = [
            (await api.post(f"/v1/devices/{device_id}/otaCheck", json_body={})).data
            for device_id in (patio, garden, garage)
        ]
        assert [(offer["available"], offer["version"]) for offer in offers] == [
            (True, DEMO_PATIO_NEW_FIRMWARE),
            (False, "1.2.3"),
            (True, "1.2.3"),
        ]
        assert (await api.get(f"/v1/devices/{patio}")).data[
            "firmware"
        ] == DEMO_PATIO_FIRMWARE
        started = await api.post(f"/v1/devices/{patio}/start", json_body={})
        assert started.code == 0
        assert (await api.get(f"/v1/devices/{patio}")).data["runStatus"] == 1


async def test_the_demo_shows_what_the_cloud_shows_on_day_one(
    http_session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    # START_TIME is Monday 05:00 in Los Angeles: Patio's 06:30 weekday run is next.
    async with MoogoSimulator.seeded_demo(clock=clock, reaction_delay=0) as sim:
        api = Api(http_session, sim)
        await api.login(DEMO_EMAIL, DEMO_PASSWORD)
        patio, garden, garage = (
            item["deviceId"] for item in (await api.get("/v1/devices")).data["items"]
        )

        patio_schedules = (await api.get(f"/v1/devices/{patio}/schedules")).data
        garden_schedules = (await api.get(f"/v1/devices/{garden}/schedules")).data
        histories = [
            (await api.get(f"/v1/devices/{device}/logs", params={"pageSize": "99"}))
            for device in (patio, garden, garage)
        ]

    morning, evening = patio_schedules["items"]
    assert (morning["hour"], morning["is_skip"], morning["skipCount"]) == (6, True, 1)
    assert morning["nextSprayingTime"] == START + DAY + 90 * 60  # Tuesday 06:30
    assert (evening["is_skip"], evening["nextSprayingTime"]) == (
        False,
        START + 14 * HOUR,
    )
    assert patio_schedules["scheduleSwitchStatus"] == 1
    assert garden_schedules["scheduleSwitchStatus"] == 0
    assert [item["nextSprayingTime"] for item in garden_schedules["items"]] == [None]
    patio_history, garden_history, garage_history = (
        reply.data["items"] for reply in histories
    )
    assert patio_history[0] == {
        "id": patio_history[0]["id"],
        "createdAt": START - HOUR,
        "seconds": 60,
    }
    for history in (patio_history, garden_history):
        ended = [item["createdAt"] for item in history]
        assert ended == sorted(ended, reverse=True)
        assert ended[-1] >= START - 7 * DAY
        assert 14 <= len(history) <= 22  # two or three mists a day for a week
        assert {item["seconds"] for item in history} <= set(range(45, 91))
    assert garage_history == []
    assert patio_history != garden_history


def test_the_demo_is_the_same_every_time(clock: FakeClock) -> None:
    first, second = (MoogoSimulator.seeded_demo(clock=clock) for _ in range(2))

    def histories(sim: MoogoSimulator) -> list[list[tuple[float, int]]]:
        return [
            [(record.ended_at, record.seconds) for record in device.spray_records]
            for device in sim.devices
        ]

    assert histories(first) == histories(second)
    assert first.page_size_limit is None  # the demo servers set theirs


def test_seeded_demo_options() -> None:
    sim = MoogoSimulator.seeded_demo(extra_devices=2, reaction_delay=1.0, token_ttl=5)

    names = [device.name for device in sim.devices_of(DEMO_EMAIL)]
    assert names[3:] == ["Demo Mister 1", "Demo Mister 2"]
    assert sim.reaction_delay == 1.0
    assert sim.auth.token_ttl == 5
    assert sim.account(DEMO_EMAIL).password == DEMO_PASSWORD


def test_configure_changes_only_what_is_given() -> None:
    sim = MoogoSimulator(
        reaction_delay=3, token_ttl=100, lockout_after=2, lockout_seconds=9
    )

    sim.configure(lockout_after=4)

    assert sim.settings() == {
        "reaction_delay": 3,
        "token_ttl": 100,
        "lockout_after": 4,
        "lockout_seconds": 9,
        "firmware_install_seconds": 0.0,
        "page_size_limit": None,
        "config_writes_replace": False,
        "app_limits": False,
    }


def test_configure_sets_and_lifts_the_page_cap() -> None:
    sim = MoogoSimulator(page_size_limit=3, config_writes_replace=True)

    sim.configure(reaction_delay=1)
    kept = (sim.page_size_limit, sim.config_writes_replace)
    sim.configure(page_size_limit=None, config_writes_replace=False)

    assert kept == (3, True)
    assert (sim.page_size_limit, sim.config_writes_replace) == (None, False)
