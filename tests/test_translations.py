"""Every translation says all that strings.json says, with the same placeholders."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest

INTEGRATION = Path(__file__).parents[1] / "custom_components" / "moogo"
TRANSLATIONS = INTEGRATION / "translations"
# The languages the README promises besides English.
LANGUAGES = ("de", "es", "fr", "it", "nl", "pl", "pt-BR", "sv")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _texts(node: Any, path: str = "") -> dict[str, str]:
    """Every string of a translation file by its key path."""
    if isinstance(node, dict):
        found: dict[str, str] = {}
        for key, value in node.items():
            found |= _texts(value, f"{path}.{key}" if path else key)
        return found
    assert isinstance(node, str), f"{path}: not text"
    return {path: node}


def _load(path: Path) -> dict[str, str]:
    return _texts(json.loads(path.read_text(encoding="utf-8")))


ENGLISH = _load(INTEGRATION / "strings.json")


def test_the_promised_languages_are_shipped() -> None:
    shipped = {path.stem for path in TRANSLATIONS.glob("*.json")} - {"en"}
    assert set(LANGUAGES) <= shipped


@pytest.mark.parametrize(
    "path",
    sorted(TRANSLATIONS.glob("*.json")),
    ids=lambda path: path.stem,
)
def test_a_translation_has_exactly_the_keys_and_placeholders_of_strings_json(
    path: Path,
) -> None:
    texts = _load(path)
    assert texts.keys() == ENGLISH.keys(), (
        f"missing: {sorted(ENGLISH.keys() - texts.keys())}; "
        f"extra: {sorted(texts.keys() - ENGLISH.keys())}"
    )
    wrong = {
        key: text
        for key, text in texts.items()
        if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(ENGLISH[key]))
    }
    assert not wrong, wrong
    assert all(text.strip() for text in texts.values())
