"""Login throttling cannot be turned against somebody else (issue 15, finding 10), against
a real uvicorn server on 127.0.0.1 configured as `hotline serve` configures it:
- wrong passwords for "ann" from one address (also typed "Ann" or " ann ") do not stop ann
  signing in from her own address (127.0.0.2), while the guessing address is slowed;
- X-Forwarded-For is not believed unless the peer is a configured proxy, so rotating it
  neither escapes the throttle nor puts a forged address in the audit log.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from telephony.auth.ratelimit import LoginLimiter
from telephony.core.config import ServerConfig
from telephony.server.serve import uvicorn_config
from tests.telephony.auth_helpers import PASSWORD, make_app


@asynccontextmanager
async def serving(app: Any, cfg: ServerConfig) -> AsyncIterator[str]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn_config(app, cfg)
    config.log_level = "warning"
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn has no event for it
            assert not task.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


async def _login(base: str, name: str, password: str, source: str = "127.0.0.1",
                 **headers: str) -> int:
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{base}/login") as page:
            token = (await page.text()).split('name="csrf_token" value="')[1].split('"')[0]
        form = {"name": name, "password": password, "csrf_token": token, "next": "/api/me"}
        async with http.post(f"{base}/login", data=form, headers=headers, allow_redirects=False) as res:
            return res.status


async def test_guessing_does_not_lock_out_the_real_user(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with serving(app, ServerConfig()) as base:
        for i, name in enumerate(["ann", "Ann", " ann ", "ANN", "ann", "ann"]):
            status = await _login(base, name, "wrong", **{"x-forwarded-for": f"203.0.113.{i}"})
            assert status == (401 if i < 5 else 429), (i, status)  # one pair, however typed
        assert await _login(base, "ann", PASSWORD, source="127.0.0.2") == 303  # ann, at her desk
        assert await _login(base, "ann", PASSWORD, **{"x-forwarded-for": "198.51.100.7"}) == 429
        with sqlite3.connect(tmp_path / "hotline.db") as c:
            text = "\n".join(str(r) for r in c.execute("SELECT * FROM audit_log").fetchall())
        assert "203.0.113." not in text and "127.0.0.1" in text, text


async def test_forwarded_for_is_believed_from_a_configured_proxy(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with serving(app, ServerConfig(trusted_proxies=("127.0.0.1",))) as base:
        for _ in range(5):
            assert await _login(base, "ann", "wrong", **{"x-forwarded-for": "203.0.113.5"}) == 401
        assert await _login(base, "ann", PASSWORD, **{"x-forwarded-for": "203.0.113.5"}) == 429
        assert await _login(base, "ann", PASSWORD, **{"x-forwarded-for": "198.51.100.7"}) == 303


def test_the_delay_doubles_per_failure_and_a_known_pair_passes_a_spray() -> None:
    now = [1000.0]
    limiter = LoginLimiter(free_failures=2, free_address_failures=3, clock=lambda: now[0])
    limiter.succeeded("sue", "10.0.0.1")  # sue signed in from this office before
    for _ in range(2):
        limiter.failed("ann", "10.0.0.9")
    assert limiter.retry_after(" ANN ", "10.0.0.9") == pytest.approx(1.0)
    limiter.failed("ann", "10.0.0.9")
    assert limiter.retry_after("ann", "10.0.0.9") == pytest.approx(2.0)
    assert limiter.retry_after("ann", "10.0.0.2") == 0  # another address: not slowed
    for name in ("a", "b", "c", "d"):  # a spray over names from the office's address
        limiter.failed(name, "10.0.0.1")
    assert limiter.retry_after("eve", "10.0.0.1") > 0
    assert limiter.retry_after("sue", "10.0.0.1") == 0  # a known pair is not sprayed out
    now[0] += 3.0
    assert limiter.retry_after("ann", "10.0.0.9") == 0
