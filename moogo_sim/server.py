"""The Moogo cloud's HTTP API: routes, handlers and the request middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Literal

from aiohttp import web
from aiohttp.typedefs import Middleware

from .cloud import SimCloud
from .demo import LIQUIDS, RECOMMENDED_SCHEDULES
from .messages import MessageBox
from .protocol import (
    CODE_DEVICE_OFFLINE,
    CODE_FROST_LOCKED,
    CODE_OK,
    ApiError,
    envelope_response,
    error_response,
    status_response,
)
from .state import (
    EVERY_DAY,
    SELF_TEST_SECONDS,
    SimAccount,
    SimDevice,
    SimSchedule,
    SprayCommand,
)
from .timezones import async_is_iana_zone, async_preload, local_midnight
from .validation import (
    APP_MAX_SCHEDULES,
    accepted_fields,
    config_changes,
    date_range,
    login_fields,
    pagination,
    rename,
    schedule_changes,
    spray_mode,
)
from .wire import record_of

ADMIN_PREFIX = "/_admin/"

#: Whether the path-filtered faults apply to this request.
FAULTS_ACTIVE: web.RequestKey[bool] = web.RequestKey("moogo_faults_active")

_DEVICE = "/v1/devices/{device_id}"
_SCHEDULE = _DEVICE + "/schedules/{schedule_id}"
_MESSAGES = "/v1/users/{user_id}/messages"

type _Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_middleware(sim: SimCloud) -> Middleware:
    """Return the middleware that counts and logs requests and injects faults."""

    @web.middleware
    async def middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
        if request.path.startswith(ADMIN_PREFIX):
            # The control plane is never counted, slowed down or broken.
            return await handler(request)
        sim.record_request(await record_of(request))
        faults = sim.faults
        if faults.latency > 0:
            await sim.delay(faults.latency)
        active = faults.applies_to(request.path, request.method)
        request[FAULTS_ACTIVE] = active
        if active and faults.path_latency > 0:
            await sim.delay(faults.path_latency)
        if active and (early := sim.injector.before(request)) is not None:
            return early
        try:
            response = await handler(request)
        except ApiError as err:
            response = error_response(err)
        except web.HTTPException as err:
            # Unknown paths and wrong methods get an envelope too.
            response = status_response(err.status)
        return sim.injector.after(response) if active else response

    return middleware


class ApiHandlers:
    """The request handlers of the public and private API.

    Which bodies each endpoint takes (encodings and field names) comes from
    the app's table, :mod:`moogo_sim.app_api`, through ``accepted_fields``.
    """

    def __init__(self, sim: SimCloud) -> None:
        """Serve the state of ``sim``."""
        self._sim = sim

    def routes(self) -> list[web.RouteDef]:
        """Return the route table: exactly the app's endpoints.

        ``GET /v1/devices/schedules`` (public) must win over
        ``GET /v1/devices/{device_id}``; aiohttp prefers the exact path, and a
        test pins that down. ``.../schedules/switch/...`` is registered before
        ``.../schedules/{schedule_id}/...`` for the same reason.
        """
        return [
            web.post("/v1/user/login", self.login, name="login"),
            web.get("/v1/liquid", self.liquids),
            web.get("/v1/devices/schedules", self.recommended_schedules),
            web.get("/v1/devices", self.list_devices),
            web.get(_DEVICE, self.get_device),
            web.put(_DEVICE + "/update", self.rename_device),
            web.post(_DEVICE + "/start", self.start),
            web.post(_DEVICE + "/stop", self.stop),
            web.get(_DEVICE + "/schedules", self.list_schedules),
            web.post(_DEVICE + "/schedules", self.create_schedule),
            web.put(_DEVICE + "/schedules/switch/open", self.switch_open),
            web.put(_DEVICE + "/schedules/switch/close", self.switch_close),
            web.put(_SCHEDULE, self.update_schedule),
            web.delete(_SCHEDULE, self.delete_schedule),
            web.put(_SCHEDULE + "/enable", self.enable_schedule),
            web.put(_SCHEDULE + "/disable", self.disable_schedule),
            web.put(_SCHEDULE + "/skip", self.skip_schedule),
            web.get(_DEVICE + "/configs", self.get_configs),
            web.put(_DEVICE + "/configs", self.put_configs),
            web.get(_DEVICE + "/logs", self.spray_history),
            web.post(_DEVICE + "/otaCheck", self.ota_check),
            web.post(_DEVICE + "/otaUpdate", self.ota_update),
            web.get(_MESSAGES, partial(self.message_list, "messages")),
            web.get(_MESSAGES + "/notice", partial(self.message_list, "notice")),
            web.get(_MESSAGES + "/log", partial(self.message_list, "log")),
            web.get(_MESSAGES + "/unread-count", self.unread_count),
        ]

    # -- helpers ------------------------------------------------------------

    def _account(self, request: web.Request) -> SimAccount:
        """Return the caller's account from the ``token`` header (else 401)."""
        return self._sim.auth.authenticate(request.headers.get("token"))

    def _user(self, request: web.Request) -> SimAccount:
        """Return the caller's account if the path names it (else 401/404).

        Another user's id is answered 404, like an unknown one, as another
        account's device is: accounts must not learn about each other.
        """
        account = self._account(request)
        if request.match_info["user_id"] != account.user_id:
            raise ApiError.not_found("user not found")
        return account

    def _device(self, request: web.Request) -> tuple[SimAccount, SimDevice]:
        """Return the caller's account and the addressed device (else 401/404).

        Another account's device is answered 404, exactly like a device that
        does not exist: accounts must not learn about each other.
        """
        account = self._account(request)
        device = self._sim.owned_device(account, request.match_info["device_id"])
        device.settle(self._sim.now())
        return account, device

    async def _zoned_device(self, request: web.Request) -> SimDevice:
        """Return the addressed device with its time zone loaded (for schedules)."""
        _, device = self._device(request)
        await async_preload([device.time_zone])
        return device

    async def _schedule(self, request: web.Request) -> tuple[SimDevice, SimSchedule]:
        device = await self._zoned_device(request)
        schedule = device.schedule(request.match_info["schedule_id"])
        if schedule is None:
            raise ApiError.not_found("schedule not found")
        return device, schedule

    @staticmethod
    def _require_online(device: SimDevice) -> None:
        if not device.online:
            raise _offline()

    def _in_ms(self, request: web.Request) -> bool:
        """Tell whether epochs go out in milliseconds (the ``ms_timestamps`` fault)."""
        return request[FAULTS_ACTIVE] and self._sim.faults.ms_timestamps

    def _page[T](self, request: web.Request, items: list[T]) -> list[T]:
        """Return the page of ``items`` the query asks for (400 for a bad query).

        ``page_size_limit`` caps the page whatever ``pageSize`` asked, and the
        ``repeating_pages`` fault answers page 1 whatever page was asked.
        """
        page, size = pagination(request.query)
        if request[FAULTS_ACTIVE] and self._sim.faults.repeating_pages:
            page = 1
        limit = self._sim.page_size_limit
        if limit is not None:
            size = min(size, limit)
        start = (page - 1) * size
        return items[start : start + size]

    def _schedule_answer(
        self, request: web.Request, device: SimDevice, schedule: SimSchedule
    ) -> web.Response:
        now = self._sim.now()
        return envelope_response(
            device.schedule_to_api(schedule, now, in_ms=self._in_ms(request))
        )

    def _schedule_list(
        self, request: web.Request, device: SimDevice, *, paged: bool
    ) -> web.Response:
        """Answer the schedule list: a page of it, or all of it."""
        now = self._sim.now()
        rendered = device.schedules_to_api(now, in_ms=self._in_ms(request))
        return envelope_response(
            {
                "items": self._page(request, rendered) if paged else rendered,
                "scheduleSwitchStatus": device.schedule_switch_status,
                "total": len(rendered),
            }
        )

    # -- public -------------------------------------------------------------

    async def login(self, request: web.Request) -> web.Response:
        """``POST /v1/user/login`` with form fields (the app) or JSON."""
        email, password = login_fields(await accepted_fields(request))
        account, token = self._sim.auth.login(email, password)
        return envelope_response(
            {
                "token": token,
                "userId": account.user_id,
                "email": account.email,
                "nickname": account.nickname,
                "ttl": self._sim.auth.token_ttl,
            }
        )

    async def liquids(self, request: web.Request) -> web.Response:
        """``GET /v1/liquid`` (no token)."""
        return envelope_response([dict(item) for item in LIQUIDS])

    async def recommended_schedules(self, request: web.Request) -> web.Response:
        """``GET /v1/devices/schedules`` (no token)."""
        return envelope_response(
            {"items": [dict(item) for item in RECOMMENDED_SCHEDULES]}
        )

    # -- devices ------------------------------------------------------------

    async def list_devices(self, request: web.Request) -> web.Response:
        """``GET /v1/devices?page=&pageSize=``."""
        account = self._account(request)
        now = self._sim.now()
        devices = self._sim.devices_of(account)
        items = []
        for device in self._page(request, devices):
            device.settle(now)
            items.append(device.summary(now))
        return envelope_response({"items": items, "total": len(devices)})

    async def get_device(self, request: web.Request) -> web.Response:
        """``GET /v1/devices/{device_id}``."""
        _, device = self._device(request)
        return envelope_response(
            device.detail(self._sim.now(), ms_timestamps=self._in_ms(request))
        )

    async def rename_device(self, request: web.Request) -> web.Response:
        """``PUT /v1/devices/{device_id}/update`` with ``{"deviceName": ...}``."""
        _, device = self._device(request)
        name = rename(await accepted_fields(request))
        if name is not None:
            device.name = name
        return envelope_response(device.detail(self._sim.now()))

    async def start(self, request: web.Request) -> web.Response:
        """``POST /v1/devices/{device_id}/start``: acknowledged at once.

        ``mode=self-test`` runs the app's device self-test (about three
        minutes); any other mode sprays the configured ``sprayingSeconds``.
        A device below 8 °C is locked against frost: code 10202.
        """
        _, device = self._device(request)
        mode = spray_mode(await accepted_fields(request))
        self._command(device, "start", mode)
        seconds = SELF_TEST_SECONDS if mode == "self-test" else None
        device.start_spraying(self._sim.now(), self._sim.reaction_delay, seconds)
        return envelope_response(None)

    async def stop(self, request: web.Request) -> web.Response:
        """``POST /v1/devices/{device_id}/stop``: acknowledged at once."""
        _, device = self._device(request)
        mode = spray_mode(await accepted_fields(request))
        self._command(device, "stop", mode)
        device.stop_spraying(self._sim.now(), self._sim.reaction_delay)
        return envelope_response(None)

    def _command(
        self, device: SimDevice, command: Literal["start", "stop"], mode: str | None
    ) -> None:
        """Record a command and its mode on the device; raise its refusal, if any.

        Refused commands are recorded too, with the code they were answered.
        """
        refusal = _refusal(device, starting=command == "start")
        code = CODE_OK if refusal is None else refusal.code
        device.commands.append(SprayCommand(self._sim.now(), command, mode, code))
        if refusal is not None:
            raise refusal

    # -- schedules ----------------------------------------------------------

    async def list_schedules(self, request: web.Request) -> web.Response:
        """``GET /v1/devices/{device_id}/schedules?page=&pageSize=``."""
        device = await self._zoned_device(request)
        return self._schedule_list(request, device, paged=True)

    async def create_schedule(self, request: web.Request) -> web.Response:
        """``POST /v1/devices/{device_id}/schedules`` with form fields or JSON."""
        device = await self._zoned_device(request)
        app_limits = self._sim.app_limits
        changes = schedule_changes(
            await accepted_fields(request), creating=True, app_limits=app_limits
        )
        if app_limits and len(device.schedules) >= APP_MAX_SCHEDULES:
            raise ApiError.bad_request(
                f"a device has at most {APP_MAX_SCHEDULES} schedules"
            )
        schedule = self._sim.add_schedule(
            device.device_id,
            hour=changes["hour"],
            minute=changes["minute"],
            duration=changes["duration"],
            repeat_set=changes.get("repeat_set", EVERY_DAY),
            status=changes.get("status", 1),
        )
        return self._schedule_answer(request, device, schedule)

    async def update_schedule(self, request: web.Request) -> web.Response:
        """``PUT /v1/devices/{device_id}/schedules/{schedule_id}``."""
        device, schedule = await self._schedule(request)
        changes = schedule_changes(
            await accepted_fields(request),
            creating=False,
            app_limits=self._sim.app_limits,
        )
        for attribute, value in changes.items():
            setattr(schedule, attribute, value)
        schedule.updated_at = self._sim.now()
        return self._schedule_answer(request, device, schedule)

    async def delete_schedule(self, request: web.Request) -> web.Response:
        """``DELETE /v1/devices/{device_id}/schedules/{schedule_id}``."""
        device, schedule = await self._schedule(request)
        device.schedules.remove(schedule)
        return envelope_response(None)

    async def _set_status(self, request: web.Request, status: int) -> web.Response:
        device, schedule = await self._schedule(request)
        await accepted_fields(request)
        schedule.status = status
        schedule.updated_at = self._sim.now()
        return self._schedule_answer(request, device, schedule)

    async def enable_schedule(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/{schedule_id}/enable``."""
        return await self._set_status(request, 1)

    async def disable_schedule(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/{schedule_id}/disable``."""
        return await self._set_status(request, 0)

    async def skip_schedule(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/{schedule_id}/skip``: skip the next run.

        The mark clears by itself once that run's start passes (in the
        device's time zone).
        """
        device, schedule = await self._schedule(request)
        await accepted_fields(request)
        schedule.skip(self._sim.now())
        return self._schedule_answer(request, device, schedule)

    async def _switch(self, request: web.Request, status: int) -> web.Response:
        device = await self._zoned_device(request)
        await accepted_fields(request)
        device.schedule_switch_status = status
        return self._schedule_list(request, device, paged=False)

    async def switch_open(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/switch/open``: the master switch on (schedules keep status)."""
        return await self._switch(request, 1)

    async def switch_close(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/switch/close``: the master switch off."""
        return await self._switch(request, 0)

    # -- configuration, spray history, firmware -----------------------------

    async def get_configs(self, request: web.Request) -> web.Response:
        """``GET /v1/devices/{device_id}/configs``."""
        account, device = self._device(request)
        return envelope_response(device.config(account.user_id))

    async def put_configs(self, request: web.Request) -> web.Response:
        """``PUT /v1/devices/{device_id}/configs``: a part or all of the configuration.

        Under ``config_writes_replace`` the body is taken as the whole of it.
        """
        account, device = self._device(request)
        changes = config_changes(
            await accepted_fields(request), app_limits=self._sim.app_limits
        )
        zone = changes.get("time_zone")
        if zone is not None and not await async_is_iana_zone(zone):
            raise ApiError.bad_request(f"timeZone {zone!r} is not an IANA zone name")
        device.apply_config(changes, replace=self._sim.config_writes_replace)
        return envelope_response(device.config(account.user_id))

    async def spray_history(self, request: web.Request) -> web.Response:
        """``GET .../logs?startDate=&endDate=&page=&pageSize=``: mists, newest first.

        The dates (YYYY-MM-DD, each optional) bound when mists ended, as whole
        days in the device's time zone.
        """
        device = await self._zoned_device(request)
        start, end = date_range(request.query)
        zone = device.zone
        records = device.spray_history(
            local_midnight(start, zone) if start is not None else None,
            local_midnight(end + timedelta(days=1), zone) if end is not None else None,
        )
        in_ms = self._in_ms(request)
        return envelope_response(
            {
                "items": [
                    record.to_api(in_ms=in_ms)
                    for record in self._page(request, records)
                ],
                "total": len(records),
            }
        )

    async def ota_check(self, request: web.Request) -> web.Response:
        """``POST /v1/devices/{device_id}/otaCheck``."""
        _, device = self._device(request)
        await accepted_fields(request)
        available = device.latest_firmware != device.firmware
        return envelope_response(
            {
                "available": available,
                "version": device.latest_firmware,
                "url": _firmware_url(device) if available else "",
            }
        )

    async def ota_update(self, request: web.Request) -> web.Response:
        """``POST /v1/devices/{device_id}/otaUpdate``.

        The device goes offline for ``firmware_install_seconds`` and comes
        back with the offered version (at once when that is 0).
        """
        _, device = self._device(request)
        await accepted_fields(request)
        self._require_online(device)
        updating = device.latest_firmware != device.firmware
        if updating:
            device.install_firmware(self._sim.now(), self._sim.firmware_install_seconds)
        return envelope_response(
            {"updating": updating, "version": device.latest_firmware}
        )

    # -- the message centre -------------------------------------------------

    async def message_list(self, box: MessageBox, request: web.Request) -> web.Response:
        """``GET /v1/users/{user_id}/messages[/notice|/log]?page=&pageSize=``.

        Newest first; reading marks nothing read.
        """
        account = self._user(request)
        messages = self._sim.messages.of(account.user_id, box)
        in_ms = self._in_ms(request)
        return envelope_response(
            {
                "items": [
                    message.to_api(in_ms=in_ms)
                    for message in self._page(request, messages)
                ],
                "total": len(messages),
            }
        )

    async def unread_count(self, request: web.Request) -> web.Response:
        """``GET /v1/users/{user_id}/messages/unread-count``: over every list."""
        account = self._user(request)
        return envelope_response(
            {"unReadCount": self._sim.messages.unread_count(account.user_id)}
        )


def _offline() -> ApiError:
    return ApiError.business(CODE_DEVICE_OFFLINE, "device offline")


def _refusal(device: SimDevice, *, starting: bool) -> ApiError | None:
    """Return why the device refuses a start / stop command, if it does."""
    if not device.online:
        return _offline()
    if starting and device.frost_locked:
        return ApiError.business(
            CODE_FROST_LOCKED, "device below 8 °C, locked against frost"
        )
    return None


def _firmware_url(device: SimDevice) -> str:
    return f"https://firmware.moogo.example/{device.model}/{device.latest_firmware}.bin"
