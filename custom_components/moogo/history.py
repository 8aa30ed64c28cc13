"""Each device's spray record in Home Assistant's long-term statistics.

Two external statistics per device, one row per hour (UTC): the seconds it
misted and the number of mists, each with a running sum, so that a
statistics graph shows misting time per day as the app's chart does.

No mist is counted twice: a read recomputes from the cloud's records every
hour after a kept row (``HISTORY_OVERLAP`` before the newest imported one)
and rewrites from the first hour that differs, sums continuing from the
kept row; the recorder replaces a row it has for an hour. So a repeated or
overlapping read changes nothing, and a late record moves the sums of its
hour and every later one. All of it is read back from the recorder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    async_list_statistic_ids,
    get_last_statistics,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util, slugify
from homeassistant.util.unit_conversion import DurationConverter

from .api import MoogoError, SprayRecord
from .const import (
    DOMAIN,
    HISTORY_AFTER_MIST_DELAY,
    HISTORY_BACKFILL,
    HISTORY_OVERLAP,
    HISTORY_READ_INTERVAL,
    HISTORY_READ_SPACING,
    LOGGER,
)
from .coordinator import MoogoCoordinator
from .data import turn_passed

HOUR = timedelta(hours=1)
# Rows read back per statistic: the overlap, and the row kept before it.
WINDOW_ROWS = int(HISTORY_OVERLAP / HOUR) + 1
# Turns fall at the same wall-clock moments across restarts.
_TURN_ORIGIN = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class HistoryKind:
    """One statistic of a device: what a mist adds to its hour, and the unit."""

    key: str
    unit: str | None
    unit_class: str | None
    amount: Callable[[SprayRecord], float]


MISTING_TIME = HistoryKind(
    "misting_time",
    UnitOfTime.SECONDS,
    DurationConverter.UNIT_CLASS,
    lambda record: float(record.seconds or 0),
)
MISTS = HistoryKind("mists", None, None, lambda _record: 1.0)
KINDS = (MISTING_TIME, MISTS)


def _nothing() -> None: ...  # cancels no timer


def _turn_passed(device_id: str, last: datetime | None, now: datetime) -> bool:
    return turn_passed(device_id, HISTORY_READ_INTERVAL, last, now, _TURN_ORIGIN)


def statistic_id(device_id: str, kind: HistoryKind) -> str:
    """Return the id of a device's statistic, e.g. ``moogo:mgpatio0001_mists``."""
    return f"{DOMAIN}:{slugify(device_id)}_{kind.key}"


def hour_of(moment: datetime) -> datetime:
    """Return the start of the UTC hour that contains ``moment``."""
    return dt_util.as_utc(moment).replace(minute=0, second=0, microsecond=0)


def mists_by_hour(
    records: Iterable[SprayRecord], first: datetime, last: datetime
) -> dict[datetime, list[SprayRecord]]:
    """Group the records of the hours ``first`` to ``last`` by hour.

    The client lists each entry once; one without a moment or length is no mist.
    """
    hours: dict[datetime, list[SprayRecord]] = {}
    for record in records:
        if record.created_at is None or record.seconds is None or record.seconds < 0:
            continue
        if first <= (hour := hour_of(record.created_at)) <= last:
            hours.setdefault(hour, []).append(record)
    return hours


@dataclass(frozen=True, slots=True)
class Imported:
    """What the recorder holds of one statistic.

    ``first``: the first hour a read recomputes; ``base``: the sum before it;
    ``rows``: the imported rows from it on (hour -> state, sum).
    """

    first: datetime
    base: float
    rows: Mapping[datetime, tuple[float | None, float | None]]

    @classmethod
    def read(
        cls, hass: HomeAssistant, device_id: str, kind: HistoryKind, now: datetime
    ) -> Imported:
        """Read the newest ``WINDOW_ROWS`` rows (in the recorder's executor)."""
        found = get_last_statistics(
            hass, WINDOW_ROWS, statistic_id(device_id, kind), False, {"state", "sum"}
        )
        rows = {
            dt_util.utc_from_timestamp(row["start"]): (row.get("state"), row.get("sum"))
            for row in found.get(statistic_id(device_id, kind), [])
        }
        if len(rows) < WINDOW_ROWS:
            # All of it is recomputed: from the first import's start, or the backfill's.
            return cls(min(rows, default=hour_of(now) - HISTORY_BACKFILL), 0.0, rows)
        kept = min(rows)
        return cls(kept + HOUR, rows.pop(kept)[1] or 0.0, rows)

    def rows_to_write(
        self,
        hours: Mapping[datetime, list[SprayRecord]],
        kind: HistoryKind,
        last: datetime,
    ) -> list[StatisticData]:
        """Return the rows from the first hour that differs up to ``last``."""
        written: list[StatisticData] = []
        total, hour = self.base, self.first
        while hour <= last:
            state = sum(kind.amount(record) for record in hours.get(hour, ()))
            total += state
            if written or self.rows.get(hour) != (state, total):
                written.append(StatisticData(start=hour, state=state, sum=total))
            hour += HOUR
        return written


