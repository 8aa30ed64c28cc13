"""The simulated cloud's state: accounts, devices, faults and counters.

The request handlers (server, admin) and the demo data depend on this class
only; :class:`~moogo_sim.simulator.MoogoSimulator` adds the HTTP server.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable
import contextlib
from enum import Enum, auto
import logging
import time
from typing import Any, Final, Literal

from .auth import AuthService, normalize_email
from .faults import FaultConfig, FaultInjector
from .messages import MessageBox, MessageCentre, MessageType, SimMessage
from .protocol import ApiError
from .state import (
    CONFIG_FACTORY_DEFAULTS,
    EVERY_DAY,
    SimAccount,
    SimDevice,
    SimSchedule,
    SprayRecord,
)
from .wire import RecordedRequest

_LOGGER = logging.getLogger(__name__)


def _wall_clock() -> float:
    """Return ``time.time()``, looked up at call time.

    Looking it up on every call (instead of binding ``time.time`` as a
    default argument) lets freezegun / HA's ``freezer`` fixture drive the
    simulator's clock too.
    """
    return time.time()


type Tank = Literal["water", "concentrate"]
#: Each tank's level, as a SimDevice attribute.
TANK_LEVELS: Final[dict[Tank, str]] = {
    "water": "water_level",
    "concentrate": "liquid_level",
}

#: How many requests ``request_log`` keeps (the oldest go first).
REQUEST_LOG_SIZE: Final = 2000


class _Keep(Enum):
    """``configure()``'s "leave as it is", where None is a value of its own."""

    KEEP = auto()


