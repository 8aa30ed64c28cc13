"""Run a real Home Assistant with this repository's integration against the simulator.

Used by ``scripts/develop`` (the demo) and by the end-to-end tests. Talks to
Home Assistant only through its public HTTP API, as a user's browser would.
"""

from .stack import HomeAssistantApi, HomeAssistantProcess, write_config

__all__ = ["HomeAssistantApi", "HomeAssistantProcess", "write_config"]
