"""Hooks of the fuzz tests: a test item's call report is kept on the item, so that a fixture's
teardown can tell whether the test itself failed (pytest's documented recipe)."""

from __future__ import annotations

from collections.abc import Callable, Generator

import pytest

CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
    return report


@pytest.fixture
def call_passed(request: pytest.FixtureRequest) -> Callable[[], bool]:
    """Whether this test item's call phase passed (ask at teardown)."""

    def passed() -> bool:
        report = request.node.stash.get(CALL_REPORT, None)
        return report is not None and report.passed

    return passed