class SimCloud:
    """Everything the Moogo cloud knows, evaluated lazily from ``clock``.

    There are no background timers: each request settles what changed since
    the last one, so nothing is left running between requests.
    """

    def __init__(
        self,
        *,
        reaction_delay: float = 3.0,
        clock: Callable[[], float] = _wall_clock,
        token_ttl: int = 31536000,
        lockout_after: int = 5,
        lockout_seconds: int = 86400,
        firmware_install_seconds: float = 0.0,
        page_size_limit: int | None = None,
        config_writes_replace: bool = False,
        app_limits: bool = False,
    ) -> None:
        """Create an empty cloud; add accounts and devices, then ``start()``."""
        self.clock = clock
        #: Seconds between a start/stop command and the pump reacting.
        self.reaction_delay = reaction_delay
        #: How long a device stays offline while it installs firmware.
        self.firmware_install_seconds = firmware_install_seconds
        #: At most this many items a page, whatever pageSize asks (None: no cap).
        self.page_size_limit = page_size_limit
        #: A ``PUT /configs`` body replaces the whole configuration: settings it
        #: leaves out go back to their factory defaults.
        self.config_writes_replace = config_writes_replace
        #: Refuse (400) what the app never sends and the real cloud's answer to
        #: is unknown: a duration or ``sprayingSeconds`` outside 20-120 s, a
        #: 21st schedule on a device. Off: never stricter than the evidence.
        self.app_limits = app_limits
        #: The latest API requests, oldest first (for the contract test).
        self.request_log: deque[RecordedRequest] = deque(maxlen=REQUEST_LOG_SIZE)
        self.auth = AuthService(
            self.now,
            token_ttl=token_ttl,
            lockout_after=lockout_after,
            lockout_seconds=lockout_seconds,
        )
        self._faults = FaultConfig()
        self.injector = FaultInjector(self._faults)
        self._devices: dict[str, SimDevice] = {}
        #: Every account's message centre (by user id).
        self.messages = MessageCentre()
        self._counts: Counter[str] = Counter()
        self._next_device_number = 0x1001
        self._next_schedule_number = 1
        self._stopping = asyncio.Event()
        #: Where the cloud is served, once a server listens.
        self.base_url: str | None = None

    def now(self) -> float:
        """Return the simulator's current Unix time."""
        return float(self.clock())

    # -- accounts -----------------------------------------------------------

    def add_account(self, email: str, password: str) -> SimAccount:
        """Create an account; ValueError if the email is taken."""
        return self.auth.add_account(email, password)

    def account(self, email: str) -> SimAccount:
        """Return the account for ``email``; KeyError if there is none."""
        return self.auth.account(email)

    @property
    def accounts(self) -> list[SimAccount]:
        """All accounts, in creation order."""
        return list(self.auth)

    def revoke_tokens(self, email: str | None = None) -> int:
        """Invalidate every token (or one account's); return how many."""
        revoked = self.auth.revoke(email)
        _LOGGER.debug("Revoked %d token(s)", revoked)
        return revoked

    def change_password(self, email: str, new_password: str) -> None:
        """Change an account's password and revoke its tokens."""
        self.auth.change_password(email, new_password)

    # -- devices ------------------------------------------------------------

    def add_device(
        self,
        email: str,
        *,
        device_id: str | None = None,
        name: str | None = None,
        online: bool = True,
        model: str = "MG-01",
        firmware: str = "1.2.3",
        latest_firmware: str | None = None,
        temperature: Any = 24.5,
        humidity: Any = 55,
        rssi: Any = -58,
        water_level: Any = 1,
        liquid_level: Any = 1,
        liquid_concentration: Any = CONFIG_FACTORY_DEFAULTS["liquid_concentration"],
        mix_ratio: Any = 10,
        spraying_seconds: int = CONFIG_FACTORY_DEFAULTS["spraying_seconds"],
        time_zone: str = CONFIG_FACTORY_DEFAULTS["time_zone"],
    ) -> SimDevice:
        """Give the account ``email`` a new device and return it.

        Ids are "MG" plus hex digits, sequential per simulator so that
        snapshots stay stable; ``latest_firmware`` defaults to ``firmware``
        (no update available).
        """
        owner = self.auth.account(email)
        if device_id is None:
            device_id = self._new_device_id()
        elif device_id in self._devices:
            raise ValueError(f"device {device_id} exists already")
        number = len(self._devices) + 1
        device = SimDevice(
            device_id=device_id,
            owner=normalize_email(owner.email),
            name=name if name is not None else f"Moogo Mister {number}",
            online=online,
            model=model,
            firmware=firmware,
            latest_firmware=latest_firmware
            if latest_firmware is not None
            else firmware,
            temperature=temperature,
            humidity=humidity,
            rssi=rssi,
            water_level=water_level,
            liquid_level=liquid_level,
            liquid_concentration=liquid_concentration,
            mix_ratio=mix_ratio,
            spraying_seconds=spraying_seconds,
            time_zone=time_zone,
            config_id=f"CFG{device_id}",
        )
        self._devices[device_id] = device
        return device

    def _new_device_id(self) -> str:
        while True:
            device_id = f"MG{self._next_device_number:06X}"
            self._next_device_number += 1
            if device_id not in self._devices:
                return device_id

    def remove_device(self, device_id: str) -> None:
        """Delete a device (as if unbound from its account); KeyError if unknown."""
        if self._devices.pop(device_id, None) is None:
            raise KeyError(f"no device {device_id}")

    def device(self, device_id: str) -> SimDevice:
        """Return a device for inspection or direct changes; KeyError if unknown.

        Sprays that ended by now are settled first, so fields such as
        ``latest_spraying_end`` are current.
        """
        try:
            device = self._devices[device_id]
        except KeyError:
            raise KeyError(f"no device {device_id}") from None
        device.settle(self.now())
        return device

    @property
    def devices(self) -> list[SimDevice]:
        """All devices of all accounts, in creation order."""
        return list(self._devices.values())

    def devices_of(self, account: SimAccount | str) -> list[SimDevice]:
        """Return the devices of an account (given as object or email)."""
        email = account.email if isinstance(account, SimAccount) else account
        owner = normalize_email(email)
        return [device for device in self._devices.values() if device.owner == owner]

    def owned_device(self, account: SimAccount, device_id: str) -> SimDevice:
        """Return ``device_id`` if ``account`` owns it, else ApiError 404."""
        device = self._devices.get(device_id)
        if device is None or device.owner != normalize_email(account.email):
            raise ApiError.not_found("device not found")
        return device

    def set_online(self, device_id: str, online: bool) -> None:
        """Bring a device online or offline, and log the change.

        Going offline also files a message in the owner's log (not while
        installing firmware: that restart is the owner's own doing).
        """
        device = self.device(device_id)
        if device.online != online:
            device.online = online
            device.add_log(
                self.now(), "online" if online else "offline", "connectivity changed"
            )
            if not online:
                self._device_event(device, MessageType.DEVICE_OFFLINE)

    def set_tank_level(self, device_id: str, tank: Tank, level: Any) -> SimDevice:
        """Set a tank's level (1 has liquid, 0 empty; odd values go out as they are).

        A tank that runs empty files a notice for the owner, once per emptying.
        """
        device = self.device(device_id)
        attribute = TANK_LEVELS[tank]
        was_empty = _is_empty(getattr(device, attribute))
        setattr(device, attribute, level)
        if _is_empty(level) and not was_empty:
            self._device_event(
                device,
                MessageType.NO_WATER_INFLOW
                if tank == "water"
                else MessageType.CONCENTRATE_LOW,
            )
        return device

    def set_temperature(self, device_id: str, celsius: Any) -> SimDevice:
        """Set the temperature a device reports; below 8 °C it refuses starts."""
        device = self.device(device_id)
        device.temperature = celsius
        return device

    def offer_firmware(self, device_id: str, version: str) -> SimDevice:
        """Make ``version`` the firmware otaCheck offers the device.

        A new offer (neither the installed version nor the one offered
        already) files a message for the owner.
        """
        device = self.device(device_id)
        if version not in {device.firmware, device.latest_firmware}:
            self._device_event(device, MessageType.FIRMWARE_OFFER, version=version)
        device.latest_firmware = version
        return device

    def is_spraying(self, device_id: str) -> bool:
        """Tell whether the device's pump runs now (even if offline)."""
        return self.device(device_id).is_spraying(self.now())

    def add_schedule(
        self,
        device_id: str,
        *,
        hour: int,
        minute: int,
        duration: int,
        repeat_set: str = EVERY_DAY,
        status: int = 1,
    ) -> SimSchedule:
        """Add a schedule to a device (no validation: tests may go odd)."""
        device = self.device(device_id)
        schedule = SimSchedule(
            schedule_id=f"S{self._next_schedule_number}",
            hour=hour,
            minute=minute,
            duration=duration,
            repeat_set=repeat_set,
            status=status,
            updated_at=self.now(),
        )
        self._next_schedule_number += 1
        device.schedules.append(schedule)
        return schedule

    def schedule(self, device_id: str, schedule_id: str) -> SimSchedule:
        """Return a device's schedule; KeyError if either is unknown."""
        schedule = self.device(device_id).schedule(schedule_id)
        if schedule is None:
            raise KeyError(f"no schedule {schedule_id} on device {device_id}")
        return schedule

    def skip_schedule(self, device_id: str, schedule_id: str) -> SimSchedule:
        """Press skip on a schedule, as the app does: its next run will not happen."""
        schedule = self.schedule(device_id, schedule_id)
        schedule.skip(self.now())
        return schedule

    def set_schedule_switch(self, device_id: str, on: bool) -> SimDevice:
        """Turn a device's master schedule switch on or off (schedules keep status)."""
        device = self.device(device_id)
        device.schedule_switch_status = 1 if on else 0
        return device

    def add_spray_record(
        self, device_id: str, ended_at: float, seconds: int
    ) -> SprayRecord:
        """Add a mist that ended at ``ended_at`` to a device's spray history."""
        return self.device(device_id).add_spray_record(ended_at, seconds)

    # -- the message centre -------------------------------------------------

    def add_message(
        self,
        email: str,
        title: str,
        content: str = "",
        *,
        box: MessageBox = "messages",
        message_type: int = MessageType.SYSTEM,
        device_id: str | None = None,
        device_name: str | None = None,
        created_at: float | None = None,
        is_read: bool = False,
        overrides: dict[str, Any] | None = None,
        missing_fields: set[str] | None = None,
    ) -> SimMessage:
        """File any message for the account ``email`` (KeyError if unknown).

        ``device_id`` names a device (KeyError if unknown) whose name the
        message carries unless ``device_name`` is given; ``created_at``
        defaults to now. ``overrides`` and ``missing_fields`` shape what the
        lists send, for tolerance tests.
        """
        user_id = self.auth.account(email).user_id
        if device_id is not None and device_name is None:
            device_name = self.device(device_id).name
        return self.messages.add(
            user_id,
            box=box,
            message_type=message_type,
            title=title,
            content=content,
            created_at=self.now() if created_at is None else created_at,
            device_name=device_name,
            target_id=device_id,
            is_read=is_read,
            overrides=dict(overrides or {}),
            missing_fields=set(missing_fields or ()),
        )

    def messages_of(
        self, email: str, box: MessageBox | None = None
    ) -> list[SimMessage]:
        """Return an account's messages (of one list, or all), newest first."""
        return self.messages.of(self.auth.account(email).user_id, box)

    def mark_messages_read(
        self, email: str, message_ids: list[int] | None = None
    ) -> int:
        """Mark an account's messages (all, or these) read, as the app's user does."""
        return self.messages.mark_read(self.auth.account(email).user_id, message_ids)

    def _device_event(
        self, device: SimDevice, event: MessageType, **words: str
    ) -> SimMessage:
        """File the message of a device's event for the device's owner."""
        return self.messages.add_event(
            self.auth.account(device.owner).user_id,
            event,
            device_id=device.device_id,
            device_name=device.name,
            at=self.now(),
            **words,
        )

    # -- faults and counters ------------------------------------------------

    @property
    def faults(self) -> FaultConfig:
        """The fault configuration; change its fields to break things."""
        return self._faults

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._faults = config
        self.injector.config = config
        self.injector.reseed()

    def reset_faults(self) -> None:
        """Restore every fault setting to its default (no faults)."""
        self.faults = FaultConfig()

    def record_request(self, request: RecordedRequest) -> None:
        """Count and log one API request (counted under ``"METHOD /route"``)."""
        self._counts[request.key] += 1
        self.request_log.append(request)

    @property
    def request_counts(self) -> dict[str, int]:
        """API requests per ``"METHOD /route/pattern"`` (admin not counted)."""
        return dict(self._counts)

    @property
    def total_requests(self) -> int:
        """All API requests since the start or the last ``reset_counts()``."""
        return self._counts.total()

    def reset_counts(self) -> None:
        """Forget the request counts and the request log."""
        self._counts.clear()
        self.request_log.clear()

    # -- settings and snapshots (admin) --------------------------------------

    def configure(
        self,
        *,
        reaction_delay: float | None = None,
        token_ttl: int | None = None,
        lockout_after: int | None = None,
        lockout_seconds: int | None = None,
        firmware_install_seconds: float | None = None,
        page_size_limit: int | Literal[_Keep.KEEP] | None = _Keep.KEEP,
        config_writes_replace: bool | None = None,
        app_limits: bool | None = None,
    ) -> None:
        """Change settings while running (tokens keep their expiry).

        An argument left out (None) keeps its setting; ``page_size_limit=None``
        lifts the page cap.
        """
        if page_size_limit is not _Keep.KEEP:
            self.page_size_limit = page_size_limit
        if config_writes_replace is not None:
            self.config_writes_replace = config_writes_replace
        if app_limits is not None:
            self.app_limits = app_limits
        if reaction_delay is not None:
            self.reaction_delay = reaction_delay
        if firmware_install_seconds is not None:
            self.firmware_install_seconds = firmware_install_seconds
        if token_ttl is not None:
            self.auth.token_ttl = token_ttl
        if lockout_after is not None:
            self.auth.lockout_after = lockout_after
        if lockout_seconds is not None:
            self.auth.lockout_seconds = lockout_seconds

    def settings(self) -> dict[str, Any]:
        """Return every setting ``configure()`` takes."""
        return {
            "reaction_delay": self.reaction_delay,
            "token_ttl": self.auth.token_ttl,
            "lockout_after": self.auth.lockout_after,
            "lockout_seconds": self.auth.lockout_seconds,
            "firmware_install_seconds": self.firmware_install_seconds,
            "page_size_limit": self.page_size_limit,
            "config_writes_replace": self.config_writes_replace,
            "app_limits": self.app_limits,
        }

    def device_state(self, device: SimDevice) -> dict[str, Any]:
        """Return everything about a device, for the admin endpoint.

        Schedules' next runs count in the device's zone once it is loaded
        (the admin handlers preload it), in UTC before.
        """
        now = self.now()
        device.settle(now)
        return {
            **device.detail(now),
            "spraying": device.is_spraying(now),
            "latestFirmware": device.latest_firmware,
            "configs": device.config(self.auth.account(device.owner).user_id),
            "scheduleSwitchStatus": device.schedule_switch_status,
            "schedules": device.schedules_to_api(now),
            "sprayRecordCount": len(device.spray_records),
            "logCount": len(device.logs),
            "commands": [command.to_api() for command in device.commands],
        }

    def snapshot(self) -> dict[str, Any]:
        """Return the whole simulator state, for ``GET /_admin/state``.

        Passwords are included (this is a test server and demos need them);
        tokens are only counted.
        """
        return {
            "url": self.base_url,
            "now": self.now(),
            "config": self.settings(),
            "faults": self.faults.as_dict(),
            "totalRequests": self.total_requests,
            "accounts": [
                {
                    "email": account.email,
                    "password": account.password,
                    "userId": account.user_id,
                    "loginCount": account.login_count,
                    "activeTokens": len(account.tokens),
                    "failedLogins": account.failed_logins,
                    "locked": self.auth.is_locked(account),
                    "devices": [
                        self.device_state(device) for device in self.devices_of(account)
                    ],
                    "messages": [
                        message.to_admin()
                        for message in self.messages.of(account.user_id)
                    ],
                }
                for account in self.auth
            ],
        }

    async def delay(self, seconds: float) -> None:
        """Wait ``seconds`` (a latency fault), or less if the server stops.

        Without the early exit, ``stop()`` would wait for every slowed-down
        request in flight (aiohttp's graceful shutdown).
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()


def _is_empty(level: Any) -> bool:
    """Tell whether a tank level reads empty (0; odd values are no level)."""
    return not isinstance(level, bool) and isinstance(level, int | float) and level == 0
