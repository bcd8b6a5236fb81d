"""The Starlette application: lifespan loads services once into app.state."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from telephony.auth import routes as auth_routes
from telephony.auth.middleware import AuthMiddleware
from telephony.auth.policy import visible_calls
from telephony.auth.state import AuthSettings, open_auth
from telephony.contact_center import customers
from telephony.contact_center.customers import CustomerDirectory
from telephony.contact_center.handoff import HandoffService
from telephony.conversations.conversation import Conversation
from telephony.conversations.registry import CallRegistry
from telephony.core.config import HotlineConfig
from telephony.core.errors import ConfigError, StartupError
from telephony.privacy.retention import retention_task
from telephony.qa.tool_audit import ToolAudit
from telephony.server.services import Services, build_services, install_hooks, open_kb_store
from telephony.sip.bridge import start_sip
from telephony.text.conversations import TextConversations
from telephony.web.assets import STATIC
from telephony.web.capability import LOGGERS as CAPABILITY_LOGGERS
from telephony.web.capability import CallCapabilities, Redactor
from telephony.web.headers import SecurityHeaders
from telephony.web.params import BadParameter, bad_parameter

log = logging.getLogger(__name__)

RouteFactory = Callable[[], list[BaseRoute]]


async def health(request: Request) -> Response:
    registry: CallRegistry = request.app.state.calls
    return JSONResponse({"status": "ok", "active_calls": len(registry.active)})


async def list_calls(request: Request) -> Response:
    """The calls this user may see (telephony.auth.policy.can_see_call)."""
    services: Services = request.app.state.services
    user = request.state.user
    active = [c for c in [await services.store.call(i) for i in request.app.state.calls.active] if c]
    return JSONResponse({"calls": visible_calls(user, await services.store.recent_calls(50)),
                         "active": [c["id"] for c in visible_calls(user, active)]})


async def call_detail(request: Request) -> Response:
    """Call record + transcript; the auth middleware has checked access and audited it."""
    services: Services = request.app.state.services
    call_id = request.path_params["call_id"]
    call = await services.store.call(call_id)
    if call is None:
        return JSONResponse({"error": "no such call"}, status_code=404)
    return JSONResponse({"call": call, "turns": await services.store.turns(call_id)})


async def call_recording(request: Request) -> Response:
    """The call's two-channel WAV (checked and audited by the auth middleware)."""
    services: Services = request.app.state.services
    call = await services.store.call(request.path_params["call_id"])
    path = Path(call["recording"]) if call and call.get("recording") else None
    if path is None or not path.is_file():
        return JSONResponse({"error": "no recording for this call"}, status_code=404)
    return FileResponse(path, media_type="audio/wav")


async def index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html")


def create_app(cfg: HotlineConfig, *, services: Services | None = None,
               progress: Callable[[str], None] | None = None,
               on_ready: Callable[[], None] | None = None) -> Starlette:
    """`services` may be passed in (tests share one loaded set across apps)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = services is None
        svc: Services = (services if services is not None
                         else await asyncio.to_thread(build_services, cfg, progress))
        closed = await svc.store.finalize_dangling()
        if closed:
            log.warning("closed %d call record(s) left open by an earlier crash", closed)
        app.state.services = svc
        app.state.calls = CallRegistry(svc)
        install_hooks(app.state.calls, cfg)  # side concerns attach through hooks
        app.state.call_capabilities = capabilities = CallCapabilities()  # the browser caller's

        async def expire_capability(conv: Conversation) -> None:
            capabilities.revoke(conv.call_id)

        app.state.calls.on_close.append(expire_capability)
        kb_store = await asyncio.to_thread(open_kb_store, cfg.data_path)
        app.state.tool_audit = ToolAudit(kb_store.audit)  # which AI tool calls ran (QA, KPIs)
        directory = CustomerDirectory(kb_store)
        customers.install(app.state.calls, directory)
        app.state.handoff = HandoffService(app.state.calls, cfg.routing, customers=directory,
                                             consoles=cfg.consoles)
        app.state.text = TextConversations(app.state.calls)  # every text channel's way in
        try:
            app.state.sip = await start_sip(cfg.sip, app.state.calls)
        except BaseException as e:
            await asyncio.to_thread(kb_store.close)
            if own:
                svc.close()
            if isinstance(e, ConfigError | OSError):  # one clear line for `hotline serve` (serve.py)
                app.state.startup_error = e if isinstance(e, ConfigError) else StartupError(
                    f"cannot start the SIP listener on {cfg.sip.bind_host}:{cfg.sip.bind_port}: {e}")
            raise
        app.state.auth = await asyncio.to_thread(
            open_auth, cfg.data_path / "hotline.db", AuthSettings.for_public_url(cfg.server.public_url))
        if on_ready is not None:
            on_ready()
        retention = retention_task(svc.store, app.state.auth.audit, cfg.data_path,
                                   cfg.privacy.retention_days, cfg.privacy.retention_check_s)
        app.state.handoff.start()  # presence timeouts, queue announcements
        redactor = Redactor()  # the capability never reaches a log line
        for name in CAPABILITY_LOGGERS:
            logging.getLogger(name).addFilter(redactor)
        try:
            async with retention:  # scheduled deletion (docs/privacy.md)
                yield
        finally:
            await app.state.calls.hang_up_all("server_shutdown")
            await app.state.handoff.close()
            if app.state.sip is not None:
                await app.state.sip.stop()
            await asyncio.to_thread(app.state.auth.close)
            await asyncio.to_thread(kb_store.close)
            if own:
                svc.close()
            for name in CAPABILITY_LOGGERS:
                logging.getLogger(name).removeFilter(redactor)

    routes: list[BaseRoute] = [
        Route("/", index),
        Route("/health", health),
        Route("/api/calls", list_calls),
        Route("/api/calls/{call_id}", call_detail),
        Route("/api/calls/{call_id}/recording", call_recording),
        *auth_routes.routes(),
    ]
    for factory in _route_factories(cfg):
        routes.extend(factory())
    # every route must have a row in telephony/auth/policy.py (default deny)
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(SecurityHeaders), Middleware(AuthMiddleware)],
                    exception_handlers={BadParameter: bad_parameter})  # one parser: web/params.py
    app.state.config = cfg
    return app


def _route_factories(cfg: HotlineConfig) -> list[RouteFactory]:
    """Each transport and console contributes its routes (each with a policy row)."""
    from telephony.contact_center import desk, supervision
    from telephony.privacy import routes as privacy_routes
    from telephony.qa import kpi_routes
    from telephony.qa import routes as qa_routes
    from telephony.server import kb_routes
    from telephony.twilio import routes as twilio_routes
    from telephony.webrtc import routes as webrtc_routes

    return [qa_routes.routes, kpi_routes.routes, privacy_routes.routes, kb_routes.routes, webrtc_routes,
            desk.routes, supervision.routes, lambda: twilio_routes(cfg.twilio)]
