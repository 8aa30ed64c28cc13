"""Fixed content: the public catalog and the demo account's devices."""

from __future__ import annotations

from typing import Any

from .cloud import SimCloud

DEMO_EMAIL = "demo@moogo.example"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo credential

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

    ``extra_devices`` adds that many more online, idle devices (for demos and
    load tests with many entities).
    """
    sim.add_account(DEMO_EMAIL, DEMO_PASSWORD)
    an_hour_ago = sim.now() - 3600

    patio = sim.add_device(
        DEMO_EMAIL, name="Patio Mister", temperature=26.5, humidity=48
    )
    patio.latest_spraying_end = an_hour_ago
    patio.latest_spraying_duration = 60
    sim.add_schedule(
        patio.device_id, hour=6, minute=30, duration=60, repeat_set="1,2,3,4,5"
    )
    sim.add_schedule(patio.device_id, hour=19, minute=0, duration=90)

    garden = sim.add_device(
        DEMO_EMAIL,
        name="Garden Mister",
        water_level=0,
        temperature=22.0,
        humidity=63,
        rssi=-71,
    )
    sim.add_schedule(garden.device_id, hour=20, minute=0, duration=45, status=0)

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
