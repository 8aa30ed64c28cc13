"""The integration stays in small modules: each one job, none over 400 lines."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "custom_components" / "moogo"
LIMIT = 400
COORDINATOR_LIMIT = 300


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_over_the_limit() -> None:
    """A module past 400 lines does more than one job: split it."""
    sizes = {str(p.relative_to(PACKAGE)): _lines(p) for p in PACKAGE.rglob("*.py")}
    assert len(sizes) > 20
    assert {name: size for name, size in sizes.items() if size > LIMIT} == {}


def test_the_coordinator_only_polls() -> None:
    """Command tracking and device reads live beside it, not in it."""
    assert _lines(PACKAGE / "coordinator.py") < COORDINATOR_LIMIT
