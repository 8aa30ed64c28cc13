"""The simulated cloud's data model: accounts, devices, schedules and history.

Nothing here runs on a timer. Time-dependent state (is the device spraying,
when did the last spray end) is derived from timestamps whenever someone asks,
using the simulator's injectable clock. That keeps tests deterministic with a
fake clock and leaves no asyncio timers behind when the server stops.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import tzinfo
import itertools
from typing import Any, Final, Literal

from .timezones import loaded_zone, next_occurrence

#: Every weekday, Sunday first, in the wire format of ``repeatSet``.
EVERY_DAY = "0,1,2,3,4,5,6"

#: A new device's configuration, as SimDevice attributes; a replacing
#: ``PUT /configs`` (``config_writes_replace``) resets what it leaves out to these.
CONFIG_FACTORY_DEFAULTS: Final[dict[str, Any]] = {
    "stop_temperature": 10,
    "stop_rainy": 1,
    "stop_snow": 1,
    "stop_windstorm": 0,
    "liquid_name": "Moogo Mosquito Concentrate",
    "liquid_concentration": 100,
    "spraying_seconds": 60,
    "time_zone": "America/Los_Angeles",
}

#: How long the app's device self-test runs the pump ("about three minutes").
SELF_TEST_SECONDS: Final = 180
#: Below this temperature (°C) the device is locked against frost: the cloud
#: refuses a start with code 10202 (the app).
FROST_LOCK_CELSIUS: Final = 8
#: How many start / stop commands a device keeps (the oldest go first).
COMMAND_LOG_SIZE: Final = 100

_log_sequence = itertools.count()


def wire_epoch(moment: float | None, *, in_ms: bool = False) -> int | None:
    """Return a Unix time as the cloud sends it: whole seconds, or milliseconds."""
    if moment is None:
        return None
    return int(moment * 1000) if in_ms else int(moment)


def _as_celsius(value: Any) -> float | None:
    """Return a temperature as a number; tolerance tests may set it as text."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def wire_number(value: Any) -> Any:
    """Return an integral float as an int (the app's ``int`` fields), else as is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class SimAccount:
    """A Moogo account: credentials, identity and token bookkeeping."""

    email: str
    password: str = field(repr=False)
    user_id: str
    #: The name the sign-in answer carries (the app shows it).
    nickname: str = ""
    login_count: int = 0
    #: Live tokens and the Unix time each one expires at.
    tokens: dict[str, float] = field(default_factory=dict, repr=False)
    #: Consecutive failed logins since the last success (drives the lockout).
    failed_logins: int = 0
    #: While ``clock() < locked_until`` every login answers code 10000.
    locked_until: float | None = None


@dataclass
class SimSchedule:
    """One spray schedule of a device, in the device's local time.

    A skip is kept as the moment it was pressed: the run it suppresses is the
    first one after that moment, so the mark clears by itself once that run's
    start passes, whatever the time zone or the schedule's time is by then.
    """

    schedule_id: str
    hour: int
    minute: int
    duration: int
    repeat_set: str = EVERY_DAY
    status: int = 1
    #: How many times skip was pressed.
    skip_count: int = 0
    #: When skip was last pressed (Unix time); None if never.
    last_skipped_at: float | None = None
    #: When the schedule last changed (create, edit, enable / disable, skip).
    updated_at: float | None = None

    @property
    def is_one_off(self) -> bool:
        """Tell whether the schedule runs once (no weekdays) rather than weekly."""
        return not self.repeat_set.strip()

    def skip(self, now: float) -> None:
        """Press skip: the next run after ``now`` will not happen."""
        self.skip_count += 1
        self.last_skipped_at = now
        self.updated_at = now

    def run_after(self, moment: float, zone: tzinfo | None) -> float:
        """Return the start of the first run after ``moment`` by the weekly rule."""
        return next_occurrence(moment, zone, self.hour, self.minute, self.repeat_set)

    def is_skip(self, now: float, zone: tzinfo | None) -> bool:
        """Tell whether the next run is marked to be skipped."""
        if self.last_skipped_at is None:
            return False
        return now < self.run_after(self.last_skipped_at, zone)

    def next_spraying_time(
        self, now: float, zone: tzinfo | None, *, switch_on: bool = True
    ) -> float | None:
        """Return when the schedule sprays next; None when it will not.

        It does not while it or the device's master switch is off; a skipped
        run gives way to the one after it (a one-off has none).
        """
        if not switch_on or self.status != 1:
            return None
        upcoming = self.run_after(now, zone)
        if not self.is_skip(now, zone):
            return upcoming
        return None if self.is_one_off else self.run_after(upcoming, zone)

    def to_api(
        self,
        now: float,
        zone: tzinfo | None = None,
        *,
        switch_on: bool = True,
        in_ms: bool = False,
    ) -> dict[str, Any]:
        """Render the schedule as the cloud sends it (epochs in s, or ms).

        ``zone`` is the device's (UTC when None); ``switch_on`` its master switch.
        """
        return {
            "id": self.schedule_id,
            "hour": self.hour,
            "minute": self.minute,
            "duration": self.duration,
            "repeatSet": self.repeat_set,
            "status": self.status,
            "is_skip": self.is_skip(now, zone),
            "skipCount": self.skip_count,
            "lastSkippedAt": wire_epoch(self.last_skipped_at, in_ms=in_ms),
            "nextSprayingTime": wire_epoch(
                self.next_spraying_time(now, zone, switch_on=switch_on), in_ms=in_ms
            ),
            "updatedAt": wire_epoch(self.updated_at, in_ms=in_ms),
        }


@dataclass(frozen=True)
class LogEntry:
    """One event in a device's internal log (for eyes; the API serves sprays)."""

    timestamp: float
    event: str
    details: str
    #: Tie-breaker so that events with the same timestamp keep their order.
    sequence: int = field(default_factory=lambda: next(_log_sequence))


