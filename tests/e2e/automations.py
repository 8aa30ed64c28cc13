"""Automations, blueprints and a Moogo entry in the real Home Assistant of the e2e tests.

Every Home Assistant the stack starts includes ``automations.yaml`` (the file
the automation editor writes to) and has this repository's Moogo blueprints
in place, as the demo does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from moogo_devstack import stack
from moogo_sim import DEMO_EMAIL, DEMO_PASSWORD

from .conftest import RealHome, eventually

REPO_ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = stack.BLUEPRINTS_DIR


async def add_moogo(real_home: RealHome) -> str:
    """Add the demo account through the config flow; wait for its entities."""
    api = real_home.api
    flow = await api.start_flow("moogo")
    created = await api.submit_flow(
        flow["flow_id"],
        {
            "email": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
            "advanced": {"api_url": real_home.sim.url},
        },
    )
    assert created["type"] == "create_entry"
    await eventually(
        api.states,
        lambda states: (
            states.get("switch.patio_mister_spray", {}).get("state") in ("on", "off")
        ),
        what="the Moogo entities",
    )
    entry_id: str = created["result"]["entry_id"]
    return entry_id


async def device_id_of(real_home: RealHome, entity_id: str) -> str:
    """Home Assistant's device id of an entity's device."""
    answer = await real_home.api.request(
        "POST",
        "/api/template",
        json={"template": f"{{{{ device_id('{entity_id}') }}}}"},
    )
    device_id = str(answer).strip()
    assert device_id not in ("", "None"), entity_id
    return device_id


async def save_automation(
    real_home: RealHome, automation_id: str, config: dict[str, Any]
) -> None:
    """Save an automation as the editor does; Home Assistant reloads them."""
    result = await real_home.api.request(
        "POST", f"/api/config/automation/config/{automation_id}", json=config
    )
    assert result == {"result": "ok"}, result
