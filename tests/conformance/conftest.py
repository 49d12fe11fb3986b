"""A terminal summary of the OpenSSL conformance run (independent of ``-s``).

Every scenario gets one line (match / MISMATCH); the side-by-side transcripts follow for each
mismatch, and for every scenario with ``-v``.  The same text is in each failing assertion, and
``-rP`` shows it for passing tests too.
"""

from __future__ import annotations

import pytest


class ConformanceLog(list[tuple[str, bool, str]]):
    """(scenario name, the model matched, side-by-side report) per conformance test run."""

    def __repr__(self) -> str:  # short, for tracebacks that show fixture values
        return f"<conformance log of {len(self)} scenarios>"


_LOG = pytest.StashKey[ConformanceLog]()


@pytest.fixture
def conformance_log(request: pytest.FixtureRequest) -> ConformanceLog:
    """Where a conformance test leaves its verdict for the terminal summary."""
    return request.config.stash.setdefault(_LOG, ConformanceLog())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    log = config.stash.get(_LOG, ConformanceLog())
    if not log:
        return
    matched = sum(ok for _, ok, _ in log)
    terminalreporter.section("openssl personality vs real OpenSSL")
    terminalreporter.write_line(f"{matched}/{len(log)} scenarios match")
    for name, ok, _ in log:
        terminalreporter.write_line(f"  {'match   ' if ok else 'MISMATCH'}  {name}")
    verbose = config.get_verbosity() > 0
    for _, ok, report in log:
        if verbose or not ok:
            terminalreporter.write_line("")
            terminalreporter.write_line(report)
