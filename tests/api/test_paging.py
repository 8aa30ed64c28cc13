"""Unit tests of the paging rules on scripted pages; no network involved.

The same rules run against the simulator in ``test_lists.py``; here each
page is exactly what a test needs, including shapes no simulator knob makes.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Any

import pytest

from custom_components.moogo.api import MoogoResponseError
from custom_components.moogo.api.const import MAX_PAGES
from custom_components.moogo.api.paging import Pages, read_pages


class ScriptedPages:
    """A list endpoint answering page ``n`` with ``answer(n)``; counts its calls."""

    def __init__(self, answer: Callable[[int], Any]) -> None:
        self.answer = answer
        self.asked: list[int] = []

    async def __call__(self, page: int) -> Any:
        self.asked.append(page)
        return self.answer(page)

    async def read(self, page_size: int = 3, id_key: str = "id") -> Pages:
        return await read_pages(self, what="things", page_size=page_size, id_key=id_key)


def numbered(count: int) -> list[dict[str, Any]]:
    return [{"id": str(number)} for number in range(count)]


def paged(
    entries: list[Any], size: int, **extra: Any
) -> Callable[[int], dict[str, Any]]:
    """Pages of ``size`` entries (a server capping the size asked for)."""

    def answer(page: int) -> dict[str, Any]:
        return {"items": entries[(page - 1) * size : page * size], **extra}

    return answer


async def test_follows_total_over_capped_pages() -> None:
    entries = numbered(7)
    pages = ScriptedPages(paged(entries, 2, total=7))
    result = await pages.read(page_size=10)
    assert result.items == entries
    assert pages.asked == [1, 2, 3, 4]


@pytest.mark.parametrize("total", ["7", 7.0])
async def test_total_as_a_number_in_another_type(total: Any) -> None:
    pages = ScriptedPages(paged(numbered(7), 2, total=total))
    assert len((await pages.read(page_size=10)).items) == 7


@pytest.mark.parametrize("total", [None, "many", -1, 1.5, True, [7], {"n": 7}])
async def test_without_a_usable_total_a_short_page_ends_the_list(total: Any) -> None:
    pages = ScriptedPages(paged(numbered(7), 2, total=total))
    result = await pages.read(page_size=2)
    assert len(result.items) == 7
    assert pages.asked == [1, 2, 3, 4]

    capped = ScriptedPages(paged(numbered(7), 2, total=total))
    assert len((await capped.read(page_size=10)).items) == 2
    assert capped.asked == [1]


async def test_a_bare_list_is_one_page_without_total() -> None:
    pages = ScriptedPages(lambda page: numbered(2) if page == 1 else [])
    result = await pages.read(page_size=5)
    assert result == Pages(numbered(2), None)
    assert pages.asked == [1]


async def test_an_empty_page_past_the_end_ends_the_list() -> None:
    # A total larger than what there is: the empty page after the last ends it.
    pages = ScriptedPages(paged(numbered(5), 2, total=50))
    assert len((await pages.read(page_size=2)).items) == 5
    assert pages.asked == [1, 2, 3, 4]


async def test_a_repeated_page_short_of_the_total_is_an_error() -> None:
    """A shorter list would remove devices from Home Assistant: refuse it."""
    pages = ScriptedPages(lambda page: {"items": numbered(3), "total": 30})
    with pytest.raises(MoogoResponseError, match="incomplete: 3 of 30 after 2 pages"):
        await pages.read(page_size=3)
    assert pages.asked == [1, 2]


async def test_a_repeated_page_without_a_total_ends_the_list() -> None:
    pages = ScriptedPages(lambda page: {"items": numbered(3)})
    assert (await pages.read(page_size=3)).items == numbered(3)
    assert pages.asked == [1, 2]


async def test_overlapping_pages_keep_each_entry_once() -> None:
    pages = ScriptedPages(lambda page: {"items": numbered(2 + page)[-3:], "total": 5})
    result = await pages.read(page_size=3)
    assert result.items == numbered(5)
    assert pages.asked == [1, 2, 3]


async def test_entries_without_ids_are_compared_whole() -> None:
    first = [{"seconds": 60, "createdAt": 1}, {"seconds": 60, "createdAt": 2}]

    def answer(page: int) -> dict[str, Any]:
        # Page 2 repeats page 1 in another key order: the same entries.
        items = first if page == 1 else [dict(reversed(e.items())) for e in first]
        return {"items": items, "total": 10}

    pages = ScriptedPages(answer)
    with pytest.raises(MoogoResponseError, match="incomplete: 2 of 10"):
        await pages.read(page_size=2)
    assert pages.asked == [1, 2]


async def test_the_id_key_is_the_lists_own() -> None:
    devices = [{"deviceId": "A", "id": 1}, {"deviceId": "B", "id": 1}]
    pages = ScriptedPages(lambda page: {"items": devices, "total": 2})
    assert (await pages.read(id_key="deviceId")).items == devices


async def test_garbage_entries_are_dropped_and_a_garbage_page_ends() -> None:
    pages = ScriptedPages(
        lambda page: {"items": [{"id": "a"}, 3, None] if page == 1 else ["x", 4]}
    )
    result = await pages.read(page_size=3)
    assert result.items == [{"id": "a"}]
    assert pages.asked == [1, 2]


async def test_null_items_is_an_empty_list() -> None:
    pages = ScriptedPages(lambda page: {"items": None, "total": 3, "extra": 1})
    assert await pages.read() == Pages([], {"items": None, "total": 3, "extra": 1})


@pytest.mark.parametrize("answer", [None, "items", {"items": "nope"}])
async def test_a_page_that_is_no_list_is_a_typed_error(answer: Any) -> None:
    with pytest.raises(MoogoResponseError, match="Expected a list for things"):
        await ScriptedPages(lambda page: answer).read()


async def test_reading_stops_after_the_page_bound(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A server that never runs out of new entries.
    pages = ScriptedPages(
        lambda page: {"items": [{"id": f"{page}-{n}"} for n in range(3)], "total": -1}
    )
    with caplog.at_level(logging.DEBUG):
        result = await pages.read(page_size=3)
    assert pages.asked == list(range(1, MAX_PAGES + 1))
    assert len(result.items) == 3 * MAX_PAGES
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "after 50 pages" in warnings[0].getMessage()


async def test_the_page_bound_short_of_the_total_is_an_error() -> None:
    pages = ScriptedPages(
        lambda page: {"items": [{"id": f"{page}-{n}"} for n in range(3)], "total": 999}
    )
    with pytest.raises(MoogoResponseError, match="incomplete: 150 of 999 after 50"):
        await pages.read(page_size=3)
    assert len(pages.asked) == MAX_PAGES


async def test_entries_too_deep_to_compare_are_kept() -> None:
    deep: list[Any] = []
    for _ in range(200_000):
        deep = [deep]
    pages = ScriptedPages(
        lambda page: {"items": [{"nested": deep}] if page == 1 else [], "total": 5}
    )
    assert len((await pages.read()).items) == 1
    assert pages.asked == [1, 2]
