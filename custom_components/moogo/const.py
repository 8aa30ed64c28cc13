"""Constants of the Moogo integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "moogo"
LOGGER = logging.getLogger(__package__)

CONF_API_URL: Final = "api_url"
CONF_TOKEN: Final = "token"  # noqa: S105 - a config key, not a secret
# When the client may sign in again after a lockout (ISO 8601), kept in the
# entry so that setup retries and restarts do not extend the cloud's lock.
CONF_LOGIN_BLOCKED_UNTIL: Final = "login_blocked_until"

# Readings change slowly and the cloud locks out noisy accounts: 30 s is a
# compromise between fresh tank/misting states and request volume.
UPDATE_INTERVAL: Final = timedelta(seconds=30)
# The list (one request per account) carries every device's online and
# misting state; a device's readings (temperature, humidity, tanks) change
# slowly outdoors, so its detail is read when its list entry changes and
# otherwise once in this interval, at a fixed point per device.
DETAILS_UPDATE_INTERVAL: Final = timedelta(minutes=5)
# Schedules and configuration only change when someone edits them; HA's own
# edits re-read them at once, so a slow poll catches changes from the app.
SLOW_UPDATE_INTERVAL: Final = timedelta(minutes=30)
# HA's shared session waits up to 5 minutes (aiohttp's default); the client
# gives each request this many seconds instead, sign-ins included.
REQUEST_TIMEOUT: Final = 15.0
# Bound on concurrent per-device requests in one refresh.
# 50 lets a typical account go out in one batch (measured: 50 devices refresh
# in 2-3 round trips instead of 4-5 with 20); requests per refresh stay the same.
MAX_CONCURRENT_REQUESTS: Final = 50
# runStatus follows a start/stop after 3-5 s; until then HA shows the commanded
# state. The commanded device alone is read when it can first have reacted,
# then every second until it has (at most COMMAND_CONFIRM_ATTEMPTS reads).
COMMAND_CONFIRM_DELAY: Final = timedelta(seconds=3)
COMMAND_CONFIRM_INTERVAL: Final = timedelta(seconds=1)
COMMAND_CONFIRM_ATTEMPTS: Final = 6
# How long the commanded state wins over contrary cloud reports.
COMMAND_PENDING_TIMEOUT: Final = timedelta(seconds=20)
# A mist's end is read this long after it is due, so the pump has stopped.
MIST_END_READ_DELAY: Final = timedelta(seconds=1)

# A throttled data request (the token still works): poll this slowly until the
# cloud answers again, instead of asking again every UPDATE_INTERVAL.
RATE_LIMITED_UPDATE_INTERVAL: Final = timedelta(minutes=10)

# Firmware rarely changes: ask the cloud a few times a day (and when the user
# asks), never on the regular poll.
FIRMWARE_CHECK_INTERVAL: Final = timedelta(hours=6)
# A device installing firmware is offline for a few minutes; past this the
# install is reported as failed.
FIRMWARE_INSTALL_TIMEOUT: Final = timedelta(minutes=15)

ISSUE_RATE_LIMITED: Final = "rate_limited"

ATTR_DURATION: Final = "duration"
ATTR_TIME: Final = "time"
ATTR_WEEKDAYS: Final = "weekdays"
ATTR_ENABLED: Final = "enabled"
ATTR_SCHEDULE_ID: Final = "schedule_id"
ATTR_UNTIL: Final = "until"

SERVICE_MIST: Final = "mist"
SERVICE_ADD_SCHEDULE: Final = "add_schedule"
SERVICE_REMOVE_SCHEDULE: Final = "remove_schedule"
SERVICE_PAUSE: Final = "pause"
SERVICE_RESUME: Final = "resume"

# The longest timed pause: longer ones are forgotten more often than wanted
# (the master switch turns schedules off for good).
PAUSE_MAX: Final = timedelta(days=14)

# Weekday names of the action fields, in the API's order (0 = Sunday).
WEEKDAYS: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")

# Mist durations in seconds: exactly what the app's one duration picker offers
# (schedules, the default mist). Whether the cloud takes the seconds between
# them is unknown, so nothing else is offered or sent.
MIST_DURATIONS: Final = (20, 30, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100,
                         105, 110, 115, 120)  # fmt: skip
MIST_SECONDS_MIN: Final = MIST_DURATIONS[0]
MIST_SECONDS_MAX: Final = MIST_DURATIONS[-1]
# The coarsest step of a number entity that reaches every offered duration.
MIST_SECONDS_STEP: Final = 5
# The app: "You may add up to 20 schedules" (per device).
MAX_SCHEDULES: Final = 20

# The app's mix ratio "N : 1": a whole number of at most three digits.
MIX_RATIO_MIN: Final = 1
MIX_RATIO_MAX: Final = 999

# The client's sign-in state besides the lockout (refused credentials, the
# floor between sign-ins, the streak of unusable answers), kept in the entry
# with a fingerprint of the credentials it holds for.
CONF_SIGN_IN: Final = "sign_in"
# Its keys; the fingerprint is redacted from diagnostics.
SIGN_IN_CREDENTIALS: Final = "credentials_fingerprint"
SIGN_IN_REFUSED: Final = "refused"
SIGN_IN_NOT_BEFORE: Final = "not_before"
SIGN_IN_UNUSABLE: Final = "unusable_answers"
ISSUE_SIGN_IN_PAUSED: Final = "sign_in_paused"

# Spray history in Home Assistant's long-term statistics (history.py). Each
# device's record is read after one of its mists ends and otherwise once in
# this interval, at a fixed point per device.
HISTORY_READ_INTERVAL: Final = timedelta(hours=6)
# The first import reaches this far back; the app's chart shows up to 90 days.
HISTORY_BACKFILL: Final = timedelta(days=30)
# Each read recomputes the hours this far before the newest imported one: a
# record the cloud lists late (a device that was offline) still counts once.
HISTORY_OVERLAP: Final = timedelta(hours=48)
# Reads of the record go out one at a time, this far apart (never a burst at
# start-up); the first one this long after setup. At most 30 an hour: the
# first reads of 50 devices take 100 minutes, and their first hour stays
# within 1,000 requests (measured: 30 s apart made it 1,004).
HISTORY_READ_SPACING: Final = timedelta(minutes=2)
# A mist's record is read this long after HA saw it end: the device reports
# it to the cloud itself.
HISTORY_AFTER_MIST_DELAY: Final = timedelta(minutes=1)
