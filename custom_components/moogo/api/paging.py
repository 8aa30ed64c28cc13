"""Reading a paged list whole, from a cloud that may misreport its pages.

The app always asks for pages; the cloud's default page size is unknown and
a server may cap a page below the size asked. So a list is read page after
page until it is known complete, and never for longer than ``MAX_PAGES``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import json
import logging
from typing import Any, NamedTuple

from .const import MAX_PAGES
from .exceptions import MoogoResponseError
from .parsing import as_int, as_str, entries_of

_LOGGER = logging.getLogger(__name__)

type PageFetcher = Callable[[int], Awaitable[Any]]


class Pages(NamedTuple):
    """The objects of every page, and the first page's answer for its other fields."""

    items: list[Mapping[str, Any]]
    first: Mapping[str, Any] | None


async def read_pages(
    fetch: PageFetcher, *, what: str, page_size: int, id_key: str
) -> Pages:
    """Fetch pages 1, 2, ... of a list until it is complete.

    The read stops when the entries read reach ``total`` (when the answer
    gives a non-negative integer; without one, at a page shorter than
    ``page_size``), at a page that adds no entry (empty, past the end, or a
    page the server repeats), or after ``MAX_PAGES`` pages. Entries are told
    apart by their ``id_key`` (whole objects without one): each is kept once.

    A read that ends short of the ``total`` the cloud gave because pages
    repeat or never end is an error, not a shorter list: a device missing
    from a list would be removed from Home Assistant.
    """
    items: list[Mapping[str, Any]] = []
    seen: set[tuple[str, object]] = set()
    first: Mapping[str, Any] | None = None
    total: int | None = None
    for page in range(1, MAX_PAGES + 1):
        data = await fetch(page)
        if page == 1 and isinstance(data, Mapping):
            first = data
        entries = entries_of(data, what)
        added = 0
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            key = _identity(entry, id_key)
            if key not in seen:
                seen.add(key)
                items.append(entry)
                added += 1
        if not added:
            if entries:
                _LOGGER.debug("Page %s of %s repeats entries read before", page, what)
                _check_complete(items, total, what, page)
            return Pages(items, first)
        total = _total(data)
        if (total is None and len(entries) < page_size) or (
            total is not None and len(items) >= total
        ):
            return Pages(items, first)
    _check_complete(items, total, what, MAX_PAGES)
    _LOGGER.warning(
        "Stopped reading %s after %s pages; the Moogo cloud kept sending more",
        what,
        MAX_PAGES,
    )
    return Pages(items, first)


def _check_complete(
    items: list[Mapping[str, Any]], total: int | None, what: str, pages: int
) -> None:
    """Raise when the cloud said how many entries there are and sent fewer."""
    if total is not None and len(items) < total:
        raise MoogoResponseError(
            f"The Moogo cloud's list of {what} is incomplete: {len(items)} of "
            f"{total} after {pages} pages"
        )


def _total(data: Any) -> int | None:
    """Return the answer's ``total`` when it is a usable count, else None."""
    if not isinstance(data, Mapping):
        return None
    raw = data.get("total")
    total = None if isinstance(raw, bool) else as_int(raw)
    return total if total is not None and total >= 0 else None


def _identity(entry: Mapping[str, Any], id_key: str) -> tuple[str, object]:
    """Tell entries apart: by id, else by their whole content."""
    if (entry_id := as_str(entry.get(id_key))) is not None:
        return ("id", entry_id)
    try:
        return ("object", json.dumps(entry, sort_keys=True))
    except TypeError, ValueError, RecursionError:
        # Nothing to compare by (nested too deep): count it as new.
        return ("instance", id(entry))
