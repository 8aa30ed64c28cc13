"""In the browser: the demo's week of misting history, and an app message in an automation.

The history is the spray record the demo seeds, imported into Home
Assistant's statistics and drawn by a statistics-graph card as the README
shows it. A notice the simulated cloud files (the patio's water runs out)
fires the patio's Messages event, and an automation turns it into a
notification. With MOOGO_UPDATE_SCREENSHOT=1 the screenshots also go to
``docs/images/``.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect
import pytest

from .automations import add_moogo, save_automation
from .conftest import RealHome, eventually, moogo_errors
from .test_browser import browser_page, frontend_ready, log_in, publish, shot, started

pytestmark = pytest.mark.timeout(600)

HISTORY_PATH = "moogo-history"
PATIO_MESSAGES = "event.patio_mister_messages"
NOTICE_ROUTE = "GET /v1/users/{user_id}/messages/notice"


async def _statistic_ids(real_home: RealHome) -> set[str]:
    listed: list[dict[str, Any]] = await real_home.api.websocket_command(
        {"type": "recorder/list_statistic_ids", "statistic_type": "sum"}
    )
    return {item["statistic_id"] for item in listed}


async def _value[T](value: T) -> T:
    return value


async def test_history_card_and_an_automation_fired_by_a_message(
    real_home: RealHome,
) -> None:
    """A week of misting per day in a card; a water notice becomes a notification."""
    api, sim = real_home.api, real_home.sim
    await started(real_home)
    await frontend_ready(real_home)
    entry_id = await add_moogo(real_home)
    patio = next(device for device in sim.devices if device.name == "Patio Mister")
    garden = next(device for device in sim.devices if device.name == "Garden Mister")
    statistics = [
        f"moogo:{device.device_id.lower()}_misting_time" for device in (patio, garden)
    ]
    # The backfill reads one device every 2 minutes, the first 2 minutes
    # after setup.
    await eventually(
        lambda: _statistic_ids(real_home),
        lambda ids: set(statistics) <= ids,
        within=480,
        what="the demo's misting history in the statistics",
    )
    await api.websocket_command(
        {
            "type": "lovelace/dashboards/create",
            "url_path": HISTORY_PATH,
            "title": "Misting",
            "icon": "mdi:chart-bar",
        }
    )
    card = {
        "type": "statistics-graph",
        "title": "Misting time per day",
        "chart_type": "bar",
        "period": "day",
        "days_to_show": 10,
        "stat_types": ["change"],
        "entities": statistics,
    }
    await api.websocket_command(
        {
            "type": "lovelace/config/save",
            "url_path": HISTORY_PATH,
            "config": {"views": [{"title": "Misting", "cards": [card]}]},
        }
    )

    # The app's messages: the first round (a minute after setup) finds the
    # demo's own as old news.
    await eventually(
        lambda: _value(sim.request_counts.get(NOTICE_ROUTE, 0)),
        lambda count: count >= 1,
        within=120,
        what="the first round of messages",
    )
    await save_automation(
        real_home,
        "moogo_message",
        {
            "alias": "Moogo message to a notification",
            "triggers": [{"trigger": "state", "entity_id": PATIO_MESSAGES}],
            "conditions": [
                {
                    "condition": "template",
                    "value_template": (
                        "{{ trigger.to_state.attributes.event_type == 'notice' }}"
                    ),
                }
            ],
            "actions": [
                {
                    "action": "persistent_notification.create",
                    "data": {
                        "title": "{{ trigger.to_state.attributes.title }}",
                        "message": "{{ trigger.to_state.attributes.content }}",
                    },
                }
            ],
        },
    )
    await eventually(
        api.states,
        lambda s: (
            s.get("automation.moogo_message_to_a_notification", {}).get("state") == "on"
        ),
        what="the message automation",
    )
    assert (await api.states())[PATIO_MESSAGES]["state"] == "unknown"
    # The patio's water runs out: the cloud files its notice. A reload makes
    # the next round come a minute later instead of a quarter of an hour.
    sim.set_tank_level(patio.device_id, "water", 0)
    await api.request("POST", f"/api/config/config_entries/entry/{entry_id}/reload")
    states = await eventually(
        api.states,
        lambda s: s.get(PATIO_MESSAGES, {}).get("state") not in (None, "unknown"),
        within=150,
        what="the patio's notice as an event",
    )
    assert states[PATIO_MESSAGES]["attributes"]["event_type"] == "notice"
    title = states[PATIO_MESSAGES]["attributes"]["title"]
    notifications = await eventually(
        lambda: api.websocket_command({"type": "persistent_notification/get"}),
        lambda items: any(item["title"] == title for item in items),
        what="the notification of the automation",
    )
    assert any(item["title"] == title for item in notifications)

    async with browser_page() as page:
        await log_in(page, real_home)
        await page.goto(f"{real_home.hass.url}/{HISTORY_PATH}/0")
        graph = page.locator("hui-statistics-graph-card")
        await expect(graph).to_contain_text("Misting time per day")
        await expect(graph.locator("ha-chart-base")).to_be_visible(timeout=20_000)
        # The chart draws its bars after its data arrives.
        await page.wait_for_timeout(2_000)
        publish(await shot(page, "60-misting-history"), "misting-history.png")

        await page.get_by_role("button", name=re.compile("Notifications")).click()
        await expect(page.get_by_text(title).first).to_be_visible()
        publish(await shot(page, "61-message-notification"), "message-automation.png")
    assert moogo_errors(real_home.log_text()) == []
