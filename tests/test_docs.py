"""Docs that cite tests must cite tests that exist."""

from __future__ import annotations

from pathlib import Path
import re

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
CITING_DOCS = ["docs/session-injection.md"]


@pytest.mark.parametrize("doc", CITING_DOCS)
def test_cited_tests_exist(doc: str) -> None:
    text = (REPO_ROOT / doc).read_text(encoding="utf-8")
    citations = CITATION.findall(text)
    assert len(citations) >= 10, "expected the doc to cite its tests"
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
