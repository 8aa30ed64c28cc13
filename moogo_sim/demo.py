"""Fixed content: the public catalog and the demo account's devices."""

from __future__ import annotations

import random
from typing import Any

from .cloud import SimCloud
from .messages import MessageType
from .state import SimDevice
from .timezones import zone_for_setup

DEMO_EMAIL = "demo@moogo.example"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo credential
#: The demo servers' page cap (``python -m moogo_sim``, the devstack): the
#: demo account's three devices span two pages, as a capped cloud would show.
DEMO_PAGE_SIZE_LIMIT = 2
#: The demo servers' ``app_limits``: a demo user meets the app's limits
#: (durations of 20-120 s, at most 20 schedules a device).
DEMO_APP_LIMITS = True
#: The Patio Mister's firmware, and the newer one the demo's cloud offers it.
DEMO_PATIO_FIRMWARE = "1.2.3"
DEMO_PATIO_NEW_FIRMWARE = "1.4.0"

#: ``GET /v1/liquid``: the concentrate products (public, no token).
LIQUIDS: tuple[dict[str, Any], ...] = (
    {
        "id": "1",
        "name": "Moogo Mosquito Concentrate",
        "description": "Plant-based concentrate against mosquitoes",
        "icon": "https://static.moogo.example/liquids/mosquito.png",
    },
    {
        "id": "2",
        "name": "Moogo Fly Concentrate",
        "description": "Concentrate against flies and gnats",
        "icon": "https://static.moogo.example/liquids/fly.png",
    },
    {
        "id": "3",
        "name": "Water Only",
        "description": "Cooling mist without concentrate",
        "icon": "https://static.moogo.example/liquids/water.png",
    },
)

#: ``GET /v1/devices/schedules``: recommended schedules (public, no token).
RECOMMENDED_SCHEDULES: tuple[dict[str, Any], ...] = (
    {
        "id": "R1",
        "title": "Dawn",
        "hour": 6,
        "minute": 0,
        "duration": 60,
        "repeatSet": "0,1,2,3,4,5,6",
        "status": 1,
    },
    {
        "id": "R2",
        "title": "Dusk",
        "hour": 19,
        "minute": 30,
        "duration": 90,
        "repeatSet": "0,1,2,3,4,5,6",
        "status": 1,
    },
    {
        "id": "R3",
        "title": "Weekend evenings",
        "hour": 18,
        "minute": 0,
        "duration": 120,
        "repeatSet": "0,5,6",
        "status": 1,
    },
)


def populate_demo(sim: SimCloud, extra_devices: int = 0) -> None:
    """Create the demo account, its three devices and their schedules.

    What the real cloud shows a user on day one: the Garden Mister's master
    schedule switch off, the Patio Mister's next run skipped, a week of
    spray history on both, and a few messages about all three. The Patio
    Mister is offered a new firmware, so a demo user can install it (the
    Garage Mister's offer waits: it is offline).
    ``extra_devices`` adds that many more online, idle devices (for demos and
    load tests with many entities).
    """
    sim.add_account(DEMO_EMAIL, DEMO_PASSWORD)
    now = sim.now()

    patio = sim.add_device(
        DEMO_EMAIL,
        name="Patio Mister",
        firmware=DEMO_PATIO_FIRMWARE,
        latest_firmware=DEMO_PATIO_NEW_FIRMWARE,
        temperature=26.5,
        humidity=48,
    )
    sim.add_schedule(
        patio.device_id, hour=6, minute=30, duration=60, repeat_set="1,2,3,4,5"
    )
    sim.add_schedule(patio.device_id, hour=19, minute=0, duration=90)
    _seed_spray_history(sim, patio.device_id, seed=1)
    # The latest mist, an hour ago.
    sim.add_spray_record(patio.device_id, now - 3600, 60)
    _skip_next_run(sim, patio)

    garden = sim.add_device(
        DEMO_EMAIL,
        name="Garden Mister",
        water_level=0,
        temperature=22.0,
        humidity=63,
        rssi=-71,
    )
    sim.add_schedule(garden.device_id, hour=20, minute=0, duration=45, status=0)
    sim.set_schedule_switch(garden.device_id, on=False)
    _seed_spray_history(sim, garden.device_id, seed=2)

    garage = sim.add_device(
        DEMO_EMAIL,
        name="Garage Mister",
        online=False,
        firmware="1.1.0",
        latest_firmware="1.2.3",
        temperature=18.0,
        humidity=70,
        rssi=-85,
    )
    sim.add_schedule(garage.device_id, hour=7, minute=0, duration=30, repeat_set="0,6")
    sim.add_schedule(garage.device_id, hour=21, minute=15, duration=30, status=0)

    for number in range(1, extra_devices + 1):
        sim.add_device(DEMO_EMAIL, name=f"Demo Mister {number}")

    _seed_messages(sim, patio, garden, garage)


def _seed_messages(
    sim: SimCloud, patio: SimDevice, garden: SimDevice, garage: SimDevice
) -> None:
    """File what the demo's devices told their owner: a few read, the latest not."""
    now = sim.now()
    user_id = sim.account(DEMO_EMAIL).user_id
    seeds: tuple[tuple[SimDevice, MessageType, float, bool], ...] = (
        (garage, MessageType.FIRMWARE_OFFER, 6 * _DAY, True),
        (patio, MessageType.CONCENTRATE_LOW, 5 * _DAY, True),
        (garage, MessageType.DEVICE_OFFLINE, _DAY, False),
        (patio, MessageType.FIRMWARE_OFFER, 3 * 3600, False),
        (garden, MessageType.NO_WATER_INFLOW, 2 * 3600, False),
    )
    for device, event, ago, read in seeds:
        message = sim.messages.add_event(
            user_id,
            event,
            device_id=device.device_id,
            device_name=device.name,
            at=now - ago,
            version=device.latest_firmware,
        )
        message.is_read = read


#: The lengths of the demo's past mists, in seconds.
_DEMO_MIST_SECONDS = (45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
_DAY = 86400


def _seed_spray_history(sim: SimCloud, device_id: str, *, seed: int) -> None:
    """Give a device a week of past mists: two or three a day, 45-90 s each.

    Seeded, so every demo shows the same history relative to its start.
    """
    draws = random.Random(seed)  # noqa: S311 - demo data, not cryptography
    now = sim.now()
    for days_ago in range(7, 0, -1):
        # Within the day that ended two hours ago: the latest mist comes after.
        offsets = sorted(
            draws.randrange(0, _DAY - 7200) for _ in range(draws.choice((2, 3)))
        )
        for offset in offsets:
            ended_at = now - days_ago * _DAY + offset
            sim.add_spray_record(device_id, ended_at, draws.choice(_DEMO_MIST_SECONDS))


def _skip_next_run(sim: SimCloud, device: SimDevice) -> None:
    """Press skip on the device's schedule that runs next, as a user would."""
    now = sim.now()
    zone = zone_for_setup(device.time_zone)
    upcoming = min(device.schedules, key=lambda schedule: schedule.run_after(now, zone))
    sim.skip_schedule(device.device_id, upcoming.schedule_id)
