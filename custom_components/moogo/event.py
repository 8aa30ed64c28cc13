"""The app's messages as events: on the device a message names, else on the account."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import MessageBox
from .const import DOMAIN
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .entity import MoogoEntity, add_device_entities
from .messages import MessageReader, NewMessage

# Read-only platform: the message reader does the I/O, in its own rounds.
PARALLEL_UPDATES = 0

#: The event type of a message: the list of the app's message centre it is in.
EVENT_TYPE_OF_BOX = {
    MessageBox.NOTICES: "notice",
    MessageBox.LOG: "log",
    MessageBox.MESSAGES: "message",
}
EVENT_TYPES = list(EVENT_TYPE_OF_BOX.values())

DEVICE_MESSAGES = EventEntityDescription(
    key="messages", translation_key="messages", event_types=EVENT_TYPES
)
ACCOUNT_MESSAGES = EventEntityDescription(
    key="account_messages", translation_key="account_messages", event_types=EVENT_TYPES
)


def account_device_id(coordinator: MoogoCoordinator) -> str:
    """Return the identifier of the account's own device (a service)."""
    return f"account_{coordinator.config_entry.unique_id}"


def _attributes(new: NewMessage) -> dict[str, Any]:
    message = new.message
    return {
        "title": message.title,
        "content": message.content,
        "created_at": message.created_at.isoformat() if message.created_at else None,
        "device_name": message.device_name,
        "message_id": message.message_id,
        "type": message.kind,
    }


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Start reading the messages; add an event entity per device and one for the account."""
    coordinator = entry.runtime_data
    reader = MessageReader(
        hass, entry, coordinator.client, lambda: coordinator.data.devices
    )
    await reader.async_load()
    entry.async_on_unload(reader.async_start())
    async_add_entities([MoogoAccountMessagesEntity(coordinator, reader)])
    add_device_entities(
        entry,
        async_add_entities,
        lambda coordinator, device_id, description: MoogoMessagesEntity(
            coordinator, device_id, description, reader
        ),
        (DEVICE_MESSAGES,),
    )


class _MessagesEventEntity(EventEntity):
    """Fires the reader's new messages that ``_takes`` picks."""

    _reader: MessageReader

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(self._reader.async_add_listener(self._message))

    @abstractmethod
    def _takes(self, new: NewMessage) -> bool:
        """Whether the message is this entity's."""

    @callback
    def _message(self, new: NewMessage) -> None:
        if self._takes(new):
            self._trigger_event(EVENT_TYPE_OF_BOX[new.box], _attributes(new))
            self.async_write_ha_state()


class MoogoMessagesEntity(MoogoEntity, _MessagesEventEntity):
    """The messages that name one device."""

    def __init__(
        self,
        coordinator: MoogoCoordinator,
        device_id: str,
        description: EventEntityDescription,
        reader: MessageReader,
    ) -> None:
        """Listen to ``reader`` for the device's messages."""
        super().__init__(coordinator, device_id, description)
        self._reader = reader

    @property
    @override
    def available(self) -> bool:
        """Available while the account answers: "Device offline" is news too."""
        return self.device_listed

    @override
    def _takes(self, new: NewMessage) -> bool:
        return new.device_id == self.device_id


class MoogoAccountMessagesEntity(_MessagesEventEntity):
    """The account's messages that name no device of it (sharing, the cloud's own)."""

    _attr_has_entity_name = True
    entity_description = ACCOUNT_MESSAGES

    def __init__(self, coordinator: MoogoCoordinator, reader: MessageReader) -> None:
        """Listen to ``reader`` for messages of no device."""
        entry = coordinator.config_entry
        self._reader = reader
        self._attr_unique_id = f"{entry.unique_id}_{ACCOUNT_MESSAGES.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, account_device_id(coordinator))},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="Moogo",
            model="Moogo account",
            name=entry.title,
        )

    @override
    def _takes(self, new: NewMessage) -> bool:
        return new.device_id is None
