"""Lists are read whole: devices, schedules and spray history, page after page.

The simulator caps pages (``page_size_limit``) and misreports them (the
``garbled_total`` and ``repeating_pages`` knobs); every list method must read
everything there is, once, and always end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
import math
from zoneinfo import ZoneInfo

import pytest

from custom_components.moogo.api import MoogoClient, MoogoResponseError, Schedule
from custom_components.moogo.api.const import (
    DEVICES_PAGE_SIZE,
    MAX_PAGES,
    SCHEDULES_PAGE_SIZE,
    SPRAY_HISTORY_PAGE_SIZE,
)
from moogo_sim import MoogoSimulator
from tests.common import DEVICES_ROUTE, TEST_EMAIL, TEST_PASSWORD, FakeClock

SCHEDULES_ROUTE = "GET /v1/devices/{device_id}/schedules"
HISTORY_ROUTE = "GET /v1/devices/{device_id}/logs"
# The device's time zone (the simulator's default), in which history dates count.
DEVICE_ZONE = ZoneInfo("America/Los_Angeles")
# Noon in the device's time zone on 2026-06-10, and the days around it.
HISTORY_DAY = date(2026, 6, 10)
HISTORY_NOON = datetime(2026, 6, 10, 12, tzinfo=DEVICE_ZONE).timestamp()


@dataclass(frozen=True)
class ListKind:
    """One list endpoint: how to fill it in the simulator and read it back."""

    route: str
    page_size: int
    fill: Callable[[MoogoSimulator, str, int], None]
    read: Callable[[MoogoClient, str], Awaitable[list[str]]]
    expected: Callable[[MoogoSimulator, str], list[str]]


def _add_devices(sim: MoogoSimulator, _device: str, count: int) -> None:
    # The account has two devices already.
    for number in range(count - 2):
        sim.add_device(TEST_EMAIL, name=f"Extra {number}")


async def _read_devices(client: MoogoClient, _device: str) -> list[str]:
    return [device.device_id for device in await client.get_devices()]


def _add_schedules(sim: MoogoSimulator, device: str, count: int) -> None:
    for number in range(count):
        sim.add_schedule(device, hour=number % 24, minute=number, duration=60)


async def _read_schedules(client: MoogoClient, device: str) -> list[str]:
    listed = await client.get_schedule_list(device)
    assert listed.master_switch is True
    return [str(schedule.schedule_id) for schedule in listed.schedules]


def _add_mists(sim: MoogoSimulator, device: str, count: int) -> None:
    for number in range(count):
        sim.device(device).add_spray_record(HISTORY_NOON - 60 * number, 30)


async def _read_history(client: MoogoClient, device: str) -> list[str]:
    records = await client.get_spray_history(device, HISTORY_DAY, HISTORY_DAY)
    return [str(record.record_id) for record in records]


KINDS = {
    "devices": ListKind(
        DEVICES_ROUTE,
        DEVICES_PAGE_SIZE,
        _add_devices,
        _read_devices,
        lambda sim, _device: [d.device_id for d in sim.devices_of(TEST_EMAIL)],
    ),
    "schedules": ListKind(
        SCHEDULES_ROUTE,
        SCHEDULES_PAGE_SIZE,
        _add_schedules,
        _read_schedules,
        lambda sim, device: [s.schedule_id for s in sim.device(device).schedules],
    ),
    "spray history": ListKind(
        HISTORY_ROUTE,
        SPRAY_HISTORY_PAGE_SIZE,
        _add_mists,
        _read_history,
        lambda sim, device: [
            str(record.record_id)
            for record in sorted(
                sim.device(device).spray_records,
                key=lambda record: record.ended_at,
                reverse=True,
            )
        ],
    ),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> ListKind:
    """Each list endpoint in turn."""
    return KINDS[request.param]


@pytest.fixture
async def signed_in(client: MoogoClient) -> MoogoClient:
    """The test client, signed in, so that only the list's requests count."""
    await client.authenticate()
    return client


# More than the simulator's default page (10) and the app's schedule page (20).
@pytest.mark.parametrize(("count", "cap"), [(23, 5), (23, 1), (23, None), (0, 5)])
async def test_a_list_is_read_whole_one_request_per_page(
    sim: MoogoSimulator,
    signed_in: MoogoClient,
    device_ids: list[str],
    kind: ListKind,
    count: int,
    cap: int | None,
) -> None:
    device = device_ids[0]
    kind.fill(sim, device, count)
    sim.configure(page_size_limit=cap)
    sim.reset_counts()

    read = await kind.read(signed_in, device)

    assert read == kind.expected(sim, device)
    assert len(read) == max(count, 2 if kind.route == DEVICES_ROUTE else 0)
    pages = math.ceil(len(read) / (cap or kind.page_size)) or 1
    assert sim.request_counts == {kind.route: pages}
    # Each page asked for by number and size (the cloud's default is unknown).
    assert all(
        {"page", "pageSize"} <= request.query_fields for request in sim.request_log
    )