class SprayHistoryImporter:
    """Reads each device's spray record when due and imports it as statistics.

    One read at a time, ``HISTORY_READ_SPACING`` apart: after a mist of the
    device ended, or on its turn. A failed read waits for the next turn.
    """

    def __init__(self, hass: HomeAssistant, coordinator: MoogoCoordinator) -> None:
        """Import the history of ``coordinator``'s devices; no I/O yet."""
        self._hass = hass
        self._coordinator = coordinator
        #: Devices waiting for a read, in order; True: after a mist (no turn check).
        self._queue: dict[str, bool] = {}
        #: When each device was last read (or, after a restart, imported up to).
        self._last_read: dict[str, datetime] = {}
        self._misting: dict[str, bool | None] = {}
        self._mist_timers: dict[str, CALLBACK_TYPE] = {}
        self._timer: CALLBACK_TYPE | None = None
        self._current: str | None = None
        self._next_request_at = dt_util.utcnow() + HISTORY_READ_SPACING
        self._failing: set[str] = set()
        self._swept = False
        self._closed = False

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the devices; return what stops it."""
        remove_listener = self._coordinator.async_add_listener(self._async_updated)
        self._async_updated()

        @callback
        def _stop() -> None:
            self._closed = True
            remove_listener()
            for cancel in (*self._mist_timers.values(), self._timer or _nothing):
                cancel()

        return _stop

    @callback
    def _async_updated(self) -> None:
        """Note mist ends and turns; clear devices gone from the account (and HA)."""
        devices = self._coordinator.data.devices if self._coordinator.data else {}
        now = dt_util.utcnow()
        for device_id, item in devices.items():
            misting = item.device.misting
            if self._misting.get(device_id) is True and misting is False:
                self._read_after_mist(device_id)
            self._misting[device_id] = misting
            # Not read in this run (no last read): at its place in the queue
            # the recorder tells whether its turn passed.
            waiting = device_id in self._queue or device_id == self._current
            if not waiting and _turn_passed(
                device_id, self._last_read.get(device_id), now
            ):
                self._queue[device_id] = False
        gone = self._misting.keys() - devices.keys()
        async_clear_history(self._hass, gone)
        for device_id in gone:
            del self._misting[device_id]
            self._last_read.pop(device_id, None)
            self._queue.pop(device_id, None)
            self._mist_timers.pop(device_id, _nothing)()
        self._kick()

    def _read_after_mist(self, device_id: str) -> None:
        self._mist_timers.pop(device_id, _nothing)()

        @callback
        def _due(_now: datetime) -> None:
            del self._mist_timers[device_id]
            self._queue[device_id] = True
            self._kick()

        self._mist_timers[device_id] = async_call_later(
            self._hass, HISTORY_AFTER_MIST_DELAY, _due
        )

    @callback
    def _kick(self) -> None:
        """Have the next queued device read once the spacing allows."""
        if self._closed or self._timer or self._current or not self._queue:
            return
        if (now := dt_util.utcnow()) >= self._next_request_at:
            self._async_next(now)
        else:
            wait = self._next_request_at - now
            self._timer = async_call_later(self._hass, wait, self._async_next)

    @callback
    def _async_next(self, _now: datetime) -> None:
        self._timer = None
        # At most one; none if its device left the account meanwhile.
        for device_id, after_mist in list(self._queue.items())[:1]:
            del self._queue[device_id]
            self._current = device_id
            self._coordinator.config_entry.async_create_background_task(
                self._hass,
                self._async_import(device_id, after_mist),
                f"moogo spray history {device_id}",
            )

    async def _async_import(self, device_id: str, after_mist: bool) -> None:
        try:
            if not self._swept:
                self._swept = True
                await async_clear_orphaned_history(self._hass)
            await self._async_read(device_id, after_mist)
        finally:
            self._current = None
            self._kick()

    async def _async_read(self, device_id: str, after_mist: bool) -> None:
        """Import one device's record, when due (one request at most)."""
        now = dt_util.utcnow()
        recorder = get_instance(self._hass)
        imported = {
            kind: await recorder.async_add_executor_job(
                Imported.read, self._hass, device_id, kind, now
            )
            for kind in KINDS
        }
        newest = max(imported[MISTING_TIME].rows, default=None)
        restarted = not after_mist and device_id not in self._last_read
        if (
            restarted
            and newest is not None
            and not _turn_passed(device_id, newest, now)
        ):
            # Imported on this turn before a restart: wait for the next one.
            self._last_read[device_id] = newest
            return
        self._last_read[device_id] = now
        self._next_request_at = now + HISTORY_READ_SPACING
        first = min(item.first for item in imported.values())
        try:
            # A day more each side: the cloud's dates may be in any time zone,
            # and the end's day may or may not be included.
            records = await self._coordinator.client.get_spray_history(
                device_id,
                (min(first, now) - timedelta(days=1)).date(),
                (now + timedelta(days=1)).date(),
            )
        except MoogoError as err:
            log = LOGGER.debug if device_id in self._failing else LOGGER.warning
            log("Spray history of %s failed (%s); next try on its turn", device_id, err)
            self._failing.add(device_id)
            return
        finally:
            self._coordinator.async_store_client_state()
        self._failing.discard(device_id)
        last = hour_of(now)
        self._write(device_id, imported, mists_by_hour(records, first, last), last)
        # The device's next read reads back what this one wrote.
        await recorder.async_block_till_done()

    def _write(
        self,
        device_id: str,
        imported: Mapping[HistoryKind, Imported],
        hours: Mapping[datetime, list[SprayRecord]],
        last: datetime,
    ) -> None:
        item = self._coordinator.data.devices.get(device_id)
        name = (item.device.name if item else None) or device_id
        # Also with no row to write: the name follows the device's.
        for kind, known in imported.items():
            async_add_external_statistics(
                self._hass,
                StatisticMetaData(
                    mean_type=StatisticMeanType.NONE,
                    has_sum=True,
                    name=f"{name} {kind.key.replace('_', ' ')}",
                    source=DOMAIN,
                    statistic_id=statistic_id(device_id, kind),
                    unit_class=kind.unit_class,
                    unit_of_measurement=kind.unit,
                ),
                known.rows_to_write(hours, kind, last),
            )


