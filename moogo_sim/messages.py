"""The account's message centre, as the app reads it: messages, notices, a log.

The app reads three paged lists, ``GET v1/users/{userId}/messages``,
``.../messages/notice`` and ``.../messages/log``, and an unread count. The
evidence names the lists and the fields of a message, not which message goes
in which list nor the ``type`` codes; the simulator's reading, one list per
message:

* ``notice``: what needs the owner at the device (the app's notices "Device
  Monitoring No Water Inflow" and "Concentrate is running low");
* ``log``: what happened to a device (it went offline);
* ``messages``: everything else (a firmware offer, the admin's own).

Reading never marks a message read: only the app's read call would, whose
path the evidence does not give, so the simulator serves none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
import itertools
from typing import Any, Final, Literal

from .state import wire_epoch

type MessageBox = Literal["messages", "notice", "log"]
MESSAGE_BOXES: Final[tuple[MessageBox, ...]] = ("messages", "notice", "log")


class MessageType(IntEnum):
    """The simulator's ``type`` codes; the real cloud's are not known."""

    SYSTEM = 0
    FIRMWARE_OFFER = 1
    DEVICE_OFFLINE = 2
    NO_WATER_INFLOW = 3
    CONCENTRATE_LOW = 4


#: What each kind of event says, and the list it goes to.
_WORDING: Final[dict[MessageType, tuple[MessageBox, str, str]]] = {
    MessageType.NO_WATER_INFLOW: (
        "notice",
        "Device Monitoring No Water Inflow",
        (
            "{name} gets no water. Check that the tap is open, that no joint is "
            "loose or leaking and that the filter in the hose adapter is clean."
        ),
    ),
    MessageType.CONCENTRATE_LOW: (
        "notice",
        "Concentrate is running low",
        (
            "{name} is out of concentrate. Refill the tank; for another "
            "concentrate, clean the tank and set its mix ratio."
        ),
    ),
    MessageType.DEVICE_OFFLINE: (
        "log",
        "Device offline",
        "{name} is offline. Check its power supply and its Wi-Fi.",
    ),
    MessageType.FIRMWARE_OFFER: (
        "messages",
        "New firmware available",
        "Firmware {version} is available for {name}.",
    ),
}


@dataclass
class SimMessage:
    """One message of an account; ``to_api`` renders it as the lists send it."""

    message_id: int
    box: MessageBox
    type: int
    title: str
    content: str
    created_at: float
    device_name: str | None = None
    #: What the message is about; the simulator puts the device id here.
    target_id: str | None = None
    is_read: bool = False
    # Sharing invitations carry these; no event of the simulator does.
    from_email: str | None = None
    from_nickname: str | None = None
    to_email: str | None = None
    invite_status: int | None = None
    #: Keys forced into the rendering (tolerance tests: odd createdAt, isRead).
    overrides: dict[str, Any] = field(default_factory=dict)
    #: Keys dropped from the rendering (tolerance tests).
    missing_fields: set[str] = field(default_factory=set)

    def to_api(self, *, in_ms: bool = False) -> dict[str, Any]:
        """Render the message as an item of the lists (``isRead`` 0/1, as the app's int)."""
        payload: dict[str, Any] = {
            "id": self.message_id,
            "type": self.type,
            "title": self.title,
            "content": self.content,
            "deviceName": self.device_name,
            "createdAt": wire_epoch(self.created_at, in_ms=in_ms),
            "isRead": int(self.is_read),
            "targetId": self.target_id,
            "fromEmail": self.from_email,
            "fromNickname": self.from_nickname,
            "toEmail": self.to_email,
            "inviteStatus": self.invite_status,
            **self.overrides,
        }
        for key in self.missing_fields:
            payload.pop(key, None)
        return payload

    def to_admin(self) -> dict[str, Any]:
        """Render the message for the admin state: its list beside its fields."""
        return {"box": self.box, **self.to_api()}


class MessageCentre:
    """Every account's messages, by user id; ids are unique across accounts."""

    def __init__(self) -> None:
        """Start empty."""
        self._by_user: dict[str, list[SimMessage]] = {}
        self._ids = itertools.count(1)

    def add(
        self,
        user_id: str,
        *,
        box: MessageBox,
        message_type: int,
        title: str,
        content: str,
        created_at: float,
        **details: Any,
    ) -> SimMessage:
        """File a message for ``user_id``; ``details`` are further SimMessage fields."""
        if box not in MESSAGE_BOXES:
            raise ValueError(f"no message list {box!r}")
        message = SimMessage(
            next(self._ids), box, message_type, title, content, created_at, **details
        )
        self._by_user.setdefault(user_id, []).append(message)
        return message

    def add_event(
        self,
        user_id: str,
        event: MessageType,
        *,
        device_id: str,
        device_name: str,
        at: float,
        **words: str,
    ) -> SimMessage:
        """File the message an event of a device produces (see ``_WORDING``)."""
        box, title, content = _WORDING[event]
        return self.add(
            user_id,
            box=box,
            message_type=event,
            title=title,
            content=content.format(name=device_name, **words),
            created_at=at,
            device_name=device_name,
            target_id=device_id,
        )

    def of(self, user_id: str, box: MessageBox | None = None) -> list[SimMessage]:
        """Return a user's messages (of one list, or all), newest first."""
        return sorted(
            (
                message
                for message in self._by_user.get(user_id, [])
                if box is None or message.box == box
            ),
            key=lambda message: (message.created_at, message.message_id),
            reverse=True,
        )

    def unread_count(self, user_id: str) -> int:
        """Count a user's unread messages over every list (the app's badge)."""
        return sum(not message.is_read for message in self.of(user_id))

    def mark_read(self, user_id: str, message_ids: Iterable[int] | None = None) -> int:
        """Mark messages read, as the user does in the app; return how many changed."""
        wanted = None if message_ids is None else set(message_ids)
        changed = 0
        for message in self.of(user_id):
            if not message.is_read and (wanted is None or message.message_id in wanted):
                message.is_read = True
                changed += 1
        return changed