async def test_garbled_total_ends_at_the_short_page(
    sim: MoogoSimulator, signed_in: MoogoClient, device_ids: list[str], kind: ListKind
) -> None:
    device = device_ids[0]
    kind.fill(sim, device, 7)
    sim.faults.garbled_total = True
    sim.reset_counts()

    # Uncapped, the first page is shorter than asked: that is the whole list.
    assert await kind.read(signed_in, device) == kind.expected(sim, device)
    assert sim.request_counts == {kind.route: 1}

    # Capped, without a total to follow, a short page still ends the read.
    sim.configure(page_size_limit=3)
    sim.reset_counts()
    assert await kind.read(signed_in, device) == kind.expected(sim, device)[:3]
    assert sim.request_counts == {kind.route: 1}


@pytest.mark.parametrize("count", [SCHEDULES_PAGE_SIZE, 2 * SCHEDULES_PAGE_SIZE])
async def test_an_empty_page_past_the_end_ends_the_read(
    sim: MoogoSimulator, signed_in: MoogoClient, device_ids: list[str], count: int
) -> None:
    # Full pages and no total to follow: only the empty page after them ends it.
    _add_schedules(sim, device_ids[0], count)
    sim.faults.garbled_total = True
    sim.reset_counts()

    schedules = await signed_in.get_schedules(device_ids[0])

    assert len(schedules) == count
    assert sim.request_counts == {SCHEDULES_ROUTE: count // SCHEDULES_PAGE_SIZE + 1}


async def test_repeating_pages_are_an_error_not_a_shorter_list(
    sim: MoogoSimulator, signed_in: MoogoClient, device_ids: list[str], kind: ListKind
) -> None:
    device = device_ids[0]
    kind.fill(sim, device, 12)
    sim.configure(page_size_limit=5)
    sim.faults.repeating_pages = True
    sim.reset_counts()

    # Page 2 brought nothing new while the total says more: a typed error.
    with pytest.raises(MoogoResponseError, match="incomplete"):
        await kind.read(signed_in, device)
    assert sim.request_counts == {kind.route: 2}


async def test_a_list_longer_than_the_page_bound_is_an_error(
    sim: MoogoSimulator, signed_in: MoogoClient, device_ids: list[str]
) -> None:
    """The cloud says there are more than the bound reads: no partial account."""
    _add_devices(sim, device_ids[0], MAX_PAGES + 10)
    sim.configure(page_size_limit=1)
    sim.reset_counts()

    with pytest.raises(MoogoResponseError, match=f"after {MAX_PAGES} pages"):
        await signed_in.get_devices()

    assert sim.request_counts == {DEVICES_ROUTE: MAX_PAGES}


# -- schedules ---------------------------------------------------------------------


async def test_the_schedule_switch_is_the_devices_own(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    device = device_ids[0]
    sim.add_schedule(device, hour=7, minute=0, duration=60)
    sim.add_schedule(device, hour=19, minute=0, duration=60, status=0)

    await client.set_schedule_switch(device, False)
    listed = await client.get_schedule_list(device)
    assert listed.master_switch is False
    # Each schedule keeps its own switch; the cloud plans no run meanwhile.
    assert [schedule.enabled for schedule in listed.schedules] == [True, False]
    assert [schedule.next_run for schedule in listed.schedules] == [None, None]
    assert await client.get_schedules(device) == list(listed.schedules)

    await client.set_schedule_switch(device, True)
    listed = await client.get_schedule_list(device)
    assert listed.master_switch is True
    assert [schedule.enabled for schedule in listed.schedules] == [True, False]
    # Only the other device's switch is untouched by either.
    assert (await client.get_schedule_list(device_ids[1])).master_switch is True


async def test_schedule_switch_sends_the_apps_routes(
    sim: MoogoSimulator, signed_in: MoogoClient, device_ids: list[str]
) -> None:
    sim.reset_counts()
    await signed_in.set_schedule_switch(device_ids[0], False)
    await signed_in.set_schedule_switch(device_ids[0], True)
    assert sim.request_counts == {
        "PUT /v1/devices/{device_id}/schedules/switch/close": 1,
        "PUT /v1/devices/{device_id}/schedules/switch/open": 1,
    }


async def test_a_missing_schedule_switch_is_unknown(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    sim.add_schedule(device_ids[0], hour=7, minute=0, duration=60)
    sim.faults.no_schedule_switch = True
    listed = await client.get_schedule_list(device_ids[0])
    assert listed.master_switch is None
    assert len(listed.schedules) == 1


async def test_the_schedule_switch_comes_from_the_first_page(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    _add_schedules(sim, device_ids[0], 4)
    sim.configure(page_size_limit=2)
    await client.set_schedule_switch(device_ids[0], False)
    listed = await client.get_schedule_list(device_ids[0])
    assert len(listed.schedules) == 4
    assert listed.master_switch is False


async def test_schedules_carry_the_apps_fields(
    clocked_sim: MoogoSimulator, clock: FakeClock, clocked_device: str
) -> None:
    sim = clocked_sim
    # 05:00 on Monday 2026-06-01 in the device's zone; runs at 07:30 daily.
    schedule_id = sim.add_schedule(
        clocked_device, hour=7, minute=30, duration=60
    ).schedule_id
    today_run = datetime(2026, 6, 1, 7, 30, tzinfo=DEVICE_ZONE)
    async with MoogoClient(TEST_EMAIL, TEST_PASSWORD, base_url=sim.url) as client:
        fresh = (await client.get_schedules(clocked_device))[0]
        assert fresh.skip_next is False
        assert fresh.skip_count == 0
        assert fresh.last_skipped_at is None
        assert fresh.next_run == today_run
        assert fresh.updated_at is not None

        await client.skip_schedule(clocked_device, schedule_id)
        skipped = (await client.get_schedules(clocked_device))[0]
        pressed = datetime.fromtimestamp(int(clock.now), UTC)
        assert skipped.skip_next is True
        assert skipped.skip_count == 1
        assert skipped.last_skipped_at == pressed
        assert skipped.updated_at == pressed
        # The cloud plans the run after the skipped one.
        assert skipped.next_run == today_run + timedelta(days=1)

        # Seconds or milliseconds on the wire: the same schedule.
        sim.faults.ms_timestamps = True
        assert (await client.get_schedules(clocked_device))[0] == skipped


async def test_odd_next_runs_are_unknown(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    device = device_ids[0]
    _add_schedules(sim, device, 6)
    true_runs = [schedule.next_run for schedule in await client.get_schedules(device)]
    assert all(run is not None for run in true_runs)

    # 0, -1, "soon", 1e30, null, and the true value in milliseconds.
    sim.faults.odd_next_run = True
    odd = await client.get_schedules(device)

    assert [schedule.next_run for schedule in odd] == [None] * 5 + true_runs[5:]
    assert all(isinstance(schedule, Schedule) for schedule in odd)


# -- spray history -----------------------------------------------------------------


async def test_spray_history_by_dates(
    sim: MoogoSimulator, signed_in: MoogoClient, device_ids: list[str]
) -> None:
    device = sim.device(device_ids[0])
    day = timedelta(days=1).total_seconds()
    for days_before, seconds in ((0, 60), (1, 45), (3, 90)):
        device.add_spray_record(HISTORY_NOON - days_before * day, seconds)
    sim.device(device_ids[1]).add_spray_record(HISTORY_NOON, 20)
    sim.reset_counts()

    two_days = await signed_in.get_spray_history(
        device_ids[0], HISTORY_DAY - timedelta(days=1), HISTORY_DAY
    )

    assert [(record.seconds, record.created_at) for record in two_days] == [
        (60, datetime.fromtimestamp(HISTORY_NOON, UTC)),
        (45, datetime.fromtimestamp(HISTORY_NOON - day, UTC)),
    ]
    assert all(record.record_id for record in two_days)
    assert sim.request_counts == {HISTORY_ROUTE: 1}
    (request,) = sim.request_log
    assert request.query_fields == {"startDate", "endDate", "page", "pageSize"}
    week = await signed_in.get_spray_history(
        device_ids[0], HISTORY_DAY - timedelta(days=6), HISTORY_DAY
    )
    assert [record.seconds for record in week] == [60, 45, 90]
    assert (
        await signed_in.get_spray_history(
            device_ids[0], HISTORY_DAY + timedelta(days=1), date(2026, 7, 1)
        )
        == []
    )

    # Seconds or milliseconds on the wire: the same records.
    sim.faults.ms_timestamps = True
    assert (
        await signed_in.get_spray_history(
            device_ids[0], HISTORY_DAY - timedelta(days=1), HISTORY_DAY
        )
        == two_days
    )


async def test_spray_history_range_is_checked_before_sending(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    with pytest.raises(ValueError, match="start is after its end"):
        await client.get_spray_history(
            device_ids[0], HISTORY_DAY, HISTORY_DAY - timedelta(days=1)
        )
    assert sim.total_requests == 0