def _registered_ids(hass: HomeAssistant, entry_ids: Iterable[str]) -> set[str]:
    registry = dr.async_get(hass)
    return {
        identifier
        for entry_id in entry_ids
        for device in dr.async_entries_for_config_entry(registry, entry_id)
        for domain, identifier in device.identifiers
        if domain == DOMAIN
    }


@callback
def async_start_history(
    hass: HomeAssistant, coordinator: MoogoCoordinator
) -> CALLBACK_TYPE:
    """Import the devices' spray records while the recorder runs; else nothing."""
    if "recorder" not in hass.config.components:
        return lambda: None
    return SprayHistoryImporter(hass, coordinator).async_start()


@callback
def async_clear_history(hass: HomeAssistant, device_ids: Iterable[str]) -> None:
    """Delete the statistics of these Moogo devices."""
    _clear(
        hass,
        [statistic_id(device_id, kind) for device_id in device_ids for kind in KINDS],
    )


def _clear(hass: HomeAssistant, statistic_ids: list[str]) -> None:
    if statistic_ids and "recorder" in hass.config.components:
        get_instance(hass).async_clear_statistics(statistic_ids)


@callback
def async_clear_entry_history(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the statistics of an entry's devices (the entry is being removed)."""
    async_clear_history(hass, _registered_ids(hass, [entry_id]))


async def async_clear_orphaned_history(hass: HomeAssistant) -> None:
    """Delete the statistics of devices that left HA while nothing listened.

    The registry keeps the devices of every account, loaded or not.
    """
    entry_ids = [entry.entry_id for entry in hass.config_entries.async_entries(DOMAIN)]
    kept = {
        statistic_id(device_id, kind)
        for device_id in _registered_ids(hass, entry_ids)
        for kind in KINDS
    }
    orphans = [
        found["statistic_id"]
        for found in await async_list_statistic_ids(hass, statistic_type="sum")
        if found["source"] == DOMAIN and found["statistic_id"] not in kept
    ]
    _clear(hass, orphans)
