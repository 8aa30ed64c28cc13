"""The Moogo cloud's endpoints as typed methods of one account's client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import logging
from typing import Any

from .auth import AuthenticatedTransport
from .const import MAX_LOG_PAGE_SIZE
from .exceptions import MoogoResponseError
from .models import (
    CONFIG_FIELDS,
    Device,
    DeviceConfig,
    FirmwareInfo,
    Liquid,
    LogEntry,
    Schedule,
    format_repeat_days,
    items_of,
)

_LOGGER = logging.getLogger(__name__)


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

    Lockout: once a login is refused as rate limited, the client makes no
    login request until :attr:`login_blocked_until`, because every attempt
    would extend the cloud's lock. Requests with a valid token still go out.
    Pass ``login_blocked_until`` back in to keep the block across restarts,
    and call :meth:`allow_login` when a user explicitly asks to try anyway.
    """

    # -- devices -----------------------------------------------------------

    async def get_devices(self) -> list[Device]:
        """List the account's devices (summary fields only)."""
        data = await self._request("GET", "/v1/devices")
        devices: list[Device] = []
        for item in items_of(data, "devices"):
            try:
                devices.append(Device.from_api(item))
            except MoogoResponseError:
                _LOGGER.debug("Skipping a device entry without deviceId")
        return devices

    async def get_device(self, device_id: str) -> Device:
        """Fetch one device's details and readings."""
        return Device.from_api(await self._request("GET", f"/v1/devices/{device_id}"))

    async def update_device(
        self, device_id: str, *, name: str | None = None, mix_ratio: int | None = None
    ) -> None:
        """Rename a device and/or set its mix ratio."""
        body: dict[str, Any] = {}
        if name is not None:
            body["deviceName"] = name
        if mix_ratio is not None:
            body["mixRatio"] = mix_ratio
        if not body:
            raise ValueError("Nothing to update")
        await self._request("PUT", f"/v1/devices/{device_id}", body=body)

    async def start_mist(self, device_id: str) -> None:
        """Start misting for the device's configured duration."""
        await self._request("POST", f"/v1/devices/{device_id}/start", body={})

    async def stop_mist(self, device_id: str) -> None:
        """Stop misting."""
        await self._request("POST", f"/v1/devices/{device_id}/stop", body={})

    # -- schedules ---------------------------------------------------------

    async def get_schedules(self, device_id: str) -> list[Schedule]:
        """List a device's schedules."""
        data = await self._request("GET", f"/v1/devices/{device_id}/schedules")
        return [Schedule.from_api(item) for item in items_of(data, "schedules")]

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
            f"/v1/devices/{device_id}/schedules",
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
        await self._request(
            "PUT", f"/v1/devices/{device_id}/schedules/{schedule_id}", body=body
        )

    async def delete_schedule(self, device_id: str, schedule_id: str) -> None:
        """Delete a schedule."""
        await self._request(
            "DELETE", f"/v1/devices/{device_id}/schedules/{schedule_id}"
        )

    async def _schedule_action(self, device_id: str, suffix: str) -> None:
        await self._request(
            "PUT", f"/v1/devices/{device_id}/schedules/{suffix}", body={}
        )

    async def enable_schedule(self, device_id: str, schedule_id: str) -> None:
        """Enable one schedule."""
        await self._schedule_action(device_id, f"{schedule_id}/enable")

    async def disable_schedule(self, device_id: str, schedule_id: str) -> None:
        """Disable one schedule."""
        await self._schedule_action(device_id, f"{schedule_id}/disable")

    async def skip_schedule(self, device_id: str, schedule_id: str) -> None:
        """Skip the next occurrence of a schedule."""
        await self._schedule_action(device_id, f"{schedule_id}/skip")

    async def enable_all_schedules(self, device_id: str) -> None:
        """Enable every schedule of the device."""
        await self._schedule_action(device_id, "switch/open")

    async def disable_all_schedules(self, device_id: str) -> None:
        """Disable every schedule of the device."""
        await self._schedule_action(device_id, "switch/close")

    # -- configuration, logs, firmware ----------------------------------------

    async def get_config(self, device_id: str) -> DeviceConfig:
        """Fetch a device's configuration."""
        return DeviceConfig.from_api(
            await self._request("GET", f"/v1/devices/{device_id}/configs")
        )

    async def set_config(self, device_id: str, **changes: Any) -> None:
        """Write configuration fields, named as the attributes of :class:`DeviceConfig`."""
        unknown = set(changes) - set(CONFIG_FIELDS)
        if unknown:
            raise ValueError(f"Not writable configuration fields: {sorted(unknown)}")
        if not changes:
            raise ValueError("Nothing to update")
        body = {CONFIG_FIELDS[name]: value for name, value in changes.items()}
        await self._request("PUT", f"/v1/devices/{device_id}/configs", body=body)

    async def get_logs(
        self, device_id: str, *, page: int = 1, page_size: int = 20
    ) -> list[LogEntry]:
        """Fetch one page of a device's event log (at most 100 entries a page)."""
        if not 1 <= page_size <= MAX_LOG_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_LOG_PAGE_SIZE}")
        data = await self._request(
            "GET",
            f"/v1/devices/{device_id}/logs",
            params={"page": page, "pageSize": page_size},
        )
        return [LogEntry.from_api(item) for item in items_of(data, "logs")]

    async def check_firmware(self, device_id: str) -> FirmwareInfo:
        """Ask whether a firmware update is available."""
        return FirmwareInfo.from_api(
            await self._request("POST", f"/v1/devices/{device_id}/otaCheck", body={})
        )

    async def update_firmware(self, device_id: str) -> None:
        """Start a firmware update."""
        await self._request("POST", f"/v1/devices/{device_id}/otaUpdate", body={})

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
