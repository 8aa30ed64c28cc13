"""The Moogo cloud's endpoints as typed methods of one account's client."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cached_property
import logging
from typing import Any
from urllib.parse import quote

from .auth import AuthenticatedTransport, UserPath
from .configuration import check_changes, config_body
from .const import (
    DEVICES_PAGE_SIZE,
    MESSAGE_PAGE_SIZES,
    SCHEDULES_PAGE_SIZE,
    SPRAY_HISTORY_PAGE_SIZE,
    MessageBox,
    MistMode,
)
from .exceptions import MoogoInvalidIdError, MoogoResponseError
from .models import (
    Device,
    DeviceConfig,
    FirmwareInfo,
    Liquid,
    Message,
    Schedule,
    ScheduleList,
    SprayRecord,
    format_repeat_days,
    parse_unread_count,
)
from .paging import Pages, read_pages
from .parsing import as_bool, items_of, require_mapping
from .transport import Form

_LOGGER = logging.getLogger(__name__)


def _segment(value: str, what: str) -> str:
    """Put one id into a URL path as exactly one segment.

    Every character but letters, digits and ``_.-~`` is percent-escaped, so an
    id holding ``/``, ``?``, ``#`` or ``%`` stays inside its segment. An empty
    id, ``.`` and ``..`` are refused before any request: no escaping keeps a
    dot segment from being resolved against the path around it.
    """
    if not value or value in {".", ".."}:
        raise MoogoInvalidIdError(f"Not a valid {what}: {value!r}")
    return quote(value, safe="")


def _device_path(device_id: str, *tail: str) -> str:
    """``/v1/devices/<device id>`` and the literal ``tail`` segments after it."""
    return "/".join(("/v1/devices", _segment(device_id, "device id"), *tail))


def _schedule_path(device_id: str, schedule_id: str, *tail: str) -> str:
    """``/v1/devices/<device id>/schedules/<schedule id>`` and ``tail``."""
    return _device_path(
        device_id, "schedules", _segment(schedule_id, "schedule id"), *tail
    )


def _messages_path(*tail: str) -> UserPath:
    """``/v1/users/<user id>/messages`` and ``tail``, for the signed-in user."""

    def path_of(user_id: str) -> str:
        return "/".join(("/v1/users", _segment(user_id, "user id"), "messages", *tail))

    return path_of


class MoogoClient(AuthenticatedTransport):
    """Client of one Moogo account.

    Session handling:

    * ``session=None``: the client creates its own ``aiohttp.ClientSession`` on
      first use (with ``timeout``) and closes it in :meth:`close` or when
      leaving ``async with``.
    * An injected session is used for every request and never closed; its own
      ``ClientTimeout`` governs. Several clients may share one session: the
      token travels per request as a header, never in the session's defaults
      or cookie jar.

    Time limit: the client bounds every request itself, whichever session it
    uses: by ``request_timeout`` when given (on any session), else by the
    session's total timeout, else by ``DEFAULT_TIMEOUT``. A request that runs
    out of time is a :class:`MoogoConnectionError`.

    Lockout: once a login is refused as rate limited, the client makes no
    login request until :attr:`login_blocked_until`, because every attempt
    would extend the cloud's lock. Requests with a valid token still go out.
    Pass ``login_blocked_until`` back in to keep the block across restarts,
    and call :meth:`allow_login` when a user explicitly asks to try anyway.

    Lists (devices, schedules, spray history, messages) are read whole, page
    by page.
    """

    @cached_property
    def _config_locks(self) -> defaultdict[str, asyncio.Lock]:
        """One lock per device: its configuration's read-modify-writes never overlap."""
        return defaultdict(asyncio.Lock)

    async def _read_list(
        self,
        path: str | UserPath,
        what: str,
        *,
        page_size: int,
        id_key: str = "id",
        params: Mapping[str, str] | None = None,
    ) -> Pages:
        """Read every page of a list endpoint with an explicit page size.

        ``path`` is the path, or builds it from the signed-in user's id.
        """

        async def fetch(page: int) -> Any:
            query: dict[str, str | int] = {
                **(params or {}),
                "page": page,
                "pageSize": page_size,
            }
            if isinstance(path, str):
                return await self._request("GET", path, params=query)
            return await self._user_request("GET", path, params=query)

        return await read_pages(fetch, what=what, page_size=page_size, id_key=id_key)

    # -- devices -----------------------------------------------------------

    async def get_devices(self) -> list[Device]:
        """List all the account's devices (summary fields only)."""
        pages = await self._read_list(
            "/v1/devices", "devices", page_size=DEVICES_PAGE_SIZE, id_key="deviceId"
        )
        devices: list[Device] = []
        for item in pages.items:
            try:
                devices.append(Device.from_api(item))
            except MoogoResponseError:
                _LOGGER.debug("Skipping a device entry without deviceId")
        return devices

    async def get_device(self, device_id: str) -> Device:
        """Fetch one device's details and readings."""
        return Device.from_api(await self._request("GET", _device_path(device_id)))

    async def rename_device(self, device_id: str, name: str) -> None:
        """Rename a device.

        The mix ratio is no device field: it is the configuration's
        ``concentration`` (see :meth:`set_config`).
        """
        if not name.strip():
            raise ValueError("A device name cannot be empty")
        await self._request(
            "PUT", _device_path(device_id, "update"), body={"deviceName": name}
        )

    async def start_mist(
        self, device_id: str, *, mode: MistMode = MistMode.NORMAL
    ) -> None:
        """Start misting for the device's configured duration, or its self-test.

        ``MistMode.SELF_TEST`` runs the app's device self-test: about three
        minutes on fresh water in tank 1 with no concentrate, then it stops by
        itself. A device below 8 °C refuses any start (:class:`MoogoFrostError`).
        """
        # MistMode() refuses any other text before a request goes out. A form
        # field, as the app sends it: a JSON ``mode`` is not known to be read.
        body = Form(mode=MistMode(mode).value)
        await self._request("POST", _device_path(device_id, "start"), body=body)

    async def stop_mist(self, device_id: str) -> None:
        """Stop misting (a self-test too)."""
        await self._request(
            "POST",
            _device_path(device_id, "stop"),
            body=Form(mode=MistMode.NORMAL.value),
        )

    # -- schedules ---------------------------------------------------------

    async def get_schedule_list(self, device_id: str) -> ScheduleList:
        """Read all a device's schedules and its master schedule switch."""
        pages = await self._read_list(
            _device_path(device_id, "schedules"),
            "schedules",
            page_size=SCHEDULES_PAGE_SIZE,
        )
        # The switch is a fact of the device: the first page says it.
        switch = pages.first.get("scheduleSwitchStatus") if pages.first else None
        return ScheduleList(
            schedules=tuple(Schedule.from_api(item) for item in pages.items),
            master_switch=as_bool(switch),
        )

    async def get_schedules(self, device_id: str) -> list[Schedule]:
        """List all a device's schedules."""
        return list((await self.get_schedule_list(device_id)).schedules)

    async def create_schedule(
        self,
        device_id: str,
        *,
        hour: int,
        minute: int,
        duration: int,
        weekdays: Sequence[int],
        enabled: bool = True,
    ) -> Schedule | None:
        """Create a schedule (weekdays 0 = Sunday); returns it when the cloud echoes it."""
        data = await self._request(
            "POST",
            _device_path(device_id, "schedules"),
            body={
                "hour": hour,
                "minute": minute,
                "duration": duration,
                "repeatSet": format_repeat_days(weekdays),
                "status": int(enabled),
            },
        )
        return Schedule.from_api(data) if isinstance(data, Mapping) else None

    async def update_schedule(
        self,
        device_id: str,
        schedule_id: str,
        *,
        hour: int | None = None,
        minute: int | None = None,
        duration: int | None = None,
        weekdays: Sequence[int] | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Change some fields of a schedule."""
        body: dict[str, Any] = {
            key: value
            for key, value in (
                ("hour", hour),
                ("minute", minute),
                ("duration", duration),
            )
            if value is not None
        }
        if weekdays is not None:
            body["repeatSet"] = format_repeat_days(weekdays)
        if enabled is not None:
            body["status"] = int(enabled)
        if not body:
            raise ValueError("Nothing to update")
        await self._request("PUT", _schedule_path(device_id, schedule_id), body=body)

    async def delete_schedule(self, device_id: str, schedule_id: str) -> None:
        """Delete a schedule."""
        await self._request("DELETE", _schedule_path(device_id, schedule_id))

    async def enable_schedule(self, device_id: str, schedule_id: str) -> None:
        """Enable one schedule."""
        await self._request(
            "PUT", _schedule_path(device_id, schedule_id, "enable"), body={}
        )

    async def disable_schedule(self, device_id: str, schedule_id: str) -> None:
        """Disable one schedule."""
        await self._request(
            "PUT", _schedule_path(device_id, schedule_id, "disable"), body={}
        )

    async def skip_schedule(self, device_id: str, schedule_id: str) -> None:
        """Skip the next occurrence of a schedule."""
        await self._request(
            "PUT", _schedule_path(device_id, schedule_id, "skip"), body={}
        )

    async def set_schedule_switch(self, device_id: str, on: bool) -> None:
        """Turn the device's master schedule switch on or off.

        It leaves each schedule's own switch as it is: while the master
        switch is off no schedule runs, and when it is on again the enabled
        ones do.
        """
        await self._request(
            "PUT",
            _device_path(device_id, "schedules", "switch", "open" if on else "close"),
            body={},
        )

    # -- configuration, spray history, firmware ---------------------------------

    async def get_config(self, device_id: str) -> DeviceConfig:
        """Fetch a device's configuration."""
        return DeviceConfig.from_api(
            await self._request("GET", _device_path(device_id, "configs"))
        )

    async def set_config(self, device_id: str, /, **changes: Any) -> DeviceConfig:
        """Change settings, named as the attributes of :class:`DeviceConfig`.

        The cloud is only known to keep what a write leaves out when the body
        is the whole configuration, so this reads the configuration afresh
        and writes back every field the cloud accepts with the changes made,
        each in the type the cloud gave (0/1 flags stay 0/1). Two calls for
        one device run one after the other, so neither undoes the other.
        Returns the configuration as written.
        """
        check_changes(changes)
        path = _device_path(device_id, "configs")
        async with self._config_locks[device_id]:
            current = require_mapping(
                await self._request("GET", path), "device configuration"
            )
            body = config_body(current, changes)
            answer = await self._request("PUT", path, body=body)
        # The answer, when it is the configuration; what was sent fills any gap.
        written = {**body, **answer} if isinstance(answer, Mapping) else body
        return DeviceConfig.from_api(written)

    async def get_spray_history(
        self, device_id: str, start: date, end: date
    ) -> list[SprayRecord]:
        """List the device's mists from ``start`` to ``end`` (dates, both included)."""
        if start > end:
            raise ValueError("The spray history's start is after its end")
        pages = await self._read_list(
            _device_path(device_id, "logs"),
            "spray history",
            page_size=SPRAY_HISTORY_PAGE_SIZE,
            params={"startDate": f"{start:%Y-%m-%d}", "endDate": f"{end:%Y-%m-%d}"},
        )
        return [SprayRecord.from_api(item) for item in pages.items]

    async def check_firmware(self, device_id: str) -> FirmwareInfo:
        """Ask whether a firmware update is available."""
        return FirmwareInfo.from_api(
            await self._request("POST", _device_path(device_id, "otaCheck"), body={})
        )

    async def update_firmware(self, device_id: str) -> None:
        """Start a firmware update."""
        await self._request("POST", _device_path(device_id, "otaUpdate"), body={})

    # -- the message centre ---------------------------------------------------

    async def get_messages(
        self, box: MessageBox = MessageBox.MESSAGES
    ) -> list[Message]:
        """Read one list of the account's message centre whole, in the cloud's order.

        Only reads: the app's calls that mark messages read or delete them
        are never made, so the app still shows what is new.
        """
        box = MessageBox(box)
        tail = () if box is MessageBox.MESSAGES else (box.value,)
        pages = await self._read_list(
            _messages_path(*tail),
            "messages" if box is MessageBox.MESSAGES else f"messages ({box.value})",
            page_size=MESSAGE_PAGE_SIZES[box],
        )
        return [Message.from_api(item) for item in pages.items]

    async def get_unread_count(self) -> int:
        """Count the account's unread messages, as the app's badge does."""
        data = await self._user_request("GET", _messages_path("unread-count"))
        return parse_unread_count(data)

    # -- public endpoints (no token) -------------------------------------------

    async def get_liquids(self) -> list[Liquid]:
        """List the concentrate products."""
        data = await self._request("GET", "/v1/liquid", authenticated=False)
        return [Liquid.from_api(item) for item in items_of(data, "liquids")]

    async def get_recommended_schedules(self) -> list[Schedule]:
        """List the recommended schedules."""
        data = await self._request("GET", "/v1/devices/schedules", authenticated=False)
        return [
            Schedule.from_api(item) for item in items_of(data, "recommended schedules")
        ]
