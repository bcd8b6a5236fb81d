"""`hotline serve`: bind the web port, load the models, start, and only then say "ready".

Start-up failures end with one clear line on stderr and exit code 2, never a traceback:
- the web port is taken (bound first, before the models load: no minute lost);
- a model is missing or broken (models.errors.ModelError);
- the SIP port is taken (the app's start-up records a StartupError; uvicorn's own report
  of the failed start-up is left out).
"Hotline is ready." is printed once uvicorn has started, i.e. after the app's start-up
(SIP bound) and with the web socket listening: every listener is bound by then.

X-Forwarded-For and X-Forwarded-Proto are believed only from [server] trusted_proxies
(default none): uvicorn's own default trusts them from 127.0.0.1, which let anything on the
host claim any client address (login throttling keys on it).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from models.errors import ModelError
from telephony.core.config import HotlineConfig, ServerConfig
from telephony.core.errors import StartupError

if TYPE_CHECKING:
    import uvicorn

FAILED_START = 2


def bind_web(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise StartupError(f"cannot listen for HTTP on {host}:{port}: {e.strerror or e} "
                           "(another Hotline running? set [server] port)") from e
    return sock


def uvicorn_config(app: object, cfg: ServerConfig) -> uvicorn.Config:
    """uvicorn's settings for `app`: proxy headers only from the configured proxies."""
    import uvicorn

    trusted = list(cfg.trusted_proxies)
    return uvicorn.Config(app, log_level=cfg.log_level, lifespan="on",  # type: ignore[arg-type]
                          proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)


class _QuietFailedStart(logging.Filter):
    """Drops uvicorn's report of a start-up we report ourselves (StartupError)."""

    def __init__(self, app: object) -> None:
        super().__init__()
        self._app = app

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(getattr(self._app, "state", None), "startup_error", None) is None


def serve(cfg: HotlineConfig, progress: Callable[[str], None], ready: Callable[[], None]) -> int:
    import uvicorn

    from telephony.server.app import create_app
    from telephony.server.services import build_services

    def fail(message: str) -> int:
        print(f"hotline serve: {message}", file=sys.stderr, flush=True)
        return FAILED_START

    host, port = cfg.server.host, cfg.server.port
    try:
        sock = bind_web(host, port)
    except StartupError as e:
        return fail(str(e))
    try:
        try:
            services = build_services(cfg, progress)
        except ModelError as e:
            return fail(str(e))
        try:
            app = create_app(cfg, services=services, progress=progress)
            quiet = _QuietFailedStart(app)
            logging.getLogger("uvicorn.error").addFilter(quiet)
            server = uvicorn.Server(uvicorn_config(app, cfg.server))
            try:
                if not asyncio.run(_run(server, sock, ready)):
                    error = getattr(app.state, "startup_error", None)
                    return fail(str(error) if error else "the server could not start (see the log above)")
            finally:
                logging.getLogger("uvicorn.error").removeFilter(quiet)
        finally:
            services.close()
    finally:
        sock.close()
    return 0


async def _run(server: object, sock: socket.socket, ready: Callable[[], None]) -> bool:
    """Serve until stopped; False when the start-up failed."""
    import uvicorn

    assert isinstance(server, uvicorn.Server)

    async def serving() -> bool:
        try:
            await server.serve(sockets=[sock])
        except SystemExit:  # uvicorn's way of ending a failed start-up
            return False
        return True

    task = asyncio.create_task(serving())
    while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn has no event for it
        await asyncio.sleep(0.05)
    if server.started:
        ready()
    return await task
