"""Fixtures of the Home Assistant integration tests.

The simulator, the entry and the helpers come from ``tests/conftest.py`` and
``tests/common.py``; this file adds only what HA's own test plugin provides.
"""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from tests.common import auto_enable_custom_integrations

# Imported so that the autouse fixture applies to this suite.
__all__ = ["auto_enable_custom_integrations"]


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Serialise HA objects (states, registry entries) stably, as HA core does."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
