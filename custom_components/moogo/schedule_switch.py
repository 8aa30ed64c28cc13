"""A configuration switch per schedule, added and removed as schedules come and go."""

from __future__ import annotations

from typing import override

from homeassistant.components.switch import (
    DOMAIN as SWITCH_DOMAIN,
    SwitchEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Schedule
from .const import WEEKDAYS
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .entity import MoogoSwitchEntityBase
from .helpers import moogo_command
from .words import Words

#: The translation keys a schedule's switch is named by.
SCHEDULE_NAME_KEYS = frozenset({"schedule_once", "schedule_every_day", "schedule_days"})

# Monday first, as the days read in a name ("Mon-Fri"); API numbers, 0 = Sunday.
_WEEK_FROM_MONDAY = (1, 2, 3, 4, 5, 6, 0)


def schedule_key(schedule_id: str) -> str:
    """Return the entity key (and unique id suffix) of a schedule's switch."""
    return f"schedule_{schedule_id}"


def days_text(days: tuple[int, ...], names: tuple[str, ...]) -> str:
    """Name the weekdays shortly: runs of three or more as a range ("Mon-Fri").

    ``names`` are the short names in the API's order (0 = Sunday).
    """
    ordered = [day for day in _WEEK_FROM_MONDAY if day in days]
    positions = [_WEEK_FROM_MONDAY.index(day) for day in ordered]
    parts: list[str] = []
    start = 0
    for index in range(1, len(ordered) + 1):
        if index < len(ordered) and positions[index] == positions[index - 1] + 1:
            continue
        run = ordered[start:index]
        if len(run) >= 3:
            parts.append(f"{names[run[0]]}-{names[run[-1]]}")
        else:
            parts.extend(names[day] for day in run)
        start = index
    return ", ".join(parts)


def schedule_name(schedule: Schedule, words: Words) -> tuple[str, dict[str, str]]:
    """Return the translation key and placeholders naming a schedule.

    By time and days (in ``words``' language); the time is the device's own
    (its time zone), as the app shows it.
    """
    time = f"{schedule.hour or 0:02d}:{schedule.minute or 0:02d}"
    days = tuple(day for day in schedule.repeat_days if 0 <= day <= 6)
    if not days:
        return "schedule_once", {"time": time}
    if len(set(days)) == len(WEEKDAYS):
        return "schedule_every_day", {"time": time}
    return "schedule_days", {"time": time, "days": days_text(days, words.weekdays)}


def _schedule_ids(coordinator: MoogoCoordinator) -> dict[str, set[str] | None]:
    """Schedule ids per device; None where the schedules are not known yet."""
    if not coordinator.data:
        return {}
    return {
        device_id: None
        if item.schedules is None
        else {
            schedule.schedule_id
            for schedule in item.schedules
            if schedule.schedule_id is not None
        }
        for device_id, item in coordinator.data.devices.items()
    }


@callback
def async_add_schedule_switches(
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    words: Words,
) -> None:
    """Keep one switch per schedule: add new ones, remove deleted ones' entities."""
    coordinator = entry.runtime_data
    hass = coordinator.hass
    added: set[tuple[str, str]] = set()
    seen: dict[str, set[str] | None] | None = None

    @callback
    def _sync() -> None:
        nonlocal seen
        current = _schedule_ids(coordinator)
        if current == seen:
            return
        seen = current
        new = [
            (device_id, schedule_id)
            for device_id, ids in sorted(current.items())
            for schedule_id in sorted(ids or ())
            if (device_id, schedule_id) not in added
        ]
        added.update(new)
        async_add_entities(
            MoogoScheduleSwitchEntity(coordinator, device_id, schedule_id, words)
            for device_id, schedule_id in new
        )
        _remove_deleted(current)

    @callback
    def _remove_deleted(current: dict[str, set[str] | None]) -> None:
        # The registry is read too, so schedules deleted while Home Assistant
        # was not running lose their entities as well.
        registry = er.async_get(hass)
        for registry_entry in er.async_entries_for_config_entry(
            registry, entry.entry_id
        ):
            if registry_entry.domain != SWITCH_DOMAIN:
                continue
            for device_id, ids in current.items():
                prefix = f"{device_id}_{schedule_key('')}"
                if ids is None or not registry_entry.unique_id.startswith(prefix):
                    continue
                schedule_id = registry_entry.unique_id.removeprefix(prefix)
                if schedule_id not in ids:
                    added.discard((device_id, schedule_id))
                    registry.async_remove(registry_entry.entity_id)

    _sync()
    entry.async_on_unload(coordinator.async_add_listener(_sync))


class MoogoScheduleSwitchEntity(MoogoSwitchEntityBase):
    """Turns one schedule on or off; named by its time and days."""

    def __init__(
        self,
        coordinator: MoogoCoordinator,
        device_id: str,
        schedule_id: str,
        words: Words,
    ) -> None:
        """Bind the switch to one schedule of a device, named in ``words``."""
        super().__init__(
            coordinator,
            device_id,
            SwitchEntityDescription(
                key=schedule_key(schedule_id), entity_category=EntityCategory.CONFIG
            ),
        )
        self.schedule_id = schedule_id
        self._words = words
        self._name_schedule()

    def _schedule(self) -> Schedule | None:
        for schedule in self.device_data.schedules or ():
            if schedule.schedule_id == self.schedule_id:
                return schedule
        return None

    def _name_schedule(self) -> None:
        """Follow the schedule's time and days (edited in the app, for example)."""
        if (schedule := self._schedule()) is None:
            return
        key, placeholders = schedule_name(schedule, self._words)
        if (key, placeholders) == (
            getattr(self, "_attr_translation_key", None),
            getattr(self, "_attr_translation_placeholders", None),
        ):
            return
        self._attr_translation_key = key
        self._attr_translation_placeholders = placeholders
        # Home Assistant caches the name (and its key) and only clears them when
        # _attr_name changes.
        for cached in ("name", "_name_translation_key"):
            self.__dict__.pop(cached, None)

    @property
    @override
    def available(self) -> bool:
        """Unavailable once the schedule is gone (until the entity is removed)."""
        return super().available and self._schedule() is not None

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        if self.device_id in self.coordinator.data.devices:
            self._name_schedule()
        super()._handle_coordinator_update()

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the schedule is enabled."""
        schedule = self._schedule()
        return schedule.enabled if schedule else None

    @override
    @moogo_command
    async def _async_set(self, on: bool) -> None:
        client = self.coordinator.client
        if on:
            await client.enable_schedule(self.device_id, self.schedule_id)
        else:
            await client.disable_schedule(self.device_id, self.schedule_id)
        await self.coordinator.async_refresh_slow_data(self.device_id)
