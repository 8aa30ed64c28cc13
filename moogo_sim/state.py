"""The simulated cloud's data model: accounts, devices, schedules and logs.

Nothing here runs on a timer. Time-dependent state (is the device spraying,
when did the last spray end) is derived from timestamps whenever someone asks,
using the simulator's injectable clock. That keeps tests deterministic with a
fake clock and leaves no asyncio timers behind when the server stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import itertools
from typing import Any

#: Every weekday, Sunday first, in the wire format of ``repeatSet``.
EVERY_DAY = "0,1,2,3,4,5,6"

_log_sequence = itertools.count()


@dataclass
class SimAccount:
    """A Moogo account: credentials, identity and token bookkeeping."""

    email: str
    password: str = field(repr=False)
    user_id: str
    login_count: int = 0
    #: Live tokens and the Unix time each one expires at.
    tokens: dict[str, float] = field(default_factory=dict, repr=False)
    #: Consecutive failed logins since the last success (drives the lockout).
    failed_logins: int = 0
    #: While ``clock() < locked_until`` every login answers code 10000.
    locked_until: float | None = None


@dataclass
class SimSchedule:
    """One spray schedule of a device, in the device's local time."""

    schedule_id: str
    hour: int
    minute: int
    duration: int
    repeat_set: str = EVERY_DAY
    status: int = 1
    #: Start of the occurrence that "skip" suppresses; None when not skipping.
    skip_until: float | None = None

    def skip_next(self, now: float) -> bool:
        """Tell whether the next occurrence is still marked to be skipped."""
        return self.skip_until is not None and now < self.skip_until

    def to_api(self, now: float) -> dict[str, Any]:
        """Render the schedule as the cloud sends it."""
        return {
            "id": self.schedule_id,
            "hour": self.hour,
            "minute": self.minute,
            "duration": self.duration,
            "repeatSet": self.repeat_set,
            "status": self.status,
            "skipNext": self.skip_next(now),
        }


@dataclass(frozen=True)
class LogEntry:
    """One event in a device's log."""

    timestamp: float
    event: str
    details: str
    #: Tie-breaker so that events with the same timestamp keep their order.
    sequence: int = field(default_factory=lambda: next(_log_sequence))

    def to_api(self) -> dict[str, Any]:
        """Render the entry as the cloud sends it (Unix seconds)."""
        return {
            "timestamp": int(self.timestamp),
            "event": self.event,
            "details": self.details,
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
    liquid_concentration: Any = 5
    mix_ratio: Any = 10
    spraying_seconds: int = 60
    time_zone: str = "America/Los_Angeles"
    stop_temperature: Any = 10
    stop_rainy: bool = True
    stop_snow: bool = True
    stop_windstorm: bool = False
    liquid_name: str = "Moogo Mosquito Concentrate"
    config_id: str = ""
    latest_spraying_end: float | None = None
    latest_spraying_duration: int | None = None
    schedules: list[SimSchedule] = field(default_factory=list)
    # Kept out of the repr so that assertion messages stay readable.
    logs: list[LogEntry] = field(default_factory=list, repr=False)
    episodes: list[SprayEpisode] = field(default_factory=list, repr=False)
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
        """Fold sprays that ended by ``now`` into the latest-spray fields.

        Called before every read so that lazily evaluated history (the log
        entry of a spray that ended on its own, latestSprayingEnd) is visible
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
            self.latest_spraying_end = end
            self.latest_spraying_duration = sprayed
            how = "stopped" if episode.cut_short else "finished"
            self.add_log(end, "spray_end", f"sprayed {sprayed} s ({how})")
        self.episodes = still_running

    def is_spraying(self, now: float) -> bool:
        """Tell whether the pump runs at ``now`` (whatever the connectivity)."""
        return any(episode.active_at(now) for episode in self.episodes)

    def run_status(self, now: float) -> int:
        """Return ``runStatus``: the cloud only knows what an online device says."""
        return 1 if self.online and self.is_spraying(now) else 0

    def start_spraying(self, now: float, delay: float) -> None:
        """Accept a start command; the pump reacts ``delay`` seconds later."""
        effective = now + delay
        self.add_log(now, "start", f"manual start for {self.spraying_seconds} s")
        if any(episode.active_at(effective) for episode in self.episodes):
            # The device is (or will be) spraying already: it ignores the command.
            return
        self.episodes.append(SprayEpisode(effective, float(self.spraying_seconds)))

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

    # -- logs and rendering -------------------------------------------------

    def add_log(self, timestamp: float, event: str, details: str) -> None:
        """Append one event to the device log."""
        self.logs.append(LogEntry(timestamp, event, details))

    def logs_newest_first(self) -> list[LogEntry]:
        """Return the log newest first, as the app shows it."""
        return sorted(
            self.logs, key=lambda entry: (entry.timestamp, entry.sequence), reverse=True
        )

    def schedule(self, schedule_id: str) -> SimSchedule | None:
        """Return the schedule with this id, if the device has it."""
        for schedule in self.schedules:
            if schedule.schedule_id == schedule_id:
                return schedule
        return None

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
        end = self.latest_spraying_end
        if end is not None:
            end = int(end * 1000) if ms_timestamps else int(end)
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
            "latestSprayingEnd": end,
        }
        return self._shape(payload)

    def config(self, user_id: str) -> dict[str, Any]:
        """Render ``GET /v1/devices/{id}/configs``."""
        return {
            "id": self.config_id,
            "deviceId": self.device_id,
            "userId": user_id,
            "stopTemperature": self.stop_temperature,
            "stopRainy": self.stop_rainy,
            "stopSnow": self.stop_snow,
            "stopWindstorm": self.stop_windstorm,
            "liquidName": self.liquid_name,
            "liquidConcentration": self.liquid_concentration,
            "timeZone": self.time_zone,
            "sprayingSeconds": self.spraying_seconds,
        }
