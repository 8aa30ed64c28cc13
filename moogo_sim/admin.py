"""The control plane under ``/_admin/``: inspect and steer a running simulator.

Meant for demos, benchmarks and out-of-process tests (the CLI server); tests
in the same process can call :class:`~moogo_sim.MoogoSimulator` directly.
No authentication: the simulator only ever binds to a loopback address.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import fields
from functools import partial
from typing import Any

from aiohttp import web

from .cloud import TANK_LEVELS, SimCloud
from .messages import MESSAGE_BOXES
from .state import SimDevice
from .timezones import async_preload
from .validation import read_json_object

#: SimDevice fields the admin endpoint may set; the rest are identity or
#: history that only the simulator itself maintains.
_NOT_PATCHABLE = frozenset(
    {
        "device_id",
        "owner",
        "config_id",
        "schedules",
        "logs",
        "spray_records",
        "episodes",
        "commands",
        "firmware_install_ends_at",
    }
)
PATCHABLE_DEVICE_FIELDS = frozenset(
    item.name for item in fields(SimDevice) if item.name not in _NOT_PATCHABLE
)


type _Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class AdminError(Exception):
    """A bad admin request, answered as ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        """Remember the HTTP status and the message."""
        super().__init__(message)
        self.status = status
        self.message = message


def _reply(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    return await read_json_object(request, partial(AdminError, 400))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_seconds(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and value >= 0


def _is_whole(value: Any) -> bool:
    return _is_int(value) and value >= 0


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_optional_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


#: What each setting of ``POST /_admin/config`` may be set to.
_SETTING_CHECKS: dict[str, Callable[[Any], bool]] = {
    "reaction_delay": _is_seconds,
    "firmware_install_seconds": _is_seconds,
    "token_ttl": _is_whole,
    "lockout_after": _is_whole,
    "lockout_seconds": _is_whole,
    # null lifts the cap.
    "page_size_limit": lambda value: value is None or (_is_int(value) and value >= 1),
    "config_writes_replace": lambda value: isinstance(value, bool),
    "app_limits": lambda value: isinstance(value, bool),
}


#: Type checks for the device fields the simulator computes with.
_DEVICE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "online": lambda value: isinstance(value, bool),
    "spraying_seconds": lambda value: _is_int(value) and value >= 1,
    "schedule_switch_status": lambda value: _is_int(value) and value in {0, 1},
    "name": lambda value: isinstance(value, str) and bool(value),
    "time_zone": lambda value: isinstance(value, str),
    "overrides": lambda value: isinstance(value, dict),
    "missing_fields": _is_text_list,
}


#: What each field of ``POST /_admin/messages`` may be.
_MESSAGE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "email": _is_text,
    "title": _is_text,
    "content": _is_text,
    "box": lambda value: value in MESSAGE_BOXES,
    "type": _is_int,
    "device_id": _is_optional_text,
    "device_name": _is_optional_text,
    "created_at": _is_seconds,
    "is_read": lambda value: isinstance(value, bool),
    "overrides": lambda value: isinstance(value, dict),
    "missing_fields": _is_text_list,
}


def check_device_patch(patch: dict[str, Any]) -> dict[str, Any]:
    """Validate an admin device patch and return it ready for ``setattr``.

    Sensor-like values are passed through untouched on purpose (strings,
    nulls, odd levels): they exist to test a client's tolerance. Only the
    values the simulator itself computes with are type-checked.
    """
    unknown = sorted(set(patch) - PATCHABLE_DEVICE_FIELDS)
    if unknown:
        raise AdminError(400, f"unknown device field(s): {', '.join(unknown)}")
    for key, value in patch.items():
        check = _DEVICE_CHECKS.get(key)
        if check is not None and not check(value):
            raise AdminError(400, f"invalid value for {key}: {value!r}")
    result = dict(patch)
    if "missing_fields" in result:
        result["missing_fields"] = set(result["missing_fields"])
    return result


class AdminHandlers:
    """Handlers of the ``/_admin/`` endpoints."""

    def __init__(self, sim: SimCloud) -> None:
        """Control ``sim``."""
        self._sim = sim

    def routes(self) -> list[web.RouteDef]:
        """Return the admin route table."""
        return [
            web.get("/_admin/state", self._wrap(self.state)),
            web.post("/_admin/faults", self._wrap(self.set_faults)),
            web.post("/_admin/faults/reset", self._wrap(self.reset_faults)),
            web.post("/_admin/revoke", self._wrap(self.revoke)),
            web.get("/_admin/counters", self._wrap(self.counters)),
            web.post("/_admin/counters/reset", self._wrap(self.reset_counters)),
            web.post("/_admin/devices", self._wrap(self.add_device)),
            web.delete("/_admin/devices/{device_id}", self._wrap(self.remove_device)),
            web.post("/_admin/devices/{device_id}", self._wrap(self.patch_device)),
            web.post(
                "/_admin/devices/{device_id}/firmware", self._wrap(self.offer_firmware)
            ),
            web.post(
                "/_admin/devices/{device_id}/schedules/{schedule_id}/skip",
                self._wrap(self.skip_schedule),
            ),
            web.post(
                "/_admin/devices/{device_id}/spray-records",
                self._wrap(self.add_spray_record),
            ),
            web.post("/_admin/config", self._wrap(self.config)),
            web.post("/_admin/messages", self._wrap(self.add_message)),
            web.post("/_admin/messages/read", self._wrap(self.mark_messages_read)),
        ]

    @staticmethod
    def _wrap(handler: _Handler) -> _Handler:
        """Turn AdminError into a JSON error answer."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                response: web.StreamResponse = await handler(request)
            except AdminError as err:
                return _reply({"error": err.message}, err.status)
            return response

        return wrapped

    async def state(self, request: web.Request) -> web.Response:
        """``GET /_admin/state``: everything, for eyes and test assertions."""
        # Schedules' next runs are computed in each device's zone.
        await async_preload({device.time_zone for device in self._sim.devices})
        return _reply(self._sim.snapshot())

    async def set_faults(self, request: web.Request) -> web.Response:
        """``POST /_admin/faults``: merge settings into the fault config."""
        try:
            self._sim.faults.update(await _body(request))
        except ValueError as err:
            raise AdminError(400, str(err)) from None
        # An out-of-process test gets the same error sequence from the moment
        # it configures faults, whatever ran before.
        self._sim.injector.reseed()
        return _reply(self._sim.faults.as_dict())

    async def reset_faults(self, request: web.Request) -> web.Response:
        """``POST /_admin/faults/reset``."""
        self._sim.reset_faults()
        return _reply(self._sim.faults.as_dict())

    async def revoke(self, request: web.Request) -> web.Response:
        """``POST /_admin/revoke`` with an optional ``{"email": ...}``."""
        body = await _body(request)
        email = body.get("email")
        if email is not None and not isinstance(email, str):
            raise AdminError(400, "email must be a string")
        try:
            revoked = self._sim.revoke_tokens(email)
        except KeyError:
            raise AdminError(404, f"no account {email}") from None
        return _reply({"revoked": revoked})

    async def counters(self, request: web.Request) -> web.Response:
        """``GET /_admin/counters``."""
        return _reply(
            {"total": self._sim.total_requests, "counts": self._sim.request_counts}
        )

    async def reset_counters(self, request: web.Request) -> web.Response:
        """``POST /_admin/counters/reset``."""
        self._sim.reset_counts()
        return _reply({"total": 0, "counts": {}})

    async def add_device(self, request: web.Request) -> web.Response:
        """``POST /_admin/devices`` with ``{"email": ..., <device fields>}``."""
        body = await _body(request)
        email = body.pop("email", None)
        device_id = body.pop("device_id", None)
        if not isinstance(email, str):
            raise AdminError(400, "email is required")
        if device_id is not None and not isinstance(device_id, str):
            raise AdminError(400, "device_id must be a string")
        patch = check_device_patch(body)
        online = patch.pop("online", True)
        try:
            device = self._sim.add_device(email, device_id=device_id, online=online)
        except KeyError:
            raise AdminError(404, f"no account {email}") from None
        except ValueError as err:
            raise AdminError(400, str(err)) from None
        self._apply(device, patch)
        return _reply(self._sim.device_state(device), 201)

    async def remove_device(self, request: web.Request) -> web.Response:
        """``DELETE /_admin/devices/{device_id}``."""
        device_id = request.match_info["device_id"]
        try:
            self._sim.remove_device(device_id)
        except KeyError:
            raise AdminError(404, f"no device {device_id}") from None
        return _reply({"removed": device_id})

    async def patch_device(self, request: web.Request) -> web.Response:
        """``POST /_admin/devices/{device_id}``: change fields of a device."""
        device_id = request.match_info["device_id"]
        try:
            device = self._sim.device(device_id)
        except KeyError:
            raise AdminError(404, f"no device {device_id}") from None
        patch = check_device_patch(await _body(request))
        if "online" in patch:
            # Through the simulator, so the device log records the change.
            self._sim.set_online(device_id, patch.pop("online"))
        # Through the simulator too, so an emptied tank files its notice.
        for tank, key in TANK_LEVELS.items():
            if key in patch:
                self._sim.set_tank_level(device_id, tank, patch.pop(key))
        self._apply(device, patch)
        return _reply(self._sim.device_state(device))

    async def offer_firmware(self, request: web.Request) -> web.Response:
        """``POST /_admin/devices/{device_id}/firmware`` with ``{"version": ...}``."""
        device_id = request.match_info["device_id"]
        version = (await _body(request)).get("version")
        if not isinstance(version, str) or not version.strip():
            raise AdminError(400, "version must be a non-empty string")
        try:
            device = self._sim.offer_firmware(device_id, version)
        except KeyError:
            raise AdminError(404, f"no device {device_id}") from None
        return _reply(self._sim.device_state(device))

    async def skip_schedule(self, request: web.Request) -> web.Response:
        """``POST /_admin/devices/{device_id}/schedules/{schedule_id}/skip``.

        As if skip were pressed in the app.
        """
        device_id = request.match_info["device_id"]
        try:
            self._sim.skip_schedule(device_id, request.match_info["schedule_id"])
        except KeyError as err:
            raise AdminError(404, str(err.args[0])) from None
        return await self._device_reply(device_id)

    async def add_spray_record(self, request: web.Request) -> web.Response:
        """``POST /_admin/devices/{device_id}/spray-records``: seed the history.

        Body: ``{"ended_at": <Unix time>, "seconds": <int>}``.
        """
        device_id = request.match_info["device_id"]
        body = await _body(request)
        ended_at: Any = body.get("ended_at")
        seconds: Any = body.get("seconds")
        if not _is_seconds(ended_at) or not _is_whole(seconds):
            raise AdminError(400, "ended_at (Unix time) and seconds (int) required")
        try:
            self._sim.add_spray_record(device_id, ended_at, seconds)
        except KeyError:
            raise AdminError(404, f"no device {device_id}") from None
        return await self._device_reply(device_id)

    async def add_message(self, request: web.Request) -> web.Response:
        """``POST /_admin/messages``: file any message for an account.

        Body: ``{"email", "title"}`` and optionally ``content``, ``box``
        ("messages", "notice" or "log"), ``type`` (int), ``device_id``,
        ``device_name``, ``created_at`` (Unix time), ``is_read`` (bool), and
        for tolerance tests ``overrides`` (fields sent as given) and
        ``missing_fields`` (fields left out).
        """
        body = await _body(request)
        unknown = sorted(set(body) - set(_MESSAGE_CHECKS))
        if unknown:
            raise AdminError(400, f"unknown message field(s): {', '.join(unknown)}")
        for key, value in body.items():
            if not _MESSAGE_CHECKS[key](value):
                raise AdminError(400, f"invalid value for {key}: {value!r}")
        if "email" not in body or "title" not in body:
            raise AdminError(400, "email and title are required")
        email = body.pop("email")
        if "type" in body:
            body["message_type"] = body.pop("type")
        if "missing_fields" in body:
            body["missing_fields"] = set(body["missing_fields"])
        try:
            message = self._sim.add_message(email, **body)
        except KeyError as err:
            raise AdminError(404, str(err.args[0])) from None
        return _reply(message.to_admin(), 201)

    async def mark_messages_read(self, request: web.Request) -> web.Response:
        """``POST /_admin/messages/read`` with ``{"email"}`` and optionally ``ids``.

        As if the user read them in the app (all of them without ``ids``).
        """
        body = await _body(request)
        email, ids = body.get("email"), body.get("ids")
        if not isinstance(email, str):
            raise AdminError(400, "email is required")
        if ids is not None and not (
            isinstance(ids, list) and all(_is_int(item) for item in ids)
        ):
            raise AdminError(400, "ids must be a list of message ids")
        try:
            marked = self._sim.mark_messages_read(email, ids)
        except KeyError:
            raise AdminError(404, f"no account {email}") from None
        return _reply({"marked": marked})

    async def _device_reply(self, device_id: str) -> web.Response:
        device = self._sim.device(device_id)
        await async_preload([device.time_zone])
        return _reply(self._sim.device_state(device))

    @staticmethod
    def _apply(device: SimDevice, patch: dict[str, Any]) -> None:
        for key, value in patch.items():
            setattr(device, key, value)

    async def config(self, request: web.Request) -> web.Response:
        """``POST /_admin/config``: timing, auth policy, paging, writes and limits."""
        body = await _body(request)
        unknown = sorted(set(body) - set(_SETTING_CHECKS))
        if unknown:
            raise AdminError(400, f"unknown setting(s): {', '.join(unknown)}")
        for key, value in body.items():
            if not _SETTING_CHECKS[key](value):
                raise AdminError(400, f"invalid value for {key}: {value!r}")
        self._sim.configure(**body)
        return _reply(self._sim.settings())
