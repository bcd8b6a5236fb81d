"""The task-leak check itself (tests/leaks.py): it fails a leaking async test, passes a tidy one."""

from __future__ import annotations

import pytest

from tests.helpers import ROOT

pytest_plugins = ["pytester"]

TESTS = '''
import asyncio
import pytest

@pytest.fixture
async def started():
    yield asyncio.create_task(asyncio.sleep(3600), name="fixture-orphan")

async def test_orphan():
    asyncio.create_task(asyncio.sleep(3600), name="orphan")

async def test_orphan_of_a_fixture(started):
    pass

async def test_tidy():
    task = asyncio.create_task(asyncio.sleep(3600))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

def test_sync():
    pass
'''


def test_a_test_that_leaves_a_task_running_fails_and_a_tidy_one_passes(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest("from tests.leaks import fail_on_leaked_tasks, task_leak_check  # noqa\n")
    pytester.makepyfile(test_probe=TESTS)
    result = pytester.runpytest_subprocess("-p", "asyncio", "-o", "asyncio_mode=auto",
                                           "-o", "asyncio_default_fixture_loop_scope=function",
                                           "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_orphan*", "*orphan: sleep*", "*in sleep (*asyncio/tasks.py:*"])
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_orphan_of_a_fixture*",
                                 "*fixture-orphan: sleep*"])
