"""The app's message centre, read a few times an hour: what is new becomes an event.

The cloud locks noisy accounts, so the three lists are read in rounds, at
least a quarter of an hour apart, and a round waits until it fits the hour's
budget: at most 12 requests in any hour. A round is reckoned to cost a page
more than the last one, so a list that grows by up to a page (20 messages)
between rounds stays within it; a list too long for the budget is read once
an hour. The first round comes a while after setup, not with the
start-up reads. Messages are
never marked read: the app still shows them as new.

What was seen is kept in Home Assistant's storage: messages that existed
before setup, or were already announced, are never announced again, also
after a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import Message, MessageBox, MoogoClient, MoogoError
from .api.const import MESSAGE_PAGE_SIZES
from .const import DOMAIN, LOGGER
from .data import MoogoDeviceData

STORAGE_VERSION = 1
# Requests for messages in any hour, at most.
HOURLY_BUDGET = 12
# Rounds are at least this far apart.
ROUND_INTERVAL = timedelta(minutes=15)
_HOUR = timedelta(hours=1)
# The first round, after the start-up reads have settled.
FIRST_ROUND_DELAY = timedelta(minutes=1)
# Seen ids kept per list beyond those the list still holds (a list that once
# came back empty must not make old messages new again).
SEEN_LIMIT = 1000
# The lists in the order a round reads them.
BOXES = (MessageBox.NOTICES, MessageBox.LOG, MessageBox.MESSAGES)


def storage_key(entry_id: str) -> str:
    """Return the storage key of one entry's seen messages."""
    return f"{DOMAIN}.messages.{entry_id}"


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message not seen before, and the device it names (None: the account's)."""

    box: MessageBox
    message: Message
    device_id: str | None


type MessageListener = Callable[[NewMessage], None]


def _key(message: Message) -> str:
    """Tell messages apart: by id, else by title and time."""
    if message.message_id:
        return message.message_id
    created = message.created_at.isoformat() if message.created_at else ""
    return f"{message.title or ''}|{created}"


def _requests(count: int, box: MessageBox) -> int:
    """Count the requests a list of ``count`` items took: its pages and a short last one."""
    return count // MESSAGE_PAGE_SIZES[box] + 1


class MessageReader:
    """Reads one account's message centre in rounds and announces what is new."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: MoogoClient,
        devices: Callable[[], Mapping[str, MoogoDeviceData]],
    ) -> None:
        """Read the messages of ``entry``'s account; ``devices`` names its devices."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._devices = devices
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id)
        )
        #: Seen keys per list; a list absent here has not been read yet, so
        #: what it holds at its first read is old.
        self._seen: dict[MessageBox, list[str]] = {}
        self._listeners: list[MessageListener] = []
        self._timer: CALLBACK_TYPE | None = None
        self._closed = False
        #: When each round of the last hour began, and its requests.
        self._rounds: list[tuple[datetime, int]] = []

    async def async_load(self) -> None:
        """Read what was seen before; what cannot be read counts as never read."""
        stored = await self._store.async_load()
        seen = stored.get("seen") if isinstance(stored, Mapping) else None
        if not isinstance(seen, Mapping):
            return
        for box in BOXES:
            keys = seen.get(box.value)
            if isinstance(keys, list) and all(isinstance(key, str) for key in keys):
                self._seen[box] = keys

    @callback
    def async_add_listener(self, listener: MessageListener) -> CALLBACK_TYPE:
        """Call ``listener`` with each new message."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Begin the rounds; the returned callback ends them (on unload)."""
        self._schedule(FIRST_ROUND_DELAY)

        @callback
        def _stop() -> None:
            self._closed = True
            if self._timer is not None:
                self._timer()
                self._timer = None

        return _stop

    def _schedule(self, delay: timedelta) -> None:
        if self._closed:
            return

        @callback
        def _due(_now: datetime) -> None:
            self._timer = None
            self._entry.async_create_background_task(
                self._hass, self._async_round(), "moogo messages"
            )

        self._timer = async_call_later(self._hass, delay.total_seconds(), _due)

    async def _async_round(self) -> None:
        """Read every list once, announce what is new, and time the next round."""
        started = dt_util.utcnow()
        requests = 0
        for box in BOXES:
            try:
                messages = await self._client.get_messages(box)
            except MoogoError as err:
                # Account-wide trouble shows in the poll; a list the cloud
                # refuses leaves the others working.
                LOGGER.debug("Reading the Moogo %s list failed: %s", box, err)
                requests += 1
                continue
            requests += _requests(len(messages), box)
            self._take(box, messages)
        await self._store.async_save(
            {"seen": {box.value: keys for box, keys in self._seen.items()}}
        )
        self._rounds.append((started, requests))
        # The next round may find a list a page longer.
        self._schedule(self._wait(started, requests + 1))

    def _wait(self, now: datetime, cost: int) -> timedelta:
        """Return how long until a round costing ``cost`` fits the hour's budget."""
        self._rounds = [(at, spent) for at, spent in self._rounds if at > now - _HOUR]
        start = now + ROUND_INTERVAL
        for at, _spent in self._rounds:
            spent = sum(count for when, count in self._rounds if when > start - _HOUR)
            if spent + cost <= HOURLY_BUDGET:
                break
            # Wait until this round has left the hour.
            start = max(start, at + _HOUR)
        return start - now

    def _take(self, box: MessageBox, messages: list[Message]) -> None:
        """Announce the messages of ``box`` not seen before; remember them all."""
        current = [_key(message) for message in messages]
        if box in self._seen:
            seen = set(self._seen[box])
            new = [message for message in messages if _key(message) not in seen]
            # Oldest first, as they happened; those without a time last.
            new.sort(
                key=lambda message: (
                    message.created_at is None,
                    message.created_at.timestamp() if message.created_at else 0.0,
                )
            )
            for message in new:
                self._announce(NewMessage(box, message, self._device_of(message)))
        kept = set(current)
        older = [key for key in self._seen.get(box, []) if key not in kept]
        self._seen[box] = older[-SEEN_LIMIT:] + current

    def _device_of(self, message: Message) -> str | None:
        """Return the device the message names, when exactly one has that name."""
        if not message.device_name:
            return None
        named = [
            device_id
            for device_id, item in self._devices().items()
            if item.device.name == message.device_name
        ]
        return named[0] if len(named) == 1 else None

    def _announce(self, new: NewMessage) -> None:
        for listener in list(self._listeners):
            listener(new)


async def async_forget_messages(hass: HomeAssistant, entry_id: str) -> None:
    """Forget which messages an entry saw: the entry is removed."""
    await Store[dict[str, Any]](
        hass, STORAGE_VERSION, storage_key(entry_id)
    ).async_remove()
