"""The cloud client must stay publishable on its own: no Home Assistant imports.

Every ``.py`` file of ``custom_components/moogo/api`` is parsed with ``ast``
(nothing is imported, so a forbidden import cannot hide behind a lazy or
conditional import) and any reference to the ``homeassistant`` package fails
the test: ``import homeassistant...``, ``from homeassistant... import ...``,
dynamic imports of it by name, and relative imports that climb out of the
``api`` package into the integration (which does import Home Assistant).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

API_DIR = Path(__file__).resolve().parent.parent / "custom_components" / "moogo" / "api"
FORBIDDEN = "homeassistant"
DYNAMIC_IMPORTERS = {"__import__", "import_module"}


def _is_forbidden(module: str | None) -> bool:
    return module is not None and (
        module == FORBIDDEN or module.startswith(f"{FORBIDDEN}.")
    )


def forbidden_imports(source: str, filename: str = "<string>") -> list[str]:
    """Return a description of every Home Assistant import in ``source``."""
    problems: list[str] = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            problems.extend(
                f"{where}: import {alias.name}"
                for alias in node.names
                if _is_forbidden(alias.name)
            )
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and _is_forbidden(node.module):
                problems.append(f"{where}: from {node.module} import ...")
            elif node.level > 1:
                # ``from .. import x`` leaves api/ for the integration package.
                problems.append(
                    f"{where}: relative import {'.' * node.level}{node.module or ''}"
                    " leaves the api package"
                )
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            if (
                name in DYNAMIC_IMPORTERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and _is_forbidden(node.args[0].value)
            ):
                problems.append(f"{where}: {name}({node.args[0].value!r})")
    return problems


def _api_files() -> list[Path]:
    return sorted(API_DIR.rglob("*.py"))


def test_api_package_is_found() -> None:
    names = {path.name for path in _api_files()}
    # The scan below would pass vacuously if it found nothing to scan.
    assert {"__init__.py", "client.py", "models.py", "exceptions.py"} <= names


@pytest.mark.parametrize(
    "path", _api_files(), ids=lambda path: str(path.relative_to(API_DIR))
)
def test_api_module_has_no_homeassistant_import(path: Path) -> None:
    problems = forbidden_imports(path.read_text(encoding="utf-8"), str(path))
    assert not problems, "Home Assistant imported by the api package:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(
    "source",
    [
        "import homeassistant",
        "import os, homeassistant.core as core",
        "from homeassistant.core import HomeAssistant",
        "from homeassistant import config_entries",
        "if TYPE_CHECKING:\n    from homeassistant.core import HomeAssistant",
        "def f():\n    import homeassistant.helpers.aiohttp_client",
        "try:\n    import homeassistant\nexcept ImportError:\n    pass",
        "import importlib\nimportlib.import_module('homeassistant.const')",
        "__import__('homeassistant')",
        "from .. import const",
        "from ..coordinator import MoogoCoordinator",
    ],
)
def test_checker_catches_forbidden_imports(source: str) -> None:
    assert forbidden_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "import aiohttp",
        "from .models import Device",
        "from . import const",
        "import homeassistant_like_but_not",
        "from homeassistantx import y",
        "text = 'homeassistant'",
    ],
)
def test_checker_allows_other_imports(source: str) -> None:
    assert forbidden_imports(source) == []
