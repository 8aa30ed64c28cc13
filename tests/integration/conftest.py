"""Fixtures of the Home Assistant integration tests.

The simulator, the entry and the helpers come from ``tests/conftest.py`` and
``tests/common.py``; the names are re-exported for tests that import them from here.
"""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from tests.common import (
    EMAIL,
    FROZEN_NOW,
    GARDEN_ID,
    PASSWORD,
    PATIO_ID,
    Cloud,
    advance,
    auto_enable_custom_integrations,
    entity_id_of,
    make_entry,
)

# Re-exported for the tests that import them from here; the autouse fixture
# is imported so that it applies to this suite.
__all__ = [
    "EMAIL",
    "FROZEN_NOW",
    "GARDEN_ID",
    "PASSWORD",
    "PATIO_ID",
    "Cloud",
    "advance",
    "auto_enable_custom_integrations",
    "entity_id_of",
    "make_entry",
]


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Serialise HA objects (states, registry entries) stably, as HA core does."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
