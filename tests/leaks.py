"""Fail any async test that leaves asyncio tasks behind.

Every task a call starts belongs to it and is cancelled *and awaited* when it ends
(STYLE.md); a test that returns while one of its tasks is still pending has found an
orphan. The check runs after all of the test's other fixtures are torn down (it is
set up first, by the autouse fixture in tests/conftest.py), so servers and clients
that fixtures stop count as cleaned up. Sync tests (including those that call
`asyncio.run`, which cancels what is left itself) are not checked.

A task that is already on its way out (cancelled and unwinding, or waiting for a worker
thread that cannot be interrupted) gets `GRACE_S` to finish by itself before it counts:
on a loaded 2-core machine that can take a few event-loop turns. A real orphan (a loop
or a wait nobody will end) is still pending after it and fails the test.

`ALLOWED` names the third-party coroutines that outlive a test by design; each entry
says which library and why. Our own code is never allowed: fix the leak at its cause.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from pytest_asyncio import is_async_test

# coroutine `__qualname__` -> (library, why it may outlive the test)
ALLOWED: dict[str, str] = {}
GRACE_S = 3.0


def _qualname(task: asyncio.Task[object]) -> str:
    coro = task.get_coro()
    return str(getattr(coro, "__qualname__", type(coro).__name__))


def leaked_tasks(before: set[asyncio.Task[object]]) -> list[asyncio.Task[object]]:
    """Tasks started since `before` that are still pending (not counting the caller's own)."""
    current = asyncio.current_task()
    return [t for t in asyncio.all_tasks() - before
            if t is not current and not t.done() and _qualname(t) not in ALLOWED]


def _awaiting(task: asyncio.Task[object]) -> list[str]:
    """Where the task is suspended, outermost first, following what each coroutine awaits."""
    where: list[str] = []
    coro: object = task.get_coro()
    while coro is not None and len(where) < 12:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is None:
            break
        where.append(f"{frame.f_code.co_name} ({frame.f_code.co_filename}:{frame.f_lineno})")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
    return where


def describe(task: asyncio.Task[object]) -> str:
    chain = "\n      awaiting ".join(_awaiting(task)) or "(no frame)"
    return f"  {task.get_name()}: {_qualname(task)}\n      in {chain}"


@pytest.fixture(autouse=True)
def fail_on_leaked_tasks(request: pytest.FixtureRequest) -> Iterator[None]:
    if is_async_test(request.node):
        request.getfixturevalue("task_leak_check")
    yield


@pytest.fixture
async def task_leak_check() -> AsyncIterator[None]:
    before = set(asyncio.all_tasks())
    yield
    leaked = leaked_tasks(before)
    deadline = asyncio.get_running_loop().time() + GRACE_S
    while leaked and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        leaked = leaked_tasks(before)
    if leaked:
        pytest.fail(f"test left {len(leaked)} asyncio task(s) running:\n"
                    + "\n".join(describe(t) for t in leaked), pytrace=False)
