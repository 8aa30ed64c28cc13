"""The Moogo cloud's HTTP API: routes, handlers and the request middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from .cloud import SimCloud
from .demo import LIQUIDS, RECOMMENDED_SCHEDULES
from .protocol import (
    CODE_DEVICE_OFFLINE,
    ApiError,
    envelope_response,
    error_response,
    status_response,
)
from .state import EVERY_DAY, SimAccount, SimDevice, SimSchedule
from .timezones import async_is_iana_zone, async_preload, loaded_zone, next_occurrence
from .validation import (
    config_changes,
    device_changes,
    pagination,
    read_json_object,
    schedule_changes,
)

ADMIN_PREFIX = "/_admin/"

#: Whether the path-filtered faults apply to this request.
FAULTS_ACTIVE: web.RequestKey[bool] = web.RequestKey("moogo_faults_active")

_DEVICE = "/v1/devices/{device_id}"
_SCHEDULE = _DEVICE + "/schedules/{schedule_id}"

type _Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route_key(request: web.Request) -> str:
    """Return the counter key: method and the route's canonical pattern."""
    resource = request.match_info.route.resource
    pattern = resource.canonical if resource is not None else request.path
    return f"{request.method} {pattern}"


def build_middleware(sim: SimCloud) -> Middleware:
    """Return the middleware that counts requests and injects faults."""

    @web.middleware
    async def middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
        if request.path.startswith(ADMIN_PREFIX):
            # The control plane is never counted, slowed down or broken.
            return await handler(request)
        sim.record_request(route_key(request))
        faults = sim.faults
        if faults.latency > 0:
            await sim.delay(faults.latency)
        active = faults.applies_to(request.path, request.method)
        request[FAULTS_ACTIVE] = active
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
    """The request handlers of the public and private API."""

    def __init__(self, sim: SimCloud) -> None:
        """Serve the state of ``sim``."""
        self._sim = sim

    def routes(self) -> list[web.RouteDef]:
        """Return the route table.

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
            web.put(_DEVICE, self.update_device),
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
            web.get(_DEVICE + "/logs", self.logs),
            web.post(_DEVICE + "/otaCheck", self.ota_check),
            web.post(_DEVICE + "/otaUpdate", self.ota_update),
        ]

    # -- helpers ------------------------------------------------------------

    def _account(self, request: web.Request) -> SimAccount:
        """Return the caller's account from the ``token`` header (else 401)."""
        return self._sim.auth.authenticate(request.headers.get("token"))

    def _device(self, request: web.Request) -> tuple[SimAccount, SimDevice]:
        """Return the caller's account and the addressed device (else 401/404).

        Another account's device is answered 404, exactly like a device that
        does not exist: accounts must not learn about each other.
        """
        account = self._account(request)
        device = self._sim.owned_device(account, request.match_info["device_id"])
        device.settle(self._sim.now())
        return account, device

    def _schedule(self, request: web.Request) -> tuple[SimDevice, SimSchedule]:
        _, device = self._device(request)
        schedule = device.schedule(request.match_info["schedule_id"])
        if schedule is None:
            raise ApiError.not_found("schedule not found")
        return device, schedule

    @staticmethod
    def _require_online(device: SimDevice) -> None:
        if not device.online:
            raise ApiError.business(CODE_DEVICE_OFFLINE, "device offline")

    # -- public -------------------------------------------------------------

    async def login(self, request: web.Request) -> web.Response:
        """``POST /v1/user/login``."""
        body = await read_json_object(request)
        email, password = body.get("email"), body.get("password")
        if (
            not isinstance(email, str)
            or not email.strip()
            or not isinstance(password, str)
        ):
            raise ApiError.bad_request("email and password are required strings")
        if "keep" in body and not isinstance(body["keep"], bool):
            raise ApiError.bad_request("keep must be true or false")
        account, token = self._sim.auth.login(email, password)
        return envelope_response(
            {
                "token": token,
                "userId": account.user_id,
                "email": account.email,
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
        """``GET /v1/devices``."""
        account = self._account(request)
        now = self._sim.now()
        items = []
        for device in self._sim.devices_of(account):
            device.settle(now)
            items.append(device.summary(now))
        return envelope_response({"items": items, "total": len(items)})

    async def get_device(self, request: web.Request) -> web.Response:
        """``GET /v1/devices/{device_id}``."""
        _, device = self._device(request)
        ms = request[FAULTS_ACTIVE] and self._sim.faults.ms_timestamps
        return envelope_response(device.detail(self._sim.now(), ms_timestamps=ms))

    async def update_device(self, request: web.Request) -> web.Response:
        """``PUT /v1/devices/{device_id}`` (rename, mix ratio)."""
        _, device = self._device(request)
        for attribute, value in device_changes(await read_json_object(request)).items():
            setattr(device, attribute, value)
        return envelope_response(device.detail(self._sim.now()))

    async def start(self, request: web.Request) -> web.Response:
        """``POST /v1/devices/{device_id}/start``: acknowledged at once."""
        _, device = self._device(request)
        body = await read_json_object(request)
        if "mode" in body and not isinstance(body["mode"], str):
            raise ApiError.bad_request("mode must be a string")
        self._require_online(device)
        device.start_spraying(self._sim.now(), self._sim.reaction_delay)
        return envelope_response(None)

    async def stop(self, request: web.Request) -> web.Response:
        """``POST /v1/devices/{device_id}/stop``: acknowledged at once."""
        _, device = self._device(request)
        await read_json_object(request)
        self._require_online(device)
        device.stop_spraying(self._sim.now(), self._sim.reaction_delay)
        return envelope_response(None)

    # -- schedules ----------------------------------------------------------

    def _schedule_list(self, device: SimDevice) -> web.Response:
        now = self._sim.now()
        return envelope_response(
            {"items": [schedule.to_api(now) for schedule in device.schedules]}
        )

    async def list_schedules(self, request: web.Request) -> web.Response:
        """``GET /v1/devices/{device_id}/schedules``."""
        _, device = self._device(request)
        return self._schedule_list(device)

    async def create_schedule(self, request: web.Request) -> web.Response:
        """``POST /v1/devices/{device_id}/schedules``."""
        _, device = self._device(request)
        changes = schedule_changes(await read_json_object(request), creating=True)
        schedule = self._sim.add_schedule(
            device.device_id,
            hour=changes["hour"],
            minute=changes["minute"],
            duration=changes["duration"],
            repeat_set=changes.get("repeat_set", EVERY_DAY),
            status=changes.get("status", 1),
        )
        return envelope_response(schedule.to_api(self._sim.now()))

    async def update_schedule(self, request: web.Request) -> web.Response:
        """``PUT /v1/devices/{device_id}/schedules/{schedule_id}``."""
        _, schedule = self._schedule(request)
        changes = schedule_changes(await read_json_object(request), creating=False)
        for attribute, value in changes.items():
            setattr(schedule, attribute, value)
        return envelope_response(schedule.to_api(self._sim.now()))

    async def delete_schedule(self, request: web.Request) -> web.Response:
        """``DELETE /v1/devices/{device_id}/schedules/{schedule_id}``."""
        device, schedule = self._schedule(request)
        device.schedules.remove(schedule)
        return envelope_response(None)

    async def _set_status(self, request: web.Request, status: int) -> web.Response:
        _, schedule = self._schedule(request)
        await read_json_object(request)
        schedule.status = status
        return envelope_response(schedule.to_api(self._sim.now()))

    async def enable_schedule(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/{schedule_id}/enable``."""
        return await self._set_status(request, 1)

    async def disable_schedule(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/{schedule_id}/disable``."""
        return await self._set_status(request, 0)

    async def skip_schedule(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/{schedule_id}/skip``: skip the next occurrence.

        The mark clears by itself once that occurrence's start time passes,
        computed in the device's time zone.
        """
        device, schedule = self._schedule(request)
        await read_json_object(request)
        await async_preload([device.time_zone])
        now = self._sim.now()
        schedule.skip_until = next_occurrence(
            now,
            loaded_zone(device.time_zone),
            schedule.hour,
            schedule.minute,
            schedule.repeat_set,
        )
        return envelope_response(schedule.to_api(now))

    async def _switch_all(self, request: web.Request, status: int) -> web.Response:
        _, device = self._device(request)
        await read_json_object(request)
        for schedule in device.schedules:
            schedule.status = status
        return self._schedule_list(device)

    async def switch_open(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/switch/open``: enable every schedule."""
        return await self._switch_all(request, 1)

    async def switch_close(self, request: web.Request) -> web.Response:
        """``PUT .../schedules/switch/close``: disable every schedule."""
        return await self._switch_all(request, 0)

    # -- configuration, logs, firmware --------------------------------------

    async def get_configs(self, request: web.Request) -> web.Response:
        """``GET /v1/devices/{device_id}/configs``."""
        account, device = self._device(request)
        return envelope_response(device.config(account.user_id))

    async def put_configs(self, request: web.Request) -> web.Response:
        """``PUT /v1/devices/{device_id}/configs`` with writable fields only."""
        account, device = self._device(request)
        changes = config_changes(await read_json_object(request))
        zone = changes.get("time_zone")
        if zone is not None and not await async_is_iana_zone(zone):
            raise ApiError.bad_request(f"timeZone {zone!r} is not an IANA zone name")
        for attribute, value in changes.items():
            setattr(device, attribute, value)
        return envelope_response(device.config(account.user_id))

    async def logs(self, request: web.Request) -> web.Response:
        """``GET /v1/devices/{device_id}/logs?page=&pageSize=``, newest first."""
        _, device = self._device(request)
        page, page_size = pagination(request.query)
        entries = device.logs_newest_first()
        start = (page - 1) * page_size
        return envelope_response(
            {
                "items": [
                    entry.to_api() for entry in entries[start : start + page_size]
                ],
                "total": len(entries),
                "page": page,
                "pageSize": page_size,
            }
        )

    async def ota_check(self, request: web.Request) -> web.Response:
        """``POST /v1/devices/{device_id}/otaCheck``."""
        _, device = self._device(request)
        await read_json_object(request)
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
        await read_json_object(request)
        self._require_online(device)
        updating = device.latest_firmware != device.firmware
        if updating:
            device.install_firmware(self._sim.now(), self._sim.firmware_install_seconds)
        return envelope_response(
            {"updating": updating, "version": device.latest_firmware}
        )


def _firmware_url(device: SimDevice) -> str:
    return f"https://firmware.moogo.example/{device.model}/{device.latest_firmware}.bin"
