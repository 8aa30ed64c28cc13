"""Buttons of Moogo devices."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import MistMode
from .const import DOMAIN
from .coordinator import MoogoConfigEntry
from .entity import MoogoEntity, add_device_entities
from .helpers import moogo_command
from .words import async_load_words

PARALLEL_UPDATES = 1

# The app's self-test mists about three minutes, then the device stops it.
SELF_TEST_SECONDS = 180


async def _skip_next(entity: MoogoButtonEntity) -> None:
    run = entity.device_data.next_mist()
    if run is None or run.schedule.schedule_id is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_upcoming_schedule"
        )
    if run.schedule.skip_next:
        # The cloud skips one run of a schedule at a time: the next mist shown
        # is already the one after the skipped run.
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="next_run_already_skipped",
            translation_placeholders={
                "next": (await async_load_words(entity.hass)).run(
                    run.start.astimezone(entity.device_data.time_zone)
                ),
            },
        )
    coordinator = entity.coordinator
    await coordinator.client.skip_schedule(entity.device_id, run.schedule.schedule_id)
    await coordinator.async_refresh_slow_data(entity.device_id)


async def _self_test(entity: MoogoButtonEntity) -> None:
    coordinator = entity.coordinator
    await coordinator.client.start_mist(entity.device_id, mode=MistMode.SELF_TEST)
    coordinator.commands.async_expect_misting(
        entity.device_id, True, seconds=SELF_TEST_SECONDS
    )


@dataclass(frozen=True, kw_only=True)
class MoogoButtonEntityDescription(ButtonEntityDescription):
    """What one button does."""

    press_fn: Callable[[MoogoButtonEntity], Coroutine[Any, Any, None]]


BUTTONS: tuple[MoogoButtonEntityDescription, ...] = (
    MoogoButtonEntityDescription(
        key="skip_next_mist", translation_key="skip_next_mist", press_fn=_skip_next
    ),
    MoogoButtonEntityDescription(
        key="self_test",
        translation_key="self_test",
        entity_category=EntityCategory.CONFIG,
        press_fn=_self_test,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add buttons for every device, now and as devices appear."""
    add_device_entities(entry, async_add_entities, MoogoButtonEntity, BUTTONS)


class MoogoButtonEntity(MoogoEntity, ButtonEntity):
    """A button of a device."""

    entity_description: MoogoButtonEntityDescription

    @moogo_command
    @override
    async def async_press(self) -> None:
        """Run the button's command."""
        await self.entity_description.press_fn(self)
