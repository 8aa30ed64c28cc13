"""Words inside placeholders, in Home Assistant's language.

Placeholders are filled in before the text around them is translated, so
the words they carry (short weekday names, how a calendar event repeats)
come from the translations too: the selector sections that hold them. So
do the titles of calendar runs, which Home Assistant does not translate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from .const import DOMAIN, WEEKDAYS
from .schedule import api_weekday

_ENGLISH_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_ENGLISH_REPEATS = {
    "yearly": "yearly",
    "monthly": "monthly",
    "hourly": "hourly",
    "interval": "every few days or weeks",
    "end": "with an end",
}
_ENGLISH_MIST = "Mist · {seconds} s"


@dataclass(frozen=True, slots=True)
class Words:
    """Short weekday names (API order, 0 = Sunday), repeat kinds and a run's title."""

    weekdays: tuple[str, ...] = _ENGLISH_DAYS
    repeats: Mapping[str, str] = field(default_factory=lambda: dict(_ENGLISH_REPEATS))
    mist: str = _ENGLISH_MIST

    def mist_title(self, seconds: int) -> str:
        """Title a scheduled run by what it does and for how long ("Mist · 60 s")."""
        return self.mist.replace("{seconds}", str(seconds))

    def run(self, start: datetime) -> str:
        """Name a run by its weekday and time, as refusals name it ("Mon 19:00")."""
        return f"{self.weekdays[api_weekday(start)]} {start:%H:%M}"


#: The words before any translation is loaded (and in tests of pure functions).
ENGLISH = Words()


async def async_load_words(hass: HomeAssistant) -> Words:
    """Return the words in Home Assistant's language (English where one is missing)."""
    strings = await async_get_translations(
        hass, hass.config.language, "selector", {DOMAIN}
    )
    prefix = f"component.{DOMAIN}.selector"

    def word(section: str, option: str, english: str) -> str:
        return strings.get(f"{prefix}.{section}.options.{option}") or english

    return Words(
        tuple(
            word("weekday_short", day, english)
            for day, english in zip(WEEKDAYS, _ENGLISH_DAYS, strict=True)
        ),
        {
            kind: word("calendar_repeat", kind, english)
            for kind, english in _ENGLISH_REPEATS.items()
        },
        word("calendar_event", "mist", _ENGLISH_MIST),
    )
