"""Property-based tests: arbitrary JSON and bytes never escape untyped.

Every response parser of the client, and its request choke point, is fed
arbitrary JSON values and arbitrary bytes. The only allowed outcomes are a
model whose fields have their declared types (``None`` for what is missing)
or a :class:`MoogoError`. The choke point is exercised twice: its decoder on
its own (fast, thousands of cases), and end to end over real HTTP, where a
tiny loopback server answers each request of the real client with the
example's status and body.

Hypothesis runs derandomized and without a database, so CI is reproducible
and the tree stays clean; the ``@example`` cases pin the inputs that once
escaped (see docs/reliability.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
import json
import types
import typing
from typing import Any

from aiohttp import web
from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.moogo.api import (
    Device,
    DeviceConfig,
    FirmwareInfo,
    Liquid,
    MoogoClient,
    MoogoError,
    MoogoToken,
    Schedule,
    ScheduleList,
    SprayRecord,
)
from custom_components.moogo.api.client import MoogoClient as _ClientForDecode
from custom_components.moogo.api.models import parse_repeat_days
from custom_components.moogo.api.parsing import (
    as_bool,
    as_float,
    as_int,
    as_str,
    as_timestamp,
    items_of,
)
from moogo_sim.app_api import CONFIG_WRITABLE

from .report import COLLECTOR

# Hypothesis warns about a PRNG some other library registers; not ours.
pytestmark = pytest.mark.filterwarnings(
    "ignore:It looks like `register_random`:hypothesis.errors.HypothesisWarning"
)

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_HTTP = settings(FUZZ, max_examples=80)
# Nesting deeper than json's C parser can follow (it raises RecursionError).
TOO_DEEP = b"[" * 100_000

# -- strategies -----------------------------------------------------------------

# Strings the real service (or a proxy) might put where numbers, ids, codes
# or timestamps belong.
TRICKY_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "0",
        "1",
        "-1",
        "1.5",
        " 42 ",
        "1e3",
        "1e400",
        "-1e400",
        "NaN",
        "inf",
        "0x10",
        "1_000",
        "\u00b2",  # a digit to str.isdigit(), not to int()
        "\u0663",  # Arabic-Indic three: int() accepts it
        "9" * 5000,  # beyond int()'s digit limit
        "10201",
        "10000",
        "401",
        "true",
        "off",
        "1,2,3",
        "7,8,-1",
        "2026-07-01T18:00:00",
        "2026-07-01T18:00:00+02:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "1782927300000",
        "99999999999999999999",
    ]
)
JSON_NUMBERS = (
    st.integers(min_value=-(10**20), max_value=10**20)
    | st.sampled_from([0, 1, 2, 10**11, 10**15, 10**18, 2**63, -(2**63), 10**300])
    | st.floats(allow_nan=True, allow_infinity=True)
)
JSON_SCALARS = (
    st.none() | st.booleans() | JSON_NUMBERS | st.text(max_size=20) | TRICKY_STRINGS
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | TRICKY_STRINGS, inner, max_size=4)
    ),
    max_leaves=12,
)


# Values that make a usable id: mostly plain strings, sometimes numbers.
IDS = st.text(min_size=1, max_size=12) | st.integers() | JSON_SCALARS


def objects_with(
    keys: list[str], required: tuple[str, ...] = ()
) -> st.SearchStrategy[Any]:
    """JSON objects shaped like a parser's answer, with any values; or anything.

    ``required`` keys (ids the parser cannot do without) are present in one
    branch, so that both the model path and the error path are explored.
    """
    optional = {key: JSON_VALUES for key in keys if key not in required}
    return (
        st.fixed_dictionaries(dict.fromkeys(required, IDS), optional=optional)
        | st.fixed_dictionaries({}, optional=dict.fromkeys(keys, JSON_VALUES))
        | JSON_VALUES
    )


DEVICE_KEYS = [
    "deviceId",
    "deviceName",
    "onlineStatus",
    "runStatus",
    "firmware",
    "deviceModel",
    "rssi",
    "temperature",
    "humidity",
    "liquid_level",
    "water_level",
    "liquidConcentration",
    "mixRatio",
    "latestSprayingDuration",
    "latestSprayingEnd",
]
SCHEDULE_KEYS = [
    "id",
    "hour",
    "minute",
    "duration",
    "repeatSet",
    "status",
    "is_skip",
    "skipNext",
    "skip",
    "skipCount",
    "lastSkippedAt",
    "nextSprayingTime",
    "updatedAt",
    "title",
]
# What the cloud reads back: the writable set and the read-only sync status.
CONFIG_KEYS = sorted(CONFIG_WRITABLE | {"syncStatus"})
LOGIN_KEYS = ["token", "userId", "email", "ttl"]
SPRAY_KEYS = ["id", "createdAt", "seconds"]
FIRMWARE_KEYS = ["available", "version", "url"]
LIQUID_KEYS = ["id", "name", "description", "icon"]
TOKEN_DICT_KEYS = ["token", "user_id", "expires_at"]


def lists_of(keys: list[str], required: tuple[str, ...] = ()) -> st.SearchStrategy[Any]:
    """List answers: ``{"items": [...]}``, a bare list, or anything else."""
    item = objects_with(keys, required)
    return (
        st.fixed_dictionaries(
            {"items": st.lists(item, max_size=4) | JSON_VALUES},
            optional={"total": JSON_VALUES},
        )
        | st.lists(item, max_size=4)
        | JSON_VALUES
    )


# -- the outcome check ----------------------------------------------------------


def conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` has the declared type (strict: a bool is no int)."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return any(conforms(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return isinstance(value, tuple) and all(conforms(v, item) for v in value)
    if hint is int:
        return type(value) is int
    if hint is float:
        return type(value) is float
    if hint is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    return isinstance(value, hint)


def assert_model(value: Any, model: type) -> None:
    """A parsed model with every field of its declared type."""
    assert isinstance(value, model), f"{value!r} is not a {model.__name__}"
    assert is_dataclass(value)
    hints = typing.get_type_hints(model)
    for item in fields(value):
        field_value = getattr(value, item.name)
        assert conforms(field_value, hints[item.name]), (
            f"{model.__name__}.{item.name} = {field_value!r} is not {hints[item.name]}"
        )


@dataclass
class Tally:
    """How the examples of one target ended."""

    models: int = 0
    errors: int = 0


TALLIES: dict[str, Tally] = {}


def outcome(target: str, call: Callable[[], Any], check: Callable[[Any], None]) -> None:
    """Run ``call``: its result must pass ``check``, or it raises a MoogoError."""
    tally = TALLIES.setdefault(target, Tally())
    try:
        result = call()
    except MoogoError:
        tally.errors += 1
        return
    check(result)
    tally.models += 1


# -- the parsers on their own ------------------------------------------------------

DEVICE = objects_with(DEVICE_KEYS, ("deviceId",))
LOGIN = objects_with(LOGIN_KEYS, ("token", "userId"))
PARSERS: list[tuple[str, Callable[[Any], Any], type, st.SearchStrategy[Any]]] = [
    ("Device.from_api", Device.from_api, Device, DEVICE),
    ("Schedule.from_api", Schedule.from_api, Schedule, objects_with(SCHEDULE_KEYS)),
    (
        "DeviceConfig.from_api",
        DeviceConfig.from_api,
        DeviceConfig,
        objects_with(CONFIG_KEYS),
    ),
    (
        "SprayRecord.from_api",
        SprayRecord.from_api,
        SprayRecord,
        objects_with(SPRAY_KEYS),
    ),
    (
        "FirmwareInfo.from_api",
        FirmwareInfo.from_api,
        FirmwareInfo,
        objects_with(FIRMWARE_KEYS),
    ),
    ("Liquid.from_api", Liquid.from_api, Liquid, objects_with(LIQUID_KEYS)),
    (
        "MoogoToken.from_login",
        lambda data: MoogoToken.from_login(data, datetime.now(UTC)),
        MoogoToken,
        LOGIN,
    ),
]
# What a successful answer's data may look like, for any endpoint.
SHAPED_DATA = st.one_of(
    DEVICE,
    LOGIN,
    lists_of(DEVICE_KEYS, ("deviceId",)),
    lists_of(SCHEDULE_KEYS),
    lists_of(SPRAY_KEYS),
    lists_of(LIQUID_KEYS),
    objects_with(SCHEDULE_KEYS),
    objects_with(CONFIG_KEYS),
    objects_with(FIRMWARE_KEYS),
)


@pytest.mark.parametrize(
    ("name", "parse", "model", "answers"),
    [pytest.param(*parser, id=parser[0]) for parser in PARSERS],
)
def test_parsers_return_a_model_or_a_typed_error(
    name: str,
    parse: Callable[[Any], Any],
    model: type,
    answers: st.SearchStrategy[Any],
) -> None:
    """Each response parser, fed any JSON (mostly shaped like its own answer)."""

    @FUZZ
    @given(data=answers)
    @example(data={"token": "t", "userId": "u", "ttl": 1e300})
    @example(data={"token": "t", "userId": "u", "ttl": 10**15})
    @example(data={"deviceId": "d", "latestSprayingEnd": 10**300, "rssi": "1e400"})
    @example(data={"id": "s", "repeatSet": ["\u00b2", 10**300, "-1", None]})
    def run(data: Any) -> None:
        outcome(name, lambda: parse(data), lambda value: assert_model(value, model))

    run()


def test_nesting_too_deep_for_python_is_a_typed_error() -> None:
    """Deeper than the parsers (json) can recurse: still typed.

    Hypothesis cannot generate such values (it recurses over them itself),
    so these are pinned by hand.
    """
    with pytest.raises(MoogoError):
        _ClientForDecode._decode("GET", "/v1/devices", 200, TOO_DEEP)
    TALLIES.setdefault("deep nesting (by hand)", Tally()).errors += 1
    TALLIES["deep nesting (by hand)"].models += 1


@FUZZ
@given(raw=objects_with(TOKEN_DICT_KEYS))
@example(raw={"token": "t", "user_id": "u", "expires_at": 10**300})
def test_stored_token_restores_or_is_ignored(raw: Any) -> None:
    """A token read back from storage is a token or None, never an exception."""
    outcome(
        "MoogoToken.from_dict",
        lambda: MoogoToken.from_dict(raw),
        lambda value: value is None or assert_model(value, MoogoToken),
    )


@FUZZ
@given(value=JSON_VALUES)
def test_field_readers_never_raise(value: Any) -> None:
    """The field readers map anything to their type or None; no exception."""
    assert conforms(as_int(value), int | None)
    assert conforms(as_float(value), float | None)
    assert conforms(as_bool(value), bool | None)
    assert conforms(as_str(value), str | None)
    assert conforms(as_timestamp(value), datetime | None)
    assert conforms(parse_repeat_days(value), tuple[int, ...])
    outcome("items_of", lambda: items_of(value, "things"), _list_of_objects)
    TALLIES.setdefault("field readers", Tally()).models += 1


def _list_of_objects(items: Any) -> None:
    assert isinstance(items, list)
    assert all(isinstance(item, dict) for item in items)


# -- the request choke point: decoding ----------------------------------------------

STATUSES = (
    st.just(200)
    | st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503])
    | st.integers(100, 599)
)
# Over HTTP a 1xx is never a final answer (the client would wait for one).
HTTP_STATUSES = STATUSES.filter(lambda status: status >= 200)


def envelopes() -> st.SearchStrategy[bytes]:
    """JSON envelopes whose code, message and data are anything."""
    codes = (
        st.sampled_from([0, "0", 401, 404, 10000, 10104, 10201, 500, 599, 600])
        | JSON_SCALARS
    )
    envelope = st.fixed_dictionaries(
        {}, optional={"code": codes, "message": JSON_VALUES, "data": JSON_VALUES}
    )
    success = st.fixed_dictionaries(
        {"code": st.sampled_from([0, "0", " 0 "]), "data": SHAPED_DATA},
        optional={"message": JSON_VALUES},
    )
    return (success | envelope | JSON_VALUES).map(
        lambda value: json.dumps(value).encode()
    )


BODIES = (
    envelopes()
    | st.binary(max_size=64)
    | st.sampled_from(
        [
            b"",
            b"<html><body>502 Bad Gateway</body></html>",
            b'{"code": 0, "data": {"items": [',
            b'{"code": "\xc2\xb2", "data": 1}',
            b'{"code": "' + b"9" * 5000 + b'", "data": 1}',
            b'{"code": 1' + b"0" * 5000 + b"}",
            b"\xff\xfe\x00",
            b'{"code": NaN}',
        ]
    )
)


@FUZZ
@given(status=STATUSES, body=BODIES)
@example(status=200, body=TOO_DEEP)
@example(status=200, body=b'{"code": "\xc2\xb2", "data": 1}')
@example(status=200, body=b'{"code": "' + b"9" * 5000 + b'", "data": 1}')
def test_decoder_returns_data_or_a_typed_error(status: int, body: bytes) -> None:
    """The choke point's decoding of any status and any bytes."""
    outcome(
        "MoogoClient._decode",
        lambda: _ClientForDecode._decode("GET", "/v1/devices", status, body),
        lambda data: None,
    )


