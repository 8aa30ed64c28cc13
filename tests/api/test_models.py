"""Unit tests of the tolerant model parsers; no network involved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.moogo.api import (
    Device,
    DeviceConfig,
    FirmwareInfo,
    Liquid,
    MoogoResponseError,
    MoogoToken,
    Schedule,
    SprayRecord,
)
from custom_components.moogo.api.models import format_repeat_days, parse_repeat_days
from custom_components.moogo.api.parsing import (
    as_bool,
    as_float,
    as_int,
    as_plausible_timestamp,
    as_str,
    as_timestamp,
    items_of,
    require_mapping,
)

# 2026-11-24 12:00:00 UTC, as the API sends it in both units.
EPOCH_SECONDS = 1_795_521_600
EPOCH_MILLISECONDS = EPOCH_SECONDS * 1000
EXPECTED_MOMENT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


# -- scalar coercion ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (7, 7),
        (True, 1),
        (False, 0),
        (7.0, 7),
        ("42", 42),
        (" -65 ", -65),
        ("42.0", 42),
        (42.5, None),
        ("42.5", None),
        ("forty-two", None),
        ("", None),
        (None, None),
        ([1], None),
        (float("nan"), None),
        ("inf", None),
    ],
)
def test_as_int(raw: Any, expected: int | None) -> None:
    assert as_int(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (21.5, 21.5),
        (21, 21.0),
        ("21.5", 21.5),
        (" 3 ", 3.0),
        (True, 1.0),
        ("warm", None),
        (None, None),
        ({}, None),
        (float("inf"), None),
        ("NaN", None),
        # An integer beyond float's range, as JSON can carry it.
        (10**400, None),
    ],
)
def test_as_float(raw: Any, expected: float | None) -> None:
    assert as_float(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        (1.0, True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("false", False),
        ("no", False),
        ("off", False),
        (2, None),
        ("maybe", None),
        (None, None),
        ([], None),
    ],
)
def test_as_bool(raw: Any, expected: bool | None) -> None:
    assert as_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abc", "abc"),
        ("", None),
        (123, "123"),
        (1.5, "1.5"),
        (True, None),
        (None, None),
        ({"a": 1}, None),
    ],
)
def test_as_str(raw: Any, expected: str | None) -> None:
    assert as_str(raw) == expected


# -- timestamps ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        EPOCH_SECONDS,
        EPOCH_MILLISECONDS,
        float(EPOCH_SECONDS),
        str(EPOCH_SECONDS),
        str(EPOCH_MILLISECONDS),
        "2026-11-24T12:00:00+00:00",
        "2026-11-24T13:00:00+01:00",
        "2026-11-24T12:00:00",
    ],
)
def test_as_timestamp_is_aware_whatever_the_unit(raw: Any) -> None:
    parsed = as_timestamp(raw)
    assert parsed is not None
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() is not None
    assert parsed == EXPECTED_MOMENT


def test_as_timestamp_keeps_given_offset() -> None:
    parsed = as_timestamp("2026-11-24T13:00:00+01:00")
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    "raw", [None, 0, -5, "", "yesterday", "2026-13-45T99:00", [], {}, 1e300]
)
def test_as_timestamp_unreadable_is_none(raw: Any) -> None:
    assert as_timestamp(raw) is None


@pytest.mark.parametrize("raw", [EPOCH_SECONDS, EPOCH_MILLISECONDS, str(EPOCH_SECONDS)])
def test_as_plausible_timestamp_reads_both_units(raw: Any) -> None:
    assert as_plausible_timestamp(raw) == EXPECTED_MOMENT


@pytest.mark.parametrize(
    "raw",
    [
        None,
        0,
        -1,
        1,  # 1970: a flag or a counter, not a moment
        True,
        "soon",
        1e30,
        10**400,
        99_999_999_999,  # seconds of the year 5138
        "1969-12-31T00:00:00+00:00",
        "2300-01-01T00:00:00+00:00",
    ],
)
def test_as_plausible_timestamp_refuses_odd_values(raw: Any) -> None:
    assert as_plausible_timestamp(raw) is None


# -- shapes -------------------------------------------------------------------


def test_require_mapping() -> None:
    assert require_mapping({"a": 1}, "thing") == {"a": 1}
    with pytest.raises(
        MoogoResponseError, match="Expected an object for thing, got list"
    ):
        require_mapping([1], "thing")


def test_items_of_accepts_both_list_shapes_and_drops_garbage() -> None:
    assert items_of({"items": [{"a": 1}, 3, "x", None, {"b": 2}]}, "things") == [
        {"a": 1},
        {"b": 2},
    ]
    assert items_of([{"a": 1}], "things") == [{"a": 1}]
    assert items_of({"items": None}, "things") == []
    assert items_of({}, "things") == []


@pytest.mark.parametrize("data", [None, "items", 5, {"items": "nope"}, {"items": {}}])
def test_items_of_bad_shape(data: Any) -> None:
    with pytest.raises(MoogoResponseError, match="Expected a list for things"):
        items_of(data, "things")


# -- token --------------------------------------------------------------------


def test_token_from_login_and_round_trip() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    token = MoogoToken.from_login(
        {"token": "tok-secret", "userId": 42, "email": "a@b.c", "ttl": "3600"}, now
    )
    assert token.token == "tok-secret"
    assert token.user_id == "42"
    assert token.expires_at == now + timedelta(hours=1)
    assert not token.is_expired(now)
    assert not token.is_expired(now + timedelta(minutes=58), timedelta(minutes=1))
    assert token.is_expired(now + timedelta(minutes=59), timedelta(minutes=1))
    assert token.is_expired(now + timedelta(hours=1))

    stored = token.as_dict()
    assert stored == {
        "token": "tok-secret",
        "user_id": "42",
        "expires_at": (now + timedelta(hours=1)).timestamp(),
    }
    assert MoogoToken.from_dict(stored) == token


def test_token_repr_hides_the_secret() -> None:
    token = MoogoToken(token="tok-secret", user_id="u1")
    assert "tok-secret" not in repr(token)
    assert "tok-secret" not in str(token)
    assert "u1" in repr(token)


# 1e300 and 10**15 seconds reach beyond the year 9999: no expiry either.
@pytest.mark.parametrize("ttl", [None, 0, -1, "never", 1e300, 10**15])
def test_token_without_usable_ttl_never_expires(ttl: Any) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    token = MoogoToken.from_login({"token": "t", "userId": "u", "ttl": ttl}, now)
    assert token.expires_at is None
    assert not token.is_expired(now + timedelta(days=10_000))
    assert MoogoToken.from_dict(token.as_dict()) == token


@pytest.mark.parametrize(
    "data", [None, [], {"userId": "u"}, {"token": "t"}, {"token": "", "userId": "u"}]
)
def test_token_from_bad_login(data: Any) -> None:
    with pytest.raises(MoogoResponseError):
        MoogoToken.from_login(data, datetime.now(UTC))


@pytest.mark.parametrize(
    "raw", [None, "token", [], {}, {"token": "t"}, {"user_id": "u"}, {"token": 5j}]
)
def test_token_from_unusable_dict(raw: Any) -> None:
    assert MoogoToken.from_dict(raw) is None


def test_token_from_dict_with_milliseconds_expiry() -> None:
    restored = MoogoToken.from_dict(
        {"token": "t", "user_id": "u", "expires_at": EPOCH_MILLISECONDS}
    )
    assert restored is not None
    assert restored.expires_at == EXPECTED_MOMENT


# -- device -------------------------------------------------------------------


def test_device_full_detail() -> None:
    device = Device.from_api(
        {
            "deviceId": "dev-1",
            "deviceName": "Patio",
            "onlineStatus": 1,
            "runStatus": 0,
            "firmware": "1.2.3",
            "deviceModel": "MG-1",
            "rssi": -61,
            "temperature": 23.5,
            "humidity": 40,
            "liquid_level": 1,
            "water_level": 0,
            "liquidConcentration": 2.5,
            "mixRatio": 3,
            "latestSprayingDuration": 60,
            "latestSprayingEnd": EPOCH_SECONDS,
        }
    )
    assert device == Device(
        device_id="dev-1",
        name="Patio",
        online=True,
        misting=False,
        firmware="1.2.3",
        model="MG-1",
        rssi=-61,
        temperature=23.5,
        humidity=40.0,
        concentrate_level=1,
        water_level=0,
        concentration=2.5,
        mix_ratio=3,
        latest_mist_duration=60,
        latest_mist_end=EXPECTED_MOMENT,
    )
    assert device.water_empty is True
    assert device.concentrate_empty is False


def test_device_missing_fields_are_none() -> None:
    device = Device.from_api({"deviceId": "dev-1"})
    assert device.device_id == "dev-1"
    for name in (
        "name",
        "online",
        "misting",
        "firmware",
        "model",
        "rssi",
        "temperature",
        "humidity",
        "concentrate_level",
        "water_level",
        "concentration",
        "mix_ratio",
        "latest_mist_duration",
        "latest_mist_end",
        "water_empty",
        "concentrate_empty",
    ):
        assert getattr(device, name) is None, name


def test_device_numeric_strings_are_parsed() -> None:
    device = Device.from_api(
        {
            "deviceId": 12345,
            "onlineStatus": "1",
            "runStatus": "1",
            "rssi": "-70",
            "temperature": "19.25",
            "humidity": "55",
            "water_level": "1",
            "mixRatio": "4",
            "latestSprayingDuration": "90",
            "latestSprayingEnd": str(EPOCH_MILLISECONDS),
        }
    )
    assert device.device_id == "12345"
    assert device.online is True
    assert device.misting is True
    assert device.rssi == -70
    assert device.temperature == 19.25
    assert device.humidity == 55.0
    assert device.water_level == 1
    assert device.water_empty is False
    assert device.mix_ratio == 4
    assert device.latest_mist_duration == 90
    assert device.latest_mist_end == EXPECTED_MOMENT


def test_device_seconds_and_milliseconds_give_the_same_moment() -> None:
    in_seconds = Device.from_api({"deviceId": "d", "latestSprayingEnd": EPOCH_SECONDS})
    in_millis = Device.from_api(
        {"deviceId": "d", "latestSprayingEnd": EPOCH_MILLISECONDS}
    )
    assert in_seconds.latest_mist_end == in_millis.latest_mist_end
    assert in_seconds.latest_mist_end is not None
    assert in_seconds.latest_mist_end.tzinfo is not None


@pytest.mark.parametrize("level", [2, 3, -1, 255])
def test_device_unknown_tank_values_are_kept(level: int) -> None:
    device = Device.from_api(
        {"deviceId": "d", "water_level": level, "liquid_level": str(level)}
    )
    assert device.water_level == level
    assert device.concentrate_level == level
    assert device.water_empty is None
    assert device.concentrate_empty is None


def test_device_garbage_values_become_none() -> None:
    device = Device.from_api(
        {
            "deviceId": "d",
            "deviceName": {"nested": True},
            "onlineStatus": "sometimes",
            "rssi": "strong",
            "temperature": None,
            "water_level": 0.5,
            "latestSprayingEnd": "soon",
        }
    )
    assert device.name is None
    assert device.online is None
    assert device.rssi is None
    assert device.temperature is None
    assert device.water_level is None
    assert device.latest_mist_end is None


@pytest.mark.parametrize(
    "data", [None, [], "dev-1", 5, {}, {"deviceId": None}, {"deviceId": ""}]
)
def test_device_bad_shape(data: Any) -> None:
    with pytest.raises(MoogoResponseError):
        Device.from_api(data)


# -- schedules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,2,3,4,5", (1, 2, 3, 4, 5)),
        (" 5, 1 ,1", (1, 5)),
        ("0,6,7,-1,x,", (0, 6)),
        ([3, "2", 9], (2, 3)),
        ((6, 0), (0, 6)),
        ("", ()),
        (None, ()),
        (12, ()),
    ],
)
def test_parse_repeat_days(raw: Any, expected: tuple[int, ...]) -> None:
    assert parse_repeat_days(raw) == expected


def test_format_repeat_days() -> None:
    assert format_repeat_days([5, 1, 3, 1]) == "1,3,5"
    assert format_repeat_days([]) == ""
    with pytest.raises(ValueError, match="Weekday 7"):
        format_repeat_days([1, 7])
    with pytest.raises(ValueError, match="Weekday -1"):
        format_repeat_days([-1])


def test_schedule_parsing() -> None:
    schedule = Schedule.from_api(
        {
            "id": 17,
            "hour": "6",
            "minute": 30,
            "duration": "120",
            "repeatSet": "1,3,5",
            "status": 1,
            "is_skip": True,
            "skipCount": "2",
            "lastSkippedAt": EPOCH_MILLISECONDS,
            "nextSprayingTime": EPOCH_SECONDS + 3600,
            "updatedAt": str(EPOCH_SECONDS),
        }
    )
    assert schedule == Schedule(
        schedule_id="17",
        hour=6,
        minute=30,
        duration=120,
        repeat_days=(1, 3, 5),
        enabled=True,
        skip_next=True,
        title=None,
        skip_count=2,
        last_skipped_at=EXPECTED_MOMENT,
        next_run=EXPECTED_MOMENT + timedelta(hours=1),
        updated_at=EXPECTED_MOMENT,
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"is_skip": False}, False),
        # Older spellings of the same flag, read when ``is_skip`` is absent.
        ({"skipNext": "true"}, True),
        ({"skip": 0}, False),
        ({"is_skip": True, "skipNext": False}, True),
        ({}, None),
    ],
)
def test_schedule_skip_flag_spellings(
    raw: dict[str, Any], expected: bool | None
) -> None:
    assert Schedule.from_api({"id": "s", **raw}).skip_next is expected


@pytest.mark.parametrize(
    "raw", [None, 0, -5, "soon", "", 1e30, 10**40, [EPOCH_SECONDS], {"at": 1}]
)
def test_schedule_odd_next_run_is_none(raw: Any) -> None:
    schedule = Schedule.from_api(
        {"id": "s", "nextSprayingTime": raw, "lastSkippedAt": raw, "updatedAt": raw}
    )
    assert schedule.next_run is None
    assert schedule.last_skipped_at is None
    assert schedule.updated_at is None


def test_schedule_without_the_apps_fields() -> None:
    schedule = Schedule.from_api({"id": "s", "skipCount": "many"})
    assert schedule.skip_next is None
    assert schedule.skip_count is None
    assert schedule.next_run is None


def test_recommended_schedule_without_id() -> None:
    schedule = Schedule.from_api({"title": "Dusk", "hour": 19, "status": 0})
    assert schedule.schedule_id is None
    assert schedule.title == "Dusk"
    assert schedule.enabled is False
    assert schedule.minute is None
    assert schedule.repeat_days == ()


@pytest.mark.parametrize("data", [None, [], "s"])
def test_schedule_bad_shape(data: Any) -> None:
    with pytest.raises(MoogoResponseError, match="schedule"):
        Schedule.from_api(data)


# -- configuration, spray history, firmware, liquids ------------------------------------


def test_config_parsing() -> None:
    config = DeviceConfig.from_api(
        {
            "id": 1,
            "syncStatus": False,
            "deviceId": "d",
            "userId": "u",
            "stopTemperature": "10.5",
            "stopRainy": 1,
            "stopSnow": "false",
            "stopWindstorm": True,
            "liquidName": "Citronella",
            "liquidConcentration": "3",
            "timeZone": "America/Los_Angeles",
            "sprayingSeconds": "45",
        }
    )
    assert config == DeviceConfig(
        stop_temperature=10.5,
        pause_in_rain=True,
        pause_in_snow=False,
        pause_in_windstorm=True,
        concentrate_name="Citronella",
        concentration=3.0,
        time_zone="America/Los_Angeles",
        mist_seconds=45,
        config_id="1",
        device_id="d",
        user_id="u",
        synced=False,
    )
    assert DeviceConfig.from_api({}) == DeviceConfig()


def test_config_flags_read_from_ints_and_bools() -> None:
    as_ints = DeviceConfig.from_api({"stopRainy": 1, "stopSnow": 0, "syncStatus": 1})
    as_bools = DeviceConfig.from_api(
        {"stopRainy": True, "stopSnow": False, "syncStatus": True}
    )
    assert as_ints == as_bools
    assert (as_ints.pause_in_rain, as_ints.pause_in_snow, as_ints.synced) == (
        True,
        False,
        True,
    )


@pytest.mark.parametrize("data", [None, [1], 3])
def test_config_bad_shape(data: Any) -> None:
    with pytest.raises(MoogoResponseError, match="device configuration"):
        DeviceConfig.from_api(data)


def test_spray_record_parsing() -> None:
    assert SprayRecord.from_api(
        {"id": 9, "createdAt": EPOCH_MILLISECONDS, "seconds": "60"}
    ) == SprayRecord(record_id="9", created_at=EXPECTED_MOMENT, seconds=60)
    assert SprayRecord.from_api({"createdAt": EPOCH_SECONDS}).created_at == (
        EXPECTED_MOMENT
    )
    assert SprayRecord.from_api({"createdAt": "soon", "seconds": 1.5}) == (
        SprayRecord(record_id=None, created_at=None, seconds=None)
    )
    with pytest.raises(MoogoResponseError, match="spray record"):
        SprayRecord.from_api("boom")


def test_firmware_info_parsing() -> None:
    assert FirmwareInfo.from_api(
        {"available": "true", "version": 2, "url": "https://x/y.bin"}
    ) == FirmwareInfo(available=True, version="2", url="https://x/y.bin")
    assert FirmwareInfo.from_api({}) == FirmwareInfo(None, None, None)
    with pytest.raises(MoogoResponseError, match="firmware check"):
        FirmwareInfo.from_api(None)


def test_liquid_parsing() -> None:
    assert Liquid.from_api(
        {"id": 3, "name": "Natural", "description": "", "icon": "https://i/3.png"}
    ) == Liquid(liquid_id="3", name="Natural", description=None, icon="https://i/3.png")
    with pytest.raises(MoogoResponseError, match="liquid"):
        Liquid.from_api(["Natural"])


def test_parsed_timestamps_are_comparable_with_aware_now() -> None:
    parsed = as_timestamp(EPOCH_SECONDS)
    assert parsed is not None
    # Comparing with a naive datetime would raise; an aware one must not.
    assert parsed < datetime.now(UTC) + timedelta(days=3650)
