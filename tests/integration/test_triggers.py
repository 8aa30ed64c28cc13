"""Moogo automation triggers and conditions, in automations of a test Home Assistant.

The devices change behind Home Assistant's back (in the simulator, as the
phone app or the device itself would), then the coordinator refreshes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import (
    area_registry as ar,
    condition as condition_helper,
    device_registry as dr,
    trigger as trigger_helper,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
import yaml

from custom_components.moogo.condition import CONDITIONS
from custom_components.moogo.const import DOMAIN
from custom_components.moogo.trigger import TRIGGERS
from tests.common import GARDEN_ID, PATIO_ID, Cloud, entity_id_of


def _device(hass: HomeAssistant, moogo_id: str) -> str:
    (device,) = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, moogo_id)})
    return device.id


def _automation(alias: str, trigger: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An automation that records which automation ran, for which device."""
    return {
        "alias": alias,
        "triggers": [trigger],
        **extra,
        "actions": [
            {
                "action": "test.record",
                "data": {
                    "alias": alias,
                    "device_id": "{{ trigger.device_id | default('') }}",
                },
            }
        ],
    }


async def _setup_automations(
    hass: HomeAssistant, automations: list[dict[str, Any]]
) -> list[ServiceCall]:
    calls = async_mock_service(hass, "test", "record")
    assert await async_setup_component(hass, "automation", {"automation": automations})
    await hass.async_block_till_done()
    return calls


async def _refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()


def _ran(calls: list[ServiceCall]) -> list[tuple[str, str]]:
    return [(call.data["alias"], call.data["device_id"]) for call in calls]


