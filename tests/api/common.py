"""Helpers shared by the client tests."""

from __future__ import annotations

from dataclasses import dataclass

from moogo_sim import MoogoSimulator

LOGIN_ROUTE = "POST /v1/user/login"
DEVICES_ROUTE = "GET /v1/devices"


def logins(sim: MoogoSimulator) -> int:
    """Return how many login requests the simulator has answered."""
    return sim.request_counts.get(LOGIN_ROUTE, 0)


@dataclass
class FakeClock:
    """A settable clock for the simulator, so spray timing needs no sleeping."""

    now: float = 1_795_521_600.0  # 2026-11-24 12:00 UTC

    def __call__(self) -> float:
        """Return the current fake Unix time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds
