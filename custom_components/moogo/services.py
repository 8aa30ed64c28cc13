"""Actions of the Moogo integration: timed mists and schedule edits."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
import probatio as vol

from .api import Schedule
from .const import (
    ATTR_DURATION,
    ATTR_ENABLED,
    ATTR_SCHEDULE_ID,
    ATTR_TIME,
    ATTR_UNTIL,
    ATTR_WEEKDAYS,
    DOMAIN,
    MIST_SECONDS_MAX,
    MIST_SECONDS_MIN,
    PAUSE_MAX,
    SERVICE_ADD_SCHEDULE,
    SERVICE_MIST,
    SERVICE_PAUSE,
    SERVICE_REMOVE_SCHEDULE,
    SERVICE_RESUME,
    WEEKDAYS,
)
from .coordinator import MoogoConfigEntry, MoogoCoordinator
from .helpers import run_command, shown_device_name
from .schedule import check_room_for_schedule, offered_duration, weekday_names

# Whole seconds within the app's range. The mist's is Home Assistant's own
# timer, so any second in it will do; a schedule's must be one the app offers
# (checked with a translated reason when the action runs).
DURATION_SCHEMA = vol.All(
    vol.Coerce(int), vol.Range(min=MIST_SECONDS_MIN, max=MIST_SECONDS_MAX)
)
MIST_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_DURATION): DURATION_SCHEMA,
    }
)
ADD_SCHEDULE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_TIME): cv.time,
        vol.Required(ATTR_DURATION): DURATION_SCHEMA,
        vol.Optional(ATTR_WEEKDAYS, default=list(WEEKDAYS)): vol.All(
            cv.ensure_list, [vol.In(WEEKDAYS)], vol.Length(min=1)
        ),
        vol.Optional(ATTR_ENABLED, default=True): cv.boolean,
    }
)
# A schedule is picked by its time (and weekdays, when several share the
# time), as the user sees it; the id stays for automations that kept the one
# add_schedule returned.
# Neither a time nor an id is refused when the action runs, in words: the
# schema's own error would show the whole request.
REMOVE_SCHEDULE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_TIME): cv.time,
        vol.Optional(ATTR_WEEKDAYS): vol.All(
            cv.ensure_list, [vol.In(WEEKDAYS)], vol.Length(min=1)
        ),
        vol.Optional(ATTR_SCHEDULE_ID): cv.string,
    }
)

# A duration or an end; which one (exactly one) is checked when the action
# runs, in words.
PAUSE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_DURATION): cv.positive_time_period,
        vol.Optional(ATTR_UNTIL): cv.datetime,
    }
)
RESUME_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})


def _target(hass: HomeAssistant, device_entry_id: str) -> tuple[MoogoCoordinator, str]:
    """Resolve an HA device id to the coordinator and the Moogo device id."""
    device = dr.async_get(hass).async_get(device_entry_id)
    moogo_id = (
        next((ident for domain, ident in device.identifiers if domain == DOMAIN), None)
        if device
        else None
    )
    if device is None or moogo_id is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_device",
            translation_placeholders={"device_id": device_entry_id},
        )
    entry: MoogoConfigEntry | None = hass.config_entries.async_get_entry(
        device.config_entry_id
    )
    if (
        entry is not None
        and entry.domain == DOMAIN
        and entry.state is ConfigEntryState.LOADED
        and moogo_id in entry.runtime_data.data.devices
    ):
        return entry.runtime_data, moogo_id
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="device_not_loaded",
        translation_placeholders={"device_id": device_entry_id},
    )


async def _async_mist(call: ServiceCall) -> None:
    coordinator, device_id = _target(call.hass, call.data[ATTR_DEVICE_ID])
    duration: int = call.data[ATTR_DURATION]
    config = coordinator.data.devices[device_id].config
    # The cloud has no duration parameter: the device mists for its default
    # and HA stops it earlier. A longer mist cannot be honoured.
    if config and config.mist_seconds and duration > config.mist_seconds:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="duration_too_long",
            translation_placeholders={
                "duration": str(duration),
                "maximum": str(config.mist_seconds),
            },
        )
    await run_command(coordinator, coordinator.client.start_mist(device_id), device_id)
    coordinator.commands.async_expect_misting(device_id, True)
    coordinator.commands.async_stop_mist_later(device_id, duration)


def _schedules_of(
    coordinator: MoogoCoordinator, device_id: str
) -> tuple[Schedule, ...]:
    item = coordinator.data.devices.get(device_id)
    return (item.schedules or ()) if item else ()


def _minute_of(call: ServiceCall) -> time:
    """Return the call's time; schedules run on whole minutes, seconds are refused."""
    start: time = call.data[ATTR_TIME]
    if start.second or start.microsecond:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="time_has_seconds",
            translation_placeholders={"time": start.isoformat()},
        )
    return start


async def _async_add_schedule(call: ServiceCall) -> ServiceResponse:
    coordinator, device_id = _target(call.hass, call.data[ATTR_DEVICE_ID])
    start = _minute_of(call)
    duration = offered_duration(
        call.data[ATTR_DURATION], translation_key="duration_not_offered"
    )
    check_room_for_schedule(coordinator.data.devices[device_id].schedules)
    known_ids = {item.schedule_id for item in _schedules_of(coordinator, device_id)}
    schedule = await run_command(
        coordinator,
        coordinator.client.create_schedule(
            device_id,
            hour=start.hour,
            minute=start.minute,
            duration=duration,
            weekdays=[WEEKDAYS.index(day) for day in call.data[ATTR_WEEKDAYS]],
            enabled=call.data[ATTR_ENABLED],
        ),
        device_id,
    )
    await coordinator.async_refresh_slow_data(device_id)
    if schedule is not None and schedule.schedule_id is not None:
        return {"schedule_id": schedule.schedule_id}
    # The cloud created the schedule without echoing it: find it among the
    # schedules that were not there before, unless that is ambiguous.
    created = [
        schedule.schedule_id
        for schedule in _schedules_of(coordinator, device_id)
        if schedule.schedule_id not in known_ids
        and (schedule.hour, schedule.minute, schedule.duration)
        == (start.hour, start.minute, duration)
    ]
    return {"schedule_id": created[0] if len(created) == 1 else None}


def _schedule_to_remove(
    call: ServiceCall, schedules: tuple[Schedule, ...] | None
) -> str:
    """Return the id of the one schedule the call describes."""
    if ATTR_SCHEDULE_ID in call.data:
        schedule_id: str = call.data[ATTR_SCHEDULE_ID]
        if schedules is not None and all(
            item.schedule_id != schedule_id for item in schedules
        ):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_schedule",
                translation_placeholders={"schedule_id": schedule_id},
            )
        return schedule_id
    if ATTR_TIME not in call.data:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="schedule_not_named"
        )
    start = _minute_of(call)
    days = set(call.data.get(ATTR_WEEKDAYS, ()))
    matches = [
        item
        for item in schedules or ()
        if item.schedule_id is not None
        and (item.hour, item.minute) == (start.hour, start.minute)
        and (not days or set(weekday_names(item.repeat_days)) == days)
    ]
    placeholders = {"time": start.strftime("%H:%M")}
    if not matches:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_schedule_at",
            translation_placeholders=placeholders,
        )
    if len(matches) > 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="ambiguous_schedule",
            translation_placeholders=placeholders | {"count": str(len(matches))},
        )
    return str(matches[0].schedule_id)


async def _async_remove_schedule(call: ServiceCall) -> None:
    coordinator, device_id = _target(call.hass, call.data[ATTR_DEVICE_ID])
    if coordinator.data.devices[device_id].device.online is False:
        # Its schedules may never have been read: say why nothing can happen
        # rather than that the schedule does not exist.
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="device_offline"
        )
    schedule_id = _schedule_to_remove(
        call, coordinator.data.devices[device_id].schedules
    )
    await run_command(
        coordinator,
        coordinator.client.delete_schedule(device_id, schedule_id),
        device_id,
    )
    await coordinator.async_refresh_slow_data(device_id)


def _pause_end(call: ServiceCall) -> datetime:
    """Return when the call's pause ends: after its duration, or at its end."""
    if (ATTR_DURATION in call.data) == (ATTR_UNTIL in call.data):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="pause_not_timed"
        )
    now = dt_util.utcnow()
    if ATTR_DURATION in call.data:
        duration: timedelta = call.data[ATTR_DURATION]
        until = now + duration
    else:
        # A time without a zone is Home Assistant's, as the date picker means it.
        until = dt_util.as_utc(call.data[ATTR_UNTIL])
    shown = dt_util.as_local(until).strftime("%Y-%m-%d %H:%M")
    if until <= now:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="pause_in_past",
            translation_placeholders={"until": shown},
        )
    if until - now > PAUSE_MAX:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="pause_too_long",
            translation_placeholders={
                "until": shown,
                "days": str(PAUSE_MAX.days),
            },
        )
    return until


def _refusal(
    coordinator: MoogoCoordinator, device_id: str, *, translation_key: str
) -> ServiceValidationError:
    """Refuse a pause or resume, naming the device as Home Assistant shows it."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders={"device": shown_device_name(coordinator, device_id)},
    )


async def _async_pause(call: ServiceCall) -> ServiceResponse:
    coordinator, device_id = _target(call.hass, call.data[ATTR_DEVICE_ID])
    until = _pause_end(call)
    item = coordinator.data.devices[device_id]
    if item.paused_until is None and item.schedule_switch is False:
        # Resuming at the end would switch on schedules the user turned off.
        raise _refusal(coordinator, device_id, translation_key="schedules_already_off")
    await run_command(
        coordinator, coordinator.pauses.async_pause(device_id, until), device_id
    )
    return {"until": until.isoformat()}


async def _async_resume(call: ServiceCall) -> None:
    coordinator, device_id = _target(call.hass, call.data[ATTR_DEVICE_ID])
    if coordinator.data.devices[device_id].paused_until is None:
        raise _refusal(coordinator, device_id, translation_key="not_paused")
    await run_command(
        coordinator, coordinator.pauses.async_resume(device_id), device_id
    )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions; they resolve their config entry per call."""
    hass.services.async_register(DOMAIN, SERVICE_MIST, _async_mist, schema=MIST_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_ADD_SCHEDULE,
        _async_add_schedule,
        schema=ADD_SCHEDULE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_REMOVE_SCHEDULE,
        _async_remove_schedule,
        schema=REMOVE_SCHEDULE_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_PAUSE,
        _async_pause,
        schema=PAUSE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_RESUME, _async_resume, schema=RESUME_SCHEMA
    )


__all__: list[Any] = ["async_setup_services"]
