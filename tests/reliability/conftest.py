"""Fixtures of the reliability suite, and the hooks that write its report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
import logging

import pytest

from tests.common import (  # the autouse fixture is imported to apply here
    Cloud,
    auto_enable_custom_integrations,  # noqa: F401
)

from .common import SecretScanner, traceback_problems
from .report import COLLECTOR, write_if_complete

RELIABILITY = "tests/reliability/"


@dataclass
class Guard:
    """The log and secret checks every reliability test ends with."""

    caplog: pytest.LogCaptureFixture
    scanner: SecretScanner = field(default_factory=SecretScanner)
    checked: int = 0

    def check(self, cloud: Cloud | None = None) -> None:
        """Fail on a traceback in the log or a secret in the records so far."""
        records = self.caplog.records[self.checked :]
        self.checked = len(self.caplog.records)
        problems = traceback_problems(records)
        assert not problems, "tracebacks reached the log:\n" + "\n".join(problems)
        if cloud is not None:
            self.scanner.learn_tokens(cloud.sim)
        self.scanner.scan_records(records)
        self.scanner.assert_clean()


@pytest.fixture(autouse=True)
def guard(caplog: pytest.LogCaptureFixture) -> Iterator[Guard]:
    """Capture every record at DEBUG; afterwards, check for tracebacks and secrets.

    HA's ``caplog`` fixture already sets the root logger to DEBUG; this makes
    it explicit for our logger and the simulator's.
    """
    for name in ("custom_components.moogo", "moogo_sim", "homeassistant", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    the_guard = Guard(caplog)
    yield the_guard
    # Records after the test's own check (unloading, stopping the simulator).
    # Tokens the test taught the scanner stay known; others match their shape.
    the_guard.check()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember failing reliability tests: the report is then not written."""
    if report.failed and report.nodeid.startswith(RELIABILITY):
        COLLECTOR.failures.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Write docs/reliability.md when asked to and the run was complete."""
    if message := write_if_complete(COLLECTOR):
        terminalreporter.write_line(message)
