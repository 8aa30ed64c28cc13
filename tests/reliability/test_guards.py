"""The suite's own detectors can fail: each one is shown a real offence.

Every matrix row ends with "no traceback in the log" and "nothing left
behind"; these tests prove those checks notice the problems they exist for.
"""

from __future__ import annotations

import logging
import sys

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from custom_components.moogo.api import MoogoClient
from tests.common import EMAIL, PASSWORD, PATIO_ID, Cloud, make_entry

from .common import leftovers, traceback_problems


def _fail() -> None:
    raise ValueError("boom")


def _record(
    name: str, level: int, message: str, *, with_traceback: bool
) -> logging.LogRecord:
    exc_info = None
    if with_traceback:
        try:
            _fail()
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord(name, level, __file__, 1, message, None, exc_info)


def test_traceback_check_flags_escapes_and_spares_diagnostics() -> None:
    """Escapes are flagged; HA's DEBUG "Full exception" and plain warnings are not."""
    flagged = [
        _record("custom_components.moogo", logging.ERROR, "boom", with_traceback=True),
        _record(
            "custom_components.moogo",
            logging.ERROR,
            "Unexpected error fetching moogo data",
            with_traceback=True,
        ),
        _record(
            "homeassistant.core", logging.ERROR, "Error doing job", with_traceback=True
        ),
        _record("aiohttp.server", logging.WARNING, "odd", with_traceback=True),
    ]
    spared = [
        _record(
            "custom_components.moogo", logging.DEBUG, "Full error:", with_traceback=True
        ),
        _record(
            "homeassistant.config_entries",
            logging.WARNING,
            "not ready",
            with_traceback=False,
        ),
        _record(
            "custom_components.moogo",
            logging.ERROR,
            "Error fetching moogo data: 503",
            with_traceback=False,
        ),
    ]
    assert len(traceback_problems(flagged)) == len(flagged)
    assert traceback_problems(spared) == []


async def test_leftover_check_finds_timers_and_own_sessions(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """A pending timer of ours, or a session nobody closes, is reported."""
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entry.runtime_data.commands.async_stop_mist_later(PATIO_ID, 600)
    assert any(item.startswith("timer") for item in leftovers(hass))

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert leftovers(hass) == []

    # A client without an injected session creates (and must close) its own.
    client = MoogoClient(EMAIL, PASSWORD, base_url=cloud.url)
    await client.get_devices()
    assert any(item.startswith("unclosed session") for item in leftovers(hass))
    await client.close()
    assert leftovers(hass) == []
    assert not async_get_clientsession(hass).closed