# -- the request choke point, end to end over HTTP ------------------------------------


@dataclass
class Canned:
    """What the loopback server answers next."""

    status: int = 200
    body: bytes = b""


@pytest.fixture
async def canned_server(socket_enabled: None) -> AsyncIterator[tuple[str, Canned]]:
    """A loopback HTTP server that answers every request with the canned reply."""
    canned = Canned()

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(
            status=canned.status, body=canned.body, content_type="application/json"
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", canned
    finally:
        await runner.cleanup()


def _list_of(model: type) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        assert isinstance(value, list)
        for item in value:
            assert_model(item, model)

    return check


def _is_none(value: Any) -> None:
    assert value is None


def _schedule_list(value: Any) -> None:
    assert isinstance(value, ScheduleList)
    assert conforms(value.master_switch, bool | None)
    for schedule in value.schedules:
        assert_model(schedule, Schedule)


CALLS: list[
    tuple[str, Callable[[MoogoClient], Awaitable[Any]], Callable[[Any], None]]
] = [
    ("login", lambda c: c.authenticate(), lambda v: assert_model(v, MoogoToken)),
    ("get_devices", lambda c: c.get_devices(), _list_of(Device)),
    ("get_device", lambda c: c.get_device("MG1"), lambda v: assert_model(v, Device)),
    ("get_schedules", lambda c: c.get_schedules("MG1"), _list_of(Schedule)),
    (
        "create_schedule",
        lambda c: c.create_schedule("MG1", hour=1, minute=2, duration=3, weekdays=[1]),
        lambda v: v is None or assert_model(v, Schedule),
    ),
    (
        "get_config",
        lambda c: c.get_config("MG1"),
        lambda v: assert_model(v, DeviceConfig),
    ),
    (
        "get_schedule_list",
        lambda c: c.get_schedule_list("MG1"),
        _schedule_list,
    ),
    (
        "get_spray_history",
        lambda c: c.get_spray_history("MG1", date(2026, 6, 1), date(2026, 6, 30)),
        _list_of(SprayRecord),
    ),
    (
        "check_firmware",
        lambda c: c.check_firmware("MG1"),
        lambda v: assert_model(v, FirmwareInfo),
    ),
    ("get_liquids", lambda c: c.get_liquids(), _list_of(Liquid)),
    (
        "get_recommended_schedules",
        lambda c: c.get_recommended_schedules(),
        _list_of(Schedule),
    ),
    ("start_mist", lambda c: c.start_mist("MG1"), _is_none),
    (
        "set_config",
        lambda c: c.set_config("MG1", pause_in_rain=True),
        lambda v: assert_model(v, DeviceConfig),
    ),
]


@pytest.fixture
async def fuzz_client(
    canned_server: tuple[str, Canned],
) -> AsyncIterator[tuple[MoogoClient, Canned]]:
    """A client of its own session, pointed at the canned server."""
    url, canned = canned_server
    async with MoogoClient("fuzz@example.com", "fuzz-password", base_url=url) as client:
        yield client, canned


FUZZ_TOKEN = MoogoToken(token="fuzz-token", user_id="fuzz-user")


@FUZZ_HTTP
@given(status=HTTP_STATUSES, body=BODIES)
@example(
    status=200,
    body=b'{"code": 0, "data": {"token": "t", "userId": "u", "ttl": 1e300}}',
)
@example(status=200, body=b'{"code": "\xc2\xb2", "data": 1}')
@example(status=200, body=TOO_DEEP)
async def test_client_over_http_returns_models_or_typed_errors(
    fuzz_client: tuple[MoogoClient, Canned], status: int, body: bytes
) -> None:
    """Every client call, whatever status and bytes the server sends back."""
    client, canned = fuzz_client
    canned.status, canned.body = status, body
    for name, call, check in CALLS:
        client.restore_token(FUZZ_TOKEN)
        tally = TALLIES.setdefault(f"client.{name}", Tally())
        try:
            result = await call(client)
        except MoogoError:
            tally.errors += 1
            continue
        check(result)
        tally.models += 1


# Inputs that escaped untyped before this suite existed; each is an explicit
# example above, so every run proves the fix still holds.
PINNED = [
    (
        'envelope code "\u00b2" (str.isdigit() but not int())',
        "ValueError",
        "MoogoResponseError",
    ),
    (
        "envelope code of 5,000 digits (int() digit limit)",
        "ValueError",
        "MoogoResponseError",
    ),
    ("body nested 100,000 levels deep", "RecursionError", "MoogoResponseError"),
    ("login ttl of 1e300 or 10**15 seconds", "OverflowError", "token without expiry"),
]


def test_fuzz_figures_are_recorded() -> None:
    """Record the tallies (the module's other tests ran first)."""
    assert TALLIES, "the fuzz tests did not run"
    COLLECTOR.record_section(
        "fuzz",
        [
            (
                target,
                f"{t.models + t.errors} examples",
                f"{t.models} models or data, {t.errors} typed errors, 0 other",
            )
            for target, t in sorted(TALLIES.items())
        ]
        + [
            (f"pinned: {what}", f"was {before}", f"now {after}")
            for what, before, after in PINNED
        ],
    )
