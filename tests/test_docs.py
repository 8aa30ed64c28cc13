"""The docs cannot drift: cited tests exist, and every Python block runs.

Each ```python block of the executed docs runs here, on its own, against the
simulator, exactly as written except for two documented substitutions (see
"How the snippets on this page run" in docs/session-injection.md):

* the account names the snippets use (``EMAIL``, ``PASSWORD``, ``OTHER_EMAIL``,
  ``OTHER_PASSWORD``) are set to simulator accounts;
* every ``MoogoClient(...)`` call without ``base_url=`` gets the simulator's
  URL, added to the parsed code (an AST rewrite, not a text edit).

A line ``print(...)  # text`` must print ``text``. A block that leaves an
``aiohttp.ClientSession`` of its own open fails, unless its first line is a
``# Mistake`` comment (the pitfalls show leaks on purpose).

``aiomoogo`` is the installed name of ``custom_components.moogo.api``; here
the snippets import that very module under the name, so one copy of the
client (and of its exception classes) is loaded, not two.
"""

from __future__ import annotations

import ast
from contextlib import redirect_stdout
from dataclasses import dataclass
import inspect
import io
from pathlib import Path
import re
import sys
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.moogo import api as moogo_api
from moogo_sim import MoogoSimulator
from tests.common import TEST_EMAIL, TEST_PASSWORD

REPO_ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
# Each doc and how many test citations it must at least have.
CITING_DOCS = {"docs/session-injection.md": 10, "README.md": 3}
EXECUTED_DOCS = ["docs/session-injection.md", "README.md"]
FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<code>.*?)^```", re.MULTILINE | re.DOTALL)
PRINT_WITH_OUTPUT = re.compile(r"^\s*print\(.*\)  # (?P<output>.+)$")
CLIENT_CALL = re.compile(r"await \w+\.(authenticate|get_devices)\(")
OTHER_EMAIL = "neighbour@example.com"
OTHER_PASSWORD = "neighbour-Pass-4"


@pytest.mark.parametrize("doc", CITING_DOCS)
def test_cited_tests_exist(doc: str) -> None:
    text = (REPO_ROOT / doc).read_text(encoding="utf-8")
    citations = CITATION.findall(text)
    assert len(citations) >= CITING_DOCS[doc], "expected the doc to cite its tests"
    missing = [
        f"{path}::{name}"
        for path, name in citations
        if not (REPO_ROOT / path).is_file()
        or not re.search(
            rf"^(async )?def {name}\(",
            (REPO_ROOT / path).read_text("utf-8"),
            re.MULTILINE,
        )
    ]
    assert not missing, f"{doc} cites tests that do not exist: {missing}"


@dataclass(frozen=True)
class Block:
    """One ```python block of a doc."""

    doc: str
    line: int
    code: str

    @property
    def name(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def is_mistake(self) -> bool:
        return self.code.lstrip().startswith("# Mistake")

    @property
    def needs_home_assistant(self) -> bool:
        return "homeassistant" in self.code

    def expected_output(self) -> list[str]:
        return [
            match["output"]
            for line in self.code.splitlines()
            if (match := PRINT_WITH_OUTPUT.match(line))
        ]


def python_blocks(doc: str) -> list[Block]:
    text = (REPO_ROOT / doc).read_text(encoding="utf-8")
    return [
        Block(doc, text.count("\n", 0, match.start()) + 1, match["code"])
        for match in FENCE.finditer(text)
        if match["lang"] == "python"
    ]


ALL_BLOCKS = [block for doc in EXECUTED_DOCS for block in python_blocks(doc)]
HA_BLOCKS = [block for block in ALL_BLOCKS if block.needs_home_assistant]
PLAIN_BLOCKS = [block for block in ALL_BLOCKS if not block.needs_home_assistant]


def test_the_docs_have_blocks_to_run() -> None:
    # The block tests would pass vacuously if the extraction found nothing.
    session_doc = [b for b in ALL_BLOCKS if b.doc == "docs/session-injection.md"]
    assert len(session_doc) >= 14
    assert sum(block.is_mistake for block in session_doc) == 3
    assert len(HA_BLOCKS) == 1
    assert [b for b in ALL_BLOCKS if b.doc == "README.md"]


def compile_for_simulator(block: Block, url: str) -> Any:
    """Compile a block with ``base_url=url`` added to its ``MoogoClient`` calls."""
    tree = ast.parse(block.code, filename=block.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "MoogoClient"
            and not any(keyword.arg == "base_url" for keyword in node.keywords)
        ):
            node.keywords.append(ast.keyword("base_url", ast.Constant(url)))
    ast.fix_missing_locations(tree)
    return compile(tree, block.name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


async def run_block(
    block: Block,
    sim: MoogoSimulator,
    monkeypatch: pytest.MonkeyPatch,
    **names: Any,
) -> dict[str, Any]:
    """Run one block against ``sim``; return its namespace."""
    monkeypatch.setitem(sys.modules, "aiomoogo", moogo_api)
    sim.add_account(OTHER_EMAIL, OTHER_PASSWORD)
    sim.add_device(OTHER_EMAIL, name="Neighbour's Yard")
    namespace: dict[str, Any] = {
        "__name__": "__doc_snippet__",
        "EMAIL": TEST_EMAIL,
        "PASSWORD": TEST_PASSWORD,
        "OTHER_EMAIL": OTHER_EMAIL,
        "OTHER_PASSWORD": OTHER_PASSWORD,
        **names,
    }
    printed = io.StringIO()
    with redirect_stdout(printed):
        # Compiled with top-level await allowed: evaluating gives a coroutine
        # when the block awaits anything.
        result = eval(compile_for_simulator(block, sim.url), namespace)  # noqa: S307 - our own docs
        if inspect.iscoroutine(result):
            await result
    assert printed.getvalue().splitlines() == block.expected_output()
    return namespace


async def close_leftover_sessions(
    block: Block, namespace: dict[str, Any], *, keep: object = None
) -> list[str]:
    """Close the sessions a block left open; return the names of those."""
    left_open = [
        name
        for name, value in namespace.items()
        if isinstance(value, aiohttp.ClientSession)
        and not value.closed
        and value is not keep
    ]
    for name in left_open:
        await namespace[name].close()
    return [] if block.is_mistake else left_open


@pytest.mark.parametrize("block", PLAIN_BLOCKS, ids=lambda block: block.name)
async def test_python_block_runs_against_the_simulator(
    block: Block, moogo_simulator: MoogoSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests_before = moogo_simulator.total_requests
    namespace = await run_block(block, moogo_simulator, monkeypatch)
    assert not await close_leftover_sessions(block, namespace)
    if CLIENT_CALL.search(block.code) and "MoogoSessionClosedError" not in block.code:
        # The client's calls reached the simulator, not some other cloud (the
        # closed-session pitfall sends nothing, by design).
        assert moogo_simulator.total_requests > requests_before


@pytest.mark.parametrize("block", HA_BLOCKS, ids=lambda block: block.name)
async def test_home_assistant_block_runs_in_home_assistant(
    block: Block,
    hass: HomeAssistant,
    moogo_simulator: MoogoSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    namespace = await run_block(block, moogo_simulator, monkeypatch, hass=hass)
    shared = async_get_clientsession(hass)
    assert namespace["session"] is shared
    assert not await close_leftover_sessions(block, namespace, keep=shared)
    assert moogo_simulator.account(TEST_EMAIL).login_count == 1