@dataclass(frozen=True)
class SprayRecord:
    """One mist in the spray history: when it ended and how long it sprayed."""

    record_id: int
    ended_at: float
    seconds: int

    def to_api(self, *, in_ms: bool = False) -> dict[str, Any]:
        """Render the record as ``GET .../logs`` sends it."""
        return {
            "id": self.record_id,
            "createdAt": wire_epoch(self.ended_at, in_ms=in_ms),
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class SprayCommand:
    """A start or stop that reached a device: when, which, its mode, the answer."""

    at: float
    command: Literal["start", "stop"]
    #: The ``mode`` the request carried, as sent; None when it carried none.
    mode: str | None
    #: The envelope code answered: 0, or why the device refused (10201, 10202).
    code: int = 0

    def to_api(self) -> dict[str, Any]:
        """Render the command for the admin state."""
        return {
            "at": self.at,
            "command": self.command,
            "mode": self.mode,
            "code": self.code,
        }


@dataclass
class SprayEpisode:
    """One spray, from the moment the pump starts to the moment it stops.

    Times are effective times (command time plus the reaction delay), so the
    episode alone answers "is it spraying at t" for any t.
    """

    started_at: float
    planned_seconds: float
    stopped_at: float | None = None

    @property
    def natural_end(self) -> float:
        """When the pump stops by itself after its configured duration."""
        return self.started_at + self.planned_seconds

    @property
    def cut_short(self) -> bool:
        """Tell whether a stop command ends the spray before its natural end."""
        return self.stopped_at is not None and self.stopped_at < self.natural_end

    @property
    def ends_at(self) -> float:
        """When the pump stops: the natural end or an earlier stop command."""
        if self.stopped_at is None:
            return self.natural_end
        return min(self.natural_end, self.stopped_at)

    def active_at(self, moment: float) -> bool:
        """Tell whether the pump runs at ``moment``."""
        return self.started_at <= moment < self.ends_at


@dataclass
class SimDevice:
    """A misting device and everything the cloud stores about it.

    Tests may change the sensor-like fields directly (``temperature``,
    ``water_level``...), including to odd values such as strings, to exercise
    a client's tolerance: they are sent as they are.
    """

    device_id: str
    owner: str
    name: str
    online: bool = True
    model: str = "MG-01"
    firmware: str = "1.2.3"
    #: Firmware offered by otaCheck; equal to ``firmware`` means up to date.
    latest_firmware: str = "1.2.3"
    temperature: Any = 24.5
    humidity: Any = 55
    rssi: Any = -58
    water_level: Any = 1
    liquid_level: Any = 1
    #: The concentrate's mix ratio "N : 1" (detail and configuration alike).
    liquid_concentration: Any = CONFIG_FACTORY_DEFAULTS["liquid_concentration"]
    #: Only in the detail (community notes); nothing writes it.
    mix_ratio: Any = 10
    spraying_seconds: int = CONFIG_FACTORY_DEFAULTS["spraying_seconds"]
    time_zone: str = CONFIG_FACTORY_DEFAULTS["time_zone"]
    stop_temperature: Any = CONFIG_FACTORY_DEFAULTS["stop_temperature"]
    #: Weather pauses, 0 or 1 as the app's configuration carries them.
    stop_rainy: int = CONFIG_FACTORY_DEFAULTS["stop_rainy"]
    stop_snow: int = CONFIG_FACTORY_DEFAULTS["stop_snow"]
    stop_windstorm: int = CONFIG_FACTORY_DEFAULTS["stop_windstorm"]
    liquid_name: str = CONFIG_FACTORY_DEFAULTS["liquid_name"]
    config_id: str = ""
    #: The master schedule switch (``scheduleSwitchStatus``): 1 on, 0 off.
    #: Schedules run only while it and their own ``status`` are on.
    schedule_switch_status: int = 1
    latest_spraying_end: float | None = None
    latest_spraying_duration: int | None = None
    schedules: list[SimSchedule] = field(default_factory=list)
    # Kept out of the repr so that assertion messages stay readable.
    logs: list[LogEntry] = field(default_factory=list, repr=False)
    #: The spray history, oldest first: one record per mist that ended.
    spray_records: list[SprayRecord] = field(default_factory=list, repr=False)
    episodes: list[SprayEpisode] = field(default_factory=list, repr=False)
    #: The latest start / stop commands with the mode each carried, oldest first.
    commands: deque[SprayCommand] = field(
        default_factory=lambda: deque(maxlen=COMMAND_LOG_SIZE), repr=False
    )
    #: Keys forced into the summary/detail output (tolerance tests).
    overrides: dict[str, Any] = field(default_factory=dict)
    #: Keys dropped from the summary/detail output (tolerance tests).
    missing_fields: set[str] = field(default_factory=set)
    #: While installing firmware: when the device comes back online with it.
    firmware_install_ends_at: float | None = None

    # -- firmware -----------------------------------------------------------

    def install_firmware(self, now: float, seconds: float) -> None:
        """Install ``latest_firmware``: offline for ``seconds``, then back with it.

        With no install time the new version is there at once.
        """
        self.add_log(
            now, "ota_update", f"firmware {self.firmware} -> {self.latest_firmware}"
        )
        if seconds <= 0:
            self.firmware = self.latest_firmware
            return
        self.online = False
        self.firmware_install_ends_at = now + seconds
        self.add_log(now, "offline", "installing firmware")

    def _settle_firmware(self, now: float) -> None:
        ends_at = self.firmware_install_ends_at
        if ends_at is None or now < ends_at:
            return
        self.firmware_install_ends_at = None
        self.firmware = self.latest_firmware
        self.online = True
        self.add_log(ends_at, "online", f"restarted with firmware {self.firmware}")

    # -- spraying ---------------------------------------------------------

    def settle(self, now: float) -> None:
        """Fold sprays that ended by ``now`` into the history and latest-spray fields.

        Called before every read so that lazily evaluated history (the record
        of a spray that ended on its own, latestSprayingEnd) is visible
        exactly from the moment it happened.
        """
        self._settle_firmware(now)
        still_running: list[SprayEpisode] = []
        for episode in self.episodes:
            if episode.ends_at > now:
                still_running.append(episode)
                continue
            end = episode.ends_at
            sprayed = round(end - episode.started_at)
            self.add_spray_record(end, sprayed)
            how = "stopped" if episode.cut_short else "finished"
            self.add_log(end, "spray_end", f"sprayed {sprayed} s ({how})")
        self.episodes = still_running

    @property
    def frost_locked(self) -> bool:
        """Tell whether the device is below 8 °C, so a start is refused (10202).

        A temperature that reads as no number (a tolerance test's null or
        word) locks nothing.
        """
        celsius = _as_celsius(self.temperature)
        return celsius is not None and celsius < FROST_LOCK_CELSIUS

    def is_spraying(self, now: float) -> bool:
        """Tell whether the pump runs at ``now`` (whatever the connectivity)."""
        return any(episode.active_at(now) for episode in self.episodes)

    def run_status(self, now: float) -> int:
        """Return ``runStatus``: the cloud only knows what an online device says."""
        return 1 if self.online and self.is_spraying(now) else 0

    def start_spraying(
        self, now: float, delay: float, seconds: float | None = None
    ) -> None:
        """Accept a start command; the pump reacts ``delay`` seconds later.

        It sprays ``seconds``, by default the configured ``sprayingSeconds``.
        """
        planned = float(self.spraying_seconds if seconds is None else seconds)
        effective = now + delay
        self.add_log(now, "start", f"start for {planned:g} s")
        if any(episode.active_at(effective) for episode in self.episodes):
            # The device is (or will be) spraying already: it ignores the command.
            return
        self.episodes.append(SprayEpisode(effective, planned))

    def stop_spraying(self, now: float, delay: float) -> None:
        """Accept a stop command; the pump reacts ``delay`` seconds later."""
        effective = now + delay
        self.add_log(now, "stop", "manual stop")
        kept: list[SprayEpisode] = []
        for episode in self.episodes:
            if episode.started_at >= effective:
                # Stopped before the pump even started: nothing was sprayed.
                continue
            if episode.ends_at > effective:
                episode.stopped_at = effective
            kept.append(episode)
        self.episodes = kept

    # -- history --------------------------------------------------------------

    def add_log(self, timestamp: float, event: str, details: str) -> None:
        """Append one event to the internal device log."""
        self.logs.append(LogEntry(timestamp, event, details))

    def add_spray_record(self, ended_at: float, seconds: int) -> SprayRecord:
        """Add a mist to the spray history; the newest one is the latest spray."""
        record = SprayRecord(len(self.spray_records) + 1, ended_at, seconds)
        self.spray_records.append(record)
        latest = self.latest_spraying_end
        if latest is None or ended_at >= latest:
            self.latest_spraying_end = ended_at
            self.latest_spraying_duration = seconds
        return record

    def spray_history(
        self, since: float | None = None, until: float | None = None
    ) -> list[SprayRecord]:
        """Return the mists that ended in ``[since, until)``, newest first."""
        return sorted(
            (
                record
                for record in self.spray_records
                if (since is None or record.ended_at >= since)
                and (until is None or record.ended_at < until)
            ),
            key=lambda record: (record.ended_at, record.record_id),
            reverse=True,
        )

    # -- schedules ------------------------------------------------------------

    def schedule(self, schedule_id: str) -> SimSchedule | None:
        """Return the schedule with this id, if the device has it."""
        for schedule in self.schedules:
            if schedule.schedule_id == schedule_id:
                return schedule
        return None

    @property
    def zone(self) -> tzinfo | None:
        """The device's time zone if loaded (request handlers preload it)."""
        return loaded_zone(self.time_zone)

    def schedule_to_api(
        self, schedule: SimSchedule, now: float, *, in_ms: bool = False
    ) -> dict[str, Any]:
        """Render one of the device's schedules in its zone, under its master switch."""
        return schedule.to_api(
            now, self.zone, switch_on=self.schedule_switch_status == 1, in_ms=in_ms
        )

    def schedules_to_api(
        self, now: float, *, in_ms: bool = False
    ) -> list[dict[str, Any]]:
        """Render every schedule of the device."""
        return [
            self.schedule_to_api(schedule, now, in_ms=in_ms)
            for schedule in self.schedules
        ]

    # -- rendering ------------------------------------------------------------

    def _shape(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Apply the tolerance-test overrides and omissions."""
        payload.update(self.overrides)
        for key in self.missing_fields:
            payload.pop(key, None)
        return payload

    def _identity(self, now: float) -> dict[str, Any]:
        """Return the fields the device list and the device detail both carry."""
        return {
            "deviceId": self.device_id,
            "deviceName": self.name,
            "onlineStatus": 1 if self.online else 0,
            "runStatus": self.run_status(now),
            "firmware": self.firmware,
            "deviceModel": self.model,
        }

    def summary(self, now: float) -> dict[str, Any]:
        """Render the device as an item of ``GET /v1/devices``."""
        return self._shape(self._identity(now))

    def detail(self, now: float, *, ms_timestamps: bool = False) -> dict[str, Any]:
        """Render the device as ``GET /v1/devices/{id}`` does.

        ``liquid_level`` and ``water_level`` are snake_case on purpose: the
        real service spells them so, unlike every other field.
        """
        payload = {
            **self._identity(now),
            "rssi": self.rssi,
            "temperature": self.temperature,
            "humidity": self.humidity,
            "liquid_level": self.liquid_level,
            "water_level": self.water_level,
            "liquidConcentration": self.liquid_concentration,
            "mixRatio": self.mix_ratio,
            "latestSprayingDuration": self.latest_spraying_duration,
            "latestSprayingEnd": wire_epoch(
                self.latest_spraying_end, in_ms=ms_timestamps
            ),
        }
        return self._shape(payload)

    # -- configuration --------------------------------------------------------

    def config(self, user_id: str) -> dict[str, Any]:
        """Render ``GET /v1/devices/{id}/configs`` (flags as 0/1, as the app has them)."""
        return {
            "id": self.config_id,
            "deviceId": self.device_id,
            "userId": user_id,
            "liquidName": self.liquid_name,
            "liquidConcentration": self.liquid_concentration,
            "sprayingSeconds": self.spraying_seconds,
            "stopRainy": self.stop_rainy,
            "stopSnow": self.stop_snow,
            "stopWindstorm": self.stop_windstorm,
            "stopTemperature": wire_number(self.stop_temperature),
            "timeZone": self.time_zone,
            # The device has what the cloud stores: the simulator never lags.
            "syncStatus": True,
        }

    def apply_config(self, changes: dict[str, Any], *, replace: bool) -> None:
        """Store validated configuration changes (SimDevice attribute names).

        ``replace``: the body is the whole configuration, so every setting it
        leaves out goes back to its factory default.
        """
        if replace:
            for attribute, value in CONFIG_FACTORY_DEFAULTS.items():
                setattr(self, attribute, value)
        for attribute, value in changes.items():
            setattr(self, attribute, value)
