"""A device's configuration: read, and written back whole, one write at a time."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from custom_components.moogo.api import (
    DeviceConfig,
    MoogoApiError,
    MoogoClient,
    MoogoResponseError,
)
from custom_components.moogo.api.configuration import (
    CONFIG_WRITABLE as CLIENT_WRITABLE,
    config_body,
)
from moogo_sim import MoogoSimulator
from moogo_sim.app_api import CONFIG_WRITABLE
from tests.common import TEST_EMAIL

CONFIGS_ROUTE = "/v1/devices/{device_id}/configs"
READ = f"GET {CONFIGS_ROUTE}"
WRITE = f"PUT {CONFIGS_ROUTE}"


def raw_config(sim: MoogoSimulator, device_id: str) -> dict[str, Any]:
    """The configuration as the simulated cloud answers it, typed as on the wire."""
    return sim.device(device_id).config(sim.account(TEST_EMAIL).user_id)


@pytest.fixture(params=[False, True], ids=["partial-writes-keep", "writes-replace"])
def writes_replace(request: pytest.FixtureRequest, sim: MoogoSimulator) -> bool:
    """Both readings of a partial ``PUT /configs``: it keeps, or resets, the rest."""
    sim.configure(config_writes_replace=request.param)
    return bool(request.param)


async def test_get_config(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    expected = raw_config(sim, device_ids[0])
    config = await client.get_config(device_ids[0])
    assert config == DeviceConfig(
        stop_temperature=float(expected["stopTemperature"]),
        pause_in_rain=bool(expected["stopRainy"]),
        pause_in_snow=bool(expected["stopSnow"]),
        pause_in_windstorm=bool(expected["stopWindstorm"]),
        concentrate_name=expected["liquidName"],
        concentration=float(expected["liquidConcentration"]),
        time_zone=expected["timeZone"],
        mist_seconds=expected["sprayingSeconds"],
        config_id=str(expected["id"]),
        device_id=device_ids[0],
        user_id=sim.account(TEST_EMAIL).user_id,
        synced=bool(expected["syncStatus"]),
    )


@pytest.mark.parametrize(
    ("change", "value", "key"),
    [
        ("stop_temperature", 4, "stopTemperature"),
        ("pause_in_rain", False, "stopRainy"),
        ("pause_in_snow", False, "stopSnow"),
        ("pause_in_windstorm", True, "stopWindstorm"),
        ("concentrate_name", "Citronella", "liquidName"),
        ("concentration", 60, "liquidConcentration"),
        ("time_zone", "Europe/Berlin", "timeZone"),
        ("mist_seconds", 45, "sprayingSeconds"),
    ],
)
async def test_set_config_keeps_every_other_setting(
    sim: MoogoSimulator,
    client: MoogoClient,
    device_ids: list[str],
    writes_replace: bool,
    change: str,
    value: Any,
    key: str,
) -> None:
    device_id = device_ids[0]
    # Away from the factory defaults, so that a reset would show.
    await client.set_config(
        device_id,
        stop_temperature=7,
        pause_in_rain=True,
        pause_in_snow=True,
        pause_in_windstorm=False,
        concentrate_name="Garlic",
        concentration=150,
        time_zone="America/New_York",
        mist_seconds=90,
    )
    before = raw_config(sim, device_id)

    written = await client.set_config(device_id, **{change: value})

    after = raw_config(sim, device_id)
    assert after[key] == value
    # Whether the device has taken the write over is the cloud's to say.
    unchanged = set(before) - {key, "syncStatus"}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    # What set_config returns is what a fresh read says.
    assert written == await client.get_config(device_id)
    # The other device is untouched.
    assert raw_config(sim, device_ids[1])["liquidName"] != "Garlic"


async def test_set_config_sends_the_whole_accepted_set_once(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.authenticate()
    sim.reset_counts()

    await client.set_config(device_ids[0], mist_seconds=45)

    # One fresh read, one write: nothing more.
    assert sim.request_counts == {READ: 1, WRITE: 1}
    write = next(request for request in sim.request_log if request.key == WRITE)
    assert write.encoding == "json"
    # Every field the cloud accepts, nothing else (no syncStatus).
    assert write.body_fields == CONFIG_WRITABLE


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"pause_in_rain": False, "pause_in_windstorm": True},
            {"stopRainy": 0, "stopWindstorm": 1},
        ),
        (
            {"stop_temperature": 12.0, "mist_seconds": 45.0},
            {"stopTemperature": 12, "sprayingSeconds": 45},
        ),
        ({"concentration": 80.0}, {"liquidConcentration": 80}),
    ],
)
async def test_set_config_writes_ints_where_ints_were_read(
    sim: MoogoSimulator,
    client: MoogoClient,
    device_ids: list[str],
    changes: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    assert type(raw_config(sim, device_ids[0])["stopRainy"]) is int

    await client.set_config(device_ids[0], **changes)

    stored = raw_config(sim, device_ids[0])
    for key, value in expected.items():
        assert stored[key] == value
        assert type(stored[key]) is int, key
    for key in ("stopRainy", "stopSnow", "stopWindstorm", "sprayingSeconds"):
        assert type(stored[key]) is int, key


async def test_set_config_reads_afresh(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    device_id = device_ids[0]
    await client.set_config(device_id, mist_seconds=45)
    # Changed in the app, behind this client's back.
    device = sim.device(device_id)
    device.liquid_name = "Changed in the app"
    device.stop_rainy = 0

    await client.set_config(device_id, mist_seconds=50)

    stored = raw_config(sim, device_id)
    assert stored["sprayingSeconds"] == 50
    assert stored["liquidName"] == "Changed in the app"
    assert stored["stopRainy"] == 0


async def test_concurrent_set_config_on_one_device_both_stick(
    sim: MoogoSimulator,
    client: MoogoClient,
    device_ids: list[str],
    writes_replace: bool,
) -> None:
    device_id = device_ids[0]
    await client.authenticate()
    # Slow enough that both reads would come before both writes if the
    # client let them overlap: the later write would undo the earlier.
    sim.faults.latency = 0.05

    await asyncio.gather(
        client.set_config(device_id, mist_seconds=45),
        client.set_config(device_id, pause_in_rain=False),
        client.set_config(device_ids[1], concentrate_name="Elsewhere"),
    )

    stored = raw_config(sim, device_id)
    assert stored["sprayingSeconds"] == 45
    assert stored["stopRainy"] == 0
    assert raw_config(sim, device_ids[1])["liquidName"] == "Elsewhere"


async def test_set_config_returns_what_it_sent_without_an_answer(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    # A cloud that answers the write with no data at all.
    sim.faults.null_data = True
    sim.faults.methods = ["PUT"]

    written = await client.set_config(device_ids[0], mist_seconds=45)

    sim.reset_faults()
    read = await client.get_config(device_ids[0])
    assert written.mist_seconds == 45
    # syncStatus is never sent, so the answer-less result cannot know it.
    assert written.synced is None
    assert written == replace(read, synced=None)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"user_id": "other"}, "user_id"),
        ({"device_id": "MG-other"}, "device_id"),
        ({"config_id": "7"}, "config_id"),
        ({"synced": True}, "synced"),
        ({"mix_ratio": 3, "mist_seconds": 45}, "mix_ratio"),
        ({}, "Nothing to update"),
    ],
)
async def test_set_config_validates_before_sending(
    sim: MoogoSimulator,
    client: MoogoClient,
    device_ids: list[str],
    changes: dict[str, Any],
    match: str,
) -> None:
    with pytest.raises(ValueError, match=match):
        await client.set_config(device_ids[0], **changes)
    assert sim.total_requests == 0


async def test_set_config_without_a_configuration_writes_nothing(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    await client.authenticate()
    sim.faults.null_data = True
    sim.reset_counts()
    with pytest.raises(MoogoResponseError, match="device configuration"):
        await client.set_config(device_ids[0], mist_seconds=45)
    assert sim.request_counts == {READ: 1}


async def test_set_config_with_posix_time_zone_is_refused(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    with pytest.raises(MoogoApiError) as caught:
        await client.set_config(device_ids[0], time_zone="PST8PDT,M3.2.0,M11.1.0")
    assert caught.value.code == 400
    assert "timeZone" in str(caught.value)
    assert raw_config(sim, device_ids[0])["timeZone"] == "America/Los_Angeles"


# -- the body, on its own (no network) ----------------------------------------------

READ_AS_INTS = {
    "id": 7,
    "deviceId": "MG1",
    "userId": "U1",
    "stopTemperature": 10,
    "stopRainy": 1,
    "stopSnow": 0,
    "stopWindstorm": 0,
    "liquidName": "Moogo",
    "liquidConcentration": 100,
    "timeZone": "America/Los_Angeles",
    "sprayingSeconds": 60,
    "syncStatus": True,
    "somethingNew": "kept out",
}
READ_AS_BOOLS_AND_FLOATS = {
    **READ_AS_INTS,
    "stopRainy": True,
    "stopSnow": False,
    "stopTemperature": 10.5,
}


@pytest.mark.parametrize(
    ("read", "changes", "expected"),
    [
        (READ_AS_INTS, {"pause_in_snow": True}, {"stopSnow": 1}),
        (READ_AS_INTS, {"pause_in_rain": False}, {"stopRainy": 0}),
        (READ_AS_INTS, {"stop_temperature": 12.0}, {"stopTemperature": 12}),
        (READ_AS_INTS, {"stop_temperature": 12.5}, {"stopTemperature": 12.5}),
        (READ_AS_INTS, {"mist_seconds": 45.0}, {"sprayingSeconds": 45}),
        (READ_AS_BOOLS_AND_FLOATS, {"pause_in_snow": 1}, {"stopSnow": True}),
        (READ_AS_BOOLS_AND_FLOATS, {"pause_in_rain": False}, {"stopRainy": False}),
        (READ_AS_BOOLS_AND_FLOATS, {"stop_temperature": 12}, {"stopTemperature": 12.0}),
        (READ_AS_INTS, {"concentrate_name": "Garlic"}, {"liquidName": "Garlic"}),
        # A field the read left out: numeric in the app's model.
        ({"id": 7}, {"pause_in_rain": True}, {"stopRainy": 1}),
        ({"id": 7}, {"time_zone": "Europe/Berlin"}, {"timeZone": "Europe/Berlin"}),
        # Numbers the cloud sent as text: the caller's value goes out as given.
        ({"stopTemperature": "10"}, {"stop_temperature": 8}, {"stopTemperature": 8}),
    ],
)
def test_config_body_writes_the_type_read(
    read: dict[str, Any], changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    body = config_body(read, changes)
    unchanged = {
        key: value
        for key, value in read.items()
        if key in CONFIG_WRITABLE and key not in expected
    }
    assert body == {**unchanged, **expected}
    for key, value in expected.items():
        assert type(body[key]) is type(value), key


def test_config_body_is_the_whole_accepted_set() -> None:
    body = config_body(READ_AS_INTS, {"mist_seconds": 45})
    assert body.keys() == CONFIG_WRITABLE
    assert "syncStatus" not in body
    assert "somethingNew" not in body


def test_the_client_and_the_simulator_agree_on_the_writable_fields() -> None:
    assert CLIENT_WRITABLE == CONFIG_WRITABLE
