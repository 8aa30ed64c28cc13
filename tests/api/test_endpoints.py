"""Every API method of the client, against the simulator's real state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.moogo.api import (
    Device,
    FirmwareInfo,
    Liquid,
    MoogoClient,
    MoogoNotFoundError,
    MoogoToken,
    Schedule,
)
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD, FakeClock, logins

from .conftest import ClientFactory

# -- login ---------------------------------------------------------------------


async def test_login_returns_and_keeps_the_token(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    assert client.token is None
    assert client.user_id is None

    before = datetime.now(UTC)
    token = await client.authenticate()

    assert isinstance(token, MoogoToken)
    assert client.token is token
    assert token.user_id == sim.account(TEST_EMAIL).user_id
    assert client.user_id == token.user_id
    assert token.token in sim.account(TEST_EMAIL).tokens
    # The simulator's default ttl is one year.
    assert token.expires_at is not None
    assert before + timedelta(days=364) < token.expires_at
    assert token.expires_at <= datetime.now(UTC) + timedelta(days=365)
    assert logins(sim) == 1


async def test_login_is_lazy_and_reused(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.get_devices()
    await client.get_device(device_ids[0])
    await client.get_schedules(device_ids[0])
    assert logins(sim) == 1
    assert sim.total_requests == 4


def test_repr_and_base_url() -> None:
    client = MoogoClient(TEST_EMAIL, TEST_PASSWORD, base_url="http://127.0.0.1:1/")
    assert client.base_url == "http://127.0.0.1:1"
    assert repr(client) == "MoogoClient(base_url='http://127.0.0.1:1')"


# -- devices ---------------------------------------------------------------------


async def test_get_devices(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    devices = await client.get_devices()

    assert [device.device_id for device in devices] == device_ids
    for device in devices:
        expected = sim.device(device.device_id)
        assert device.name == expected.name
        assert device.online is True
        assert device.misting is False
        assert device.firmware == expected.firmware
        assert device.model == expected.model
        # The list carries only the summary fields.
        assert device.temperature is None
        assert device.water_level is None


async def test_get_devices_skips_entries_without_id(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    sim.device(device_ids[0]).missing_fields = {"deviceId"}
    devices = await client.get_devices()
    assert [device.device_id for device in devices] == device_ids[1:]


async def test_get_device_detail(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    expected = sim.device(device_ids[0])
    device = await client.get_device(device_ids[0])

    assert device == Device(
        device_id=expected.device_id,
        name=expected.name,
        online=True,
        misting=False,
        firmware=expected.firmware,
        model=expected.model,
        rssi=expected.rssi,
        temperature=float(expected.temperature),
        humidity=float(expected.humidity),
        concentrate_level=expected.liquid_level,
        water_level=expected.water_level,
        concentration=float(expected.liquid_concentration),
        mix_ratio=expected.mix_ratio,
        latest_mist_duration=None,
        latest_mist_end=None,
    )


async def test_get_device_tolerates_odd_values(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    device = sim.device(device_ids[0])
    device.overrides = {"temperature": "21.5", "rssi": "-70", "water_level": 3}
    device.missing_fields = {"humidity", "firmware"}

    parsed = await client.get_device(device_ids[0])

    assert parsed.temperature == 21.5
    assert parsed.rssi == -70
    assert parsed.water_level == 3
    assert parsed.water_empty is None
    assert parsed.humidity is None
    assert parsed.firmware is None


async def test_get_device_of_offline_device(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    sim.set_online(device_ids[1], False)
    device = await client.get_device(device_ids[1])
    assert device.online is False
    assert device.misting is False


async def test_rename_device(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.authenticate()
    sim.reset_counts()
    await client.rename_device(device_ids[0], "Back porch")
    assert sim.request_counts == {"PUT /v1/devices/{device_id}/update": 1}
    assert sim.device(device_ids[0]).name == "Back porch"
    assert (await client.get_device(device_ids[0])).name == "Back porch"
    # The other device keeps its name.
    assert sim.device(device_ids[1]).name == "Back Yard"


@pytest.mark.parametrize("name", ["", "   "])
async def test_rename_device_to_nothing_sends_nothing(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str], name: str
) -> None:
    with pytest.raises(ValueError, match="empty"):
        await client.rename_device(device_ids[0], name)
    assert sim.total_requests == 0


async def test_rename_unknown_device_is_not_found(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    with pytest.raises(MoogoNotFoundError):
        await client.rename_device("MG-missing", "Porch")


# -- spraying ----------------------------------------------------------------------


async def test_start_and_stop_spray(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    device_id = device_ids[0]
    await client.start_mist(device_id)
    assert sim.is_spraying(device_id)
    assert (await client.get_device(device_id)).misting is True
    # Only the commanded device sprays.
    assert (await client.get_device(device_ids[1])).misting is False

    await client.stop_mist(device_id)
    assert not sim.is_spraying(device_id)
    detail = await client.get_device(device_id)
    assert detail.misting is False
    assert detail.latest_mist_end is not None
    assert detail.latest_mist_end.tzinfo is not None


async def test_spray_reacts_late_and_stops_by_itself(
    clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    async with MoogoClient(
        TEST_EMAIL, TEST_PASSWORD, base_url=clocked_sim.url
    ) as client:
        await client.start_mist(clocked_device)
        # Acknowledged at once, but the pump reacts only after the delay.
        assert (await client.get_device(clocked_device)).misting is False
        clock.advance(3)
        assert (await client.get_device(clocked_device)).misting is True
        clock.advance(59)
        assert (await client.get_device(clocked_device)).misting is True
        clock.advance(1)
        detail = await client.get_device(clocked_device)
        assert detail.misting is False
        assert detail.latest_mist_duration == 60
        assert detail.latest_mist_end == datetime.fromtimestamp(int(clock.now), UTC)

        # Seconds or milliseconds on the wire: the same moment.
        clocked_sim.faults.ms_timestamps = True
        in_ms = await client.get_device(clocked_device)
        assert in_ms.latest_mist_end == detail.latest_mist_end


async def test_stop_cuts_a_spray_short(
    clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    async with MoogoClient(
        TEST_EMAIL, TEST_PASSWORD, base_url=clocked_sim.url
    ) as client:
        await client.start_mist(clocked_device)
        clock.advance(10)
        assert (await client.get_device(clocked_device)).misting is True
        await client.stop_mist(clocked_device)
        # Still spraying until the device reacts to the stop.
        assert (await client.get_device(clocked_device)).misting is True
        clock.advance(3)
        detail = await client.get_device(clocked_device)
        assert detail.misting is False
        assert detail.latest_mist_duration == 10
        # One mist, one record of the spray history, with its real length.
        today = datetime.fromtimestamp(clock.now, UTC).date()
        history = await client.get_spray_history(clocked_device, today, today)
        assert [record.seconds for record in history] == [10]


# -- schedules ---------------------------------------------------------------------


async def test_schedule_lifecycle(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    device_id = device_ids[0]
    assert await client.get_schedules(device_id) == []

    created = await client.create_schedule(
        device_id, hour=6, minute=30, duration=90, weekdays=[5, 1, 3]
    )
    assert isinstance(created, Schedule)
    assert created.schedule_id is not None
    assert (created.hour, created.minute, created.duration) == (6, 30, 90)
    assert created.repeat_days == (1, 3, 5)
    assert created.enabled is True
    stored = sim.device(device_id).schedule(created.schedule_id)
    assert stored is not None
    assert stored.repeat_set == "1,3,5"

    second = await client.create_schedule(
        device_id, hour=20, minute=0, duration=30, weekdays=range(7), enabled=False
    )
    assert second is not None
    assert second.enabled is False
    assert second.repeat_days == (0, 1, 2, 3, 4, 5, 6)

    listed = await client.get_schedules(device_id)
    assert [item.schedule_id for item in listed] == [
        created.schedule_id,
        second.schedule_id,
    ]
    assert listed[0] == created

    await client.update_schedule(
        device_id, created.schedule_id, hour=7, minute=15, duration=45
    )
    await client.update_schedule(
        device_id, created.schedule_id, weekdays=[0, 6], enabled=False
    )
    updated = (await client.get_schedules(device_id))[0]
    assert (updated.hour, updated.minute, updated.duration) == (7, 15, 45)
    assert updated.repeat_days == (0, 6)
    assert updated.enabled is False

    await client.enable_schedule(device_id, created.schedule_id)
    assert stored.status == 1
    await client.disable_schedule(device_id, created.schedule_id)
    assert stored.status == 0

    await client.skip_schedule(device_id, created.schedule_id)
    assert (await client.get_schedules(device_id))[0].skip_next is True

    # The master switch leaves each schedule's own switch alone.
    await client.set_schedule_switch(device_id, False)
    listed_off = await client.get_schedule_list(device_id)
    assert listed_off.master_switch is False
    assert [item.enabled for item in listed_off.schedules] == [False, False]
    await client.set_schedule_switch(device_id, True)
    assert (await client.get_schedule_list(device_id)).master_switch is True

    await client.delete_schedule(device_id, created.schedule_id)
    assert [item.schedule_id for item in await client.get_schedules(device_id)] == [
        second.schedule_id
    ]
    # Another device's schedules are untouched.
    assert await client.get_schedules(device_ids[1]) == []


async def test_schedule_calls_validate_before_sending(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    with pytest.raises(ValueError, match="Weekday 7"):
        await client.create_schedule(
            device_ids[0], hour=6, minute=0, duration=60, weekdays=[7]
        )
    with pytest.raises(ValueError, match="Nothing to update"):
        await client.update_schedule(device_ids[0], "S1")
    assert sim.total_requests == 0


async def test_unknown_schedule_is_not_found(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    with pytest.raises(MoogoNotFoundError):
        await client.delete_schedule(device_ids[0], "S-missing")
    with pytest.raises(MoogoNotFoundError):
        await client.enable_schedule(device_ids[0], "S-missing")
    with pytest.raises(MoogoNotFoundError):
        await client.update_schedule(device_ids[0], "S-missing", hour=3)


async def test_create_schedule_without_echo_returns_none(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    # Some cloud versions answer a create with no data at all.
    sim.faults.null_data = True
    sim.faults.paths = ["/schedules"]
    created = await client.create_schedule(
        device_ids[0], hour=6, minute=0, duration=60, weekdays=[1]
    )
    assert created is None
    assert len(sim.device(device_ids[0]).schedules) == 1


# -- firmware ---------------------------------------------------------------------


async def test_firmware_check_and_update(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    device = sim.add_device(
        TEST_EMAIL, device_id="MGOLDFW", firmware="1.1.0", latest_firmware="1.2.3"
    )

    info = await client.check_firmware(device.device_id)
    assert info.available is True
    assert info.version == "1.2.3"
    assert info.url is not None
    assert info.url.endswith("1.2.3.bin")

    await client.update_firmware(device.device_id)
    assert sim.device(device.device_id).firmware == "1.2.3"
    assert (await client.get_device(device.device_id)).firmware == "1.2.3"
    assert await client.check_firmware(device.device_id) == FirmwareInfo(
        available=False, version="1.2.3", url=None
    )


# -- public endpoints --------------------------------------------------------------


async def test_liquids_need_no_login(sim: MoogoSimulator, client: MoogoClient) -> None:
    liquids = await client.get_liquids()
    assert len(liquids) == 3
    assert all(isinstance(liquid, Liquid) for liquid in liquids)
    assert liquids[0].liquid_id == "1"
    assert liquids[0].name == "Moogo Mosquito Concentrate"
    assert liquids[0].icon is not None
    assert logins(sim) == 0
    assert client.token is None


async def test_recommended_schedules_need_no_login(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    # Even a client with wrong credentials can read the public catalog.
    client = make_client(password="not-the-password")
    recommended = await client.get_recommended_schedules()
    assert [item.title for item in recommended] == [
        "Dawn",
        "Dusk",
        "Weekend evenings",
    ]
    assert recommended[1].hour == 19
    assert recommended[1].minute == 30
    assert recommended[2].repeat_days == (0, 5, 6)
    assert logins(sim) == 0