async def test_every_trigger_fires_for_its_device_only(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """Each trigger fires once, when its fact changes on the targeted device."""
    patio = _device(hass, PATIO_ID)
    target = {"device_id": patio}
    calls = await _setup_automations(
        hass,
        [
            _automation(key, {"trigger": f"moogo.{key}", "target": target})
            for key in TRIGGERS
        ],
    )
    sim = cloud.sim
    device = sim.device(PATIO_ID)

    device.start_spraying(sim.now(), 0)
    await _refresh(hass, init_integration)
    assert _ran(calls) == [("started_misting", patio)]
    # Nothing changed: nothing fires again.
    await _refresh(hass, init_integration)
    assert len(calls) == 1

    # The tanks run dry during the mist; its end is when HA reads them.
    device.water_level = 0
    device.liquid_level = 0
    device.stop_spraying(sim.now(), 0)
    await _refresh(hass, init_integration)
    assert sorted(_ran(calls)[1:]) == [
        ("concentrate_tank_empty", patio),
        ("stopped_misting", patio),
        ("water_tank_empty", patio),
    ]

    sim.set_online(PATIO_ID, False)
    await _refresh(hass, init_integration)
    assert _ran(calls)[4:] == [("went_offline", patio)]

    sim.set_online(PATIO_ID, True)
    device.water_level = 1
    await _refresh(hass, init_integration)
    assert _ran(calls)[5:] == [("water_tank_refilled", patio)]

    # The garden was not targeted: its changes fire nothing.
    garden = sim.device(GARDEN_ID)
    garden.start_spraying(sim.now(), 0)
    sim.set_online(GARDEN_ID, False)
    await _refresh(hass, init_integration)
    assert len(calls) == 6


async def test_triggers_follow_an_area_target(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """An area target means the Moogo devices in that area, as they are now."""
    area = ar.async_get(hass).async_create("Back yard")
    calls = await _setup_automations(
        hass,
        [
            _automation(
                "yard",
                {"trigger": "moogo.started_misting", "target": {"area_id": area.id}},
            )
        ],
    )
    cloud.sim.device(PATIO_ID).start_spraying(cloud.sim.now(), 0)
    await _refresh(hass, init_integration)
    assert calls == []  # the patio is not in the yard

    dr.async_get(hass).async_update_device(_device(hass, GARDEN_ID), area_id=area.id)
    cloud.sim.device(GARDEN_ID).start_spraying(cloud.sim.now(), 0)
    await _refresh(hass, init_integration)
    assert _ran(calls) == [("yard", _device(hass, GARDEN_ID))]


@pytest.mark.parametrize(
    ("condition", "behavior", "expected"),
    [
        # Fixture: the garden's water tank is empty, the patio's is not.
        ("water_tank_is_empty", "any", True),
        ("water_tank_is_empty", "all", False),
        ("is_misting", "any", False),
        ("concentrate_tank_is_empty", "any", False),
    ],
)
async def test_conditions_read_the_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    condition: str,
    behavior: str,
    expected: bool,
) -> None:
    """A condition passes when any (or all) targeted devices pass."""
    target = {"device_id": [_device(hass, PATIO_ID), _device(hass, GARDEN_ID)]}
    calls = await _setup_automations(
        hass,
        [
            _automation(
                "checked",
                {"trigger": "event", "event_type": "moogo_test"},
                conditions=[
                    {
                        "condition": f"moogo.{condition}",
                        "target": target,
                        "options": {"behavior": behavior},
                    }
                ],
            )
        ],
    )
    hass.bus.async_fire("moogo_test")
    await hass.async_block_till_done()
    assert bool(calls) is expected


async def test_is_misting_follows_the_device(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """The condition reads the latest refresh: misting started in the app counts."""
    calls = await _setup_automations(
        hass,
        [
            _automation(
                "misting",
                {"trigger": "event", "event_type": "moogo_test"},
                conditions=[
                    {
                        "condition": "moogo.is_misting",
                        "target": {"device_id": _device(hass, PATIO_ID)},
                    }
                ],
            )
        ],
    )
    hass.bus.async_fire("moogo_test")
    await hass.async_block_till_done()
    assert calls == []

    cloud.sim.device(PATIO_ID).start_spraying(cloud.sim.now(), 0)
    await _refresh(hass, init_integration)
    hass.bus.async_fire("moogo_test")
    await hass.async_block_till_done()
    assert len(calls) == 1

    # Unloaded, the account's devices are unknown: the condition fails.
    await hass.config_entries.async_unload(init_integration.entry_id)
    hass.bus.async_fire("moogo_test")
    await hass.async_block_till_done()
    assert len(calls) == 1


def test_every_trigger_and_condition_is_described_and_translated() -> None:
    """triggers.yaml, conditions.yaml, strings.json and icons.json agree."""
    folder = Path(__file__).resolve().parents[2] / "custom_components" / "moogo"
    strings = json.loads((folder / "strings.json").read_text())
    icons = json.loads((folder / "icons.json").read_text())
    for kind, defined in (("triggers", TRIGGERS), ("conditions", CONDITIONS)):
        described = {
            key
            for key in yaml.safe_load((folder / f"{kind}.yaml").read_text())
            if not key.startswith(".")
        }
        assert described == set(defined) == set(strings[kind]) == set(icons[kind])
        for key in defined:
            assert strings[kind][key]["name"]
            assert strings[kind][key]["description"]


async def test_the_automation_editor_gets_their_descriptions(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Home Assistant loads triggers.yaml and conditions.yaml: targets are Moogo devices."""
    assert await async_setup_component(hass, "automation", {})
    triggers = await trigger_helper.async_get_all_descriptions(hass)
    conditions = await condition_helper.async_get_all_descriptions(hass)
    moogo_only = {
        "device": [{"integration": DOMAIN}],
        "entity": [{"integration": DOMAIN}],
    }
    for key in TRIGGERS:
        assert triggers[f"moogo.{key}"]["target"] == moogo_only
    for key in CONDITIONS:
        description = conditions[f"moogo.{key}"]
        assert description["target"] == moogo_only
        assert description["fields"]["behavior"]["default"] == "any"


async def test_condition_targets_by_entity_and_reports_changes(
    hass: HomeAssistant, cloud: Cloud, init_integration: MockConfigEntry
) -> None:
    """An entity of the device targets the device; a change is reported at once."""
    spray = entity_id_of(hass, "switch", PATIO_ID, "spray")
    config = await condition_helper.async_validate_condition_config(
        hass, {"condition": "moogo.is_misting", "target": {"entity_id": spray}}
    )
    checker = await condition_helper.async_from_config(hass, config)
    assert checker.needs_polling is False
    assert checker.async_check() is False
    changes: list[bool | None] = []
    stop = await checker.async_track_changes(
        lambda: changes.append(checker.async_check())
    )
    cloud.sim.device(PATIO_ID).start_spraying(cloud.sim.now(), 0)
    await _refresh(hass, init_integration)
    assert changes == [True]
    stop()
    checker.async_unload()


async def test_condition_without_moogo_devices_fails(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A target naming no Moogo device (an empty area) never passes."""
    area = ar.async_get(hass).async_create("Shed")
    config = await condition_helper.async_validate_condition_config(
        hass,
        {
            "condition": "moogo.water_tank_is_empty",
            "target": {"area_id": area.id},
            "options": {"behavior": "all"},
        },
    )
    checker = await condition_helper.async_from_config(hass, config)
    assert checker.async_check() is False
    checker.async_unload()
