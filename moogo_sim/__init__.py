"""A local, faithful simulator of the Moogo cloud API (aiohttp.web).

Used by the tests, the demo and the benchmarks; it is never shipped inside
``custom_components``. Start it in-process::

    async with MoogoSimulator.seeded_demo(reaction_delay=0) as sim:
        ...  # point a client at sim.url, log in as DEMO_EMAIL / DEMO_PASSWORD

or from a shell: ``python -m moogo_sim --port 8089``.
"""

from .demo import DEMO_APP_LIMITS, DEMO_EMAIL, DEMO_PAGE_SIZE_LIMIT, DEMO_PASSWORD
from .faults import FaultConfig
from .simulator import MoogoSimulator, SimulatorOptions
from .state import SimAccount, SimDevice, SimSchedule, SprayCommand, SprayRecord
from .wire import RecordedRequest

__all__ = [
    "DEMO_APP_LIMITS",
    "DEMO_EMAIL",
    "DEMO_PAGE_SIZE_LIMIT",
    "DEMO_PASSWORD",
    "FaultConfig",
    "MoogoSimulator",
    "RecordedRequest",
    "SimAccount",
    "SimDevice",
    "SimSchedule",
    "SimulatorOptions",
    "SprayCommand",
    "SprayRecord",
]
