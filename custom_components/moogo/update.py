"""Firmware updates of Moogo devices."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later

from .api import MoogoError
from .const import DOMAIN, FIRMWARE_INSTALL_TIMEOUT, LOGGER
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .entity import MoogoEntity, add_device_entities
from .helpers import run_command

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MoogoUpdateEntityDescription(UpdateEntityDescription):
    """A firmware update of a device."""


UPDATES: tuple[MoogoUpdateEntityDescription, ...] = (
    MoogoUpdateEntityDescription(
        key="firmware",
        translation_key="firmware",
        device_class=UpdateDeviceClass.FIRMWARE,
        entity_category=EntityCategory.CONFIG,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Check the firmware once, then add an update entity for every device."""
    firmware = entry.runtime_data.firmware
    await firmware.async_first_check()

    def _check_new_devices() -> None:
        # A device added to the account is checked at once, not hours later.
        known = firmware.data or {}
        if entry.runtime_data.data and set(entry.runtime_data.data.devices) - set(
            known
        ):
            entry.async_create_background_task(
                hass, firmware.async_request_refresh(), "moogo firmware check"
            )

    entry.async_on_unload(
        entry.runtime_data.async_add_new_device_listener(
            lambda _new: _check_new_devices()
        )
    )
    add_device_entities(entry, async_add_entities, MoogoUpdateEntity, UPDATES)


class MoogoUpdateEntity(MoogoEntity, UpdateEntity):
    """The firmware of a device: installed from the device, latest from otaCheck."""

    entity_description: MoogoUpdateEntityDescription
    _attr_supported_features = UpdateEntityFeature.INSTALL

    def __init__(
        self,
        coordinator: MoogoCoordinator,
        device_id: str,
        description: MoogoUpdateEntityDescription,
    ) -> None:
        """Follow the device poll and the firmware checks."""
        super().__init__(coordinator, device_id, description)
        self._installing: str | None = None
        self._installed: asyncio.Future[None] | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Also listen to the firmware checks."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.firmware.async_add_listener(
                self._handle_coordinator_update
            )
        )

    @property
    @override
    def available(self) -> bool:
        """Stay available while installing: the device is offline on purpose."""
        if self._installing is not None:
            return self.device_listed
        return (
            super().available
            and self.device_id not in self.coordinator.firmware.failing
        )

    @override
    def _inputs(self) -> object:
        offer = (self.coordinator.firmware.data or {}).get(self.device_id)
        failing = self.device_id in self.coordinator.firmware.failing
        return (super()._inputs(), offer, failing, self._installing)

    @property
    @override
    def installed_version(self) -> str | None:
        """The firmware the device reports."""
        return self.device_data.device.firmware

    @property
    @override
    def latest_version(self) -> str | None:
        """The firmware otaCheck offers; unknown until the first check answered."""
        offers = self.coordinator.firmware.data or {}
        if (offer := offers.get(self.device_id)) is None:
            return None
        if offer.available and offer.version:
            return offer.version
        return self.installed_version

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """End an install once the device is back with the new firmware."""
        if (
            self._installing is not None
            and self._installed is not None
            and not self._installed.done()
            and self.device_id in self.coordinator.data.devices
            and self.device_data.available
            and self.installed_version == self._installing
        ):
            self._installed.set_result(None)
        super()._handle_coordinator_update()

    @override
    async def async_update(self) -> None:
        """Check this device's firmware now (homeassistant.update_entity).

        Home Assistant only logs what this raises, with a traceback; the
        firmware coordinator says once that the check fails, and the last
        offer stays.
        """
        try:
            await self.coordinator.firmware.async_check_device(self.device_id)
        except MoogoError as err:
            LOGGER.debug("Firmware check of %s failed: %s", self.device_id, err)

    @override
    async def async_install(
        self, version: str | None, backup: bool, **kwargs: Any
    ) -> None:
        """Start the install, then wait until the device reports the new firmware.

        Home Assistant shows the entity in progress for as long as this runs.
        """
        target = self.latest_version
        await run_command(
            self.coordinator,
            self.coordinator.client.update_firmware(self.device_id),
            self.device_id,
        )
        installed: asyncio.Future[None] = self.hass.loop.create_future()
        minutes = int(FIRMWARE_INSTALL_TIMEOUT.total_seconds() // 60)

        @callback
        def _timed_out(_now: datetime) -> None:
            if not installed.done():
                installed.set_exception(
                    HomeAssistantError(
                        translation_domain=DOMAIN,
                        translation_key="firmware_install_timeout",
                        translation_placeholders={
                            "version": target or "",
                            "minutes": str(minutes),
                        },
                    )
                )

        self._installing, self._installed = target, installed
        cancel_timeout = async_call_later(
            self.hass, FIRMWARE_INSTALL_TIMEOUT.total_seconds(), _timed_out
        )
        try:
            # The device may already be back (an instant install). Not the
            # debounced request: it may wait out another refresh's cool-down.
            await self.coordinator.async_refresh()
            await installed
        finally:
            cancel_timeout()
            self._installing = self._installed = None
        if self.device_entry is not None:
            dr.async_get(self.hass).async_update_device(
                self.device_entry.id, sw_version=target
            )
