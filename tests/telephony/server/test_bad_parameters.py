"""Bad query parameters are the client's error: 400 with a message, never a 500 and never a
silently clamped value (issue 15, finding 9). Against the real app on 127.0.0.1, as admin:
the reported cases, then every GET route of the app with every query parameter any route
reads set to each bad value."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import pytest
from starlette.routing import Mount, Route

from tests.telephony.webrtc.test_webrtc_signaling import create, running

pytestmark = pytest.mark.slow
NAMES = ("since", "until", "limit", "fcr_days", "escalated", "q", "next", "target", "actor",
         "intent", "outcome", "agent", "tool", "caller_id", "sentiment", "raw")
BAD = ("abc", "nan", "-inf", "inf", "1e999", "-1", "0", "99999999999999999999999", " ", "%00",
       "\u00e9\u00e9", "x" * 3000)


async def test_bad_parameters_are_400_on_every_get_route(services: Any, hotline_config: Any) -> None:
    app = create(hotline_config, services)
    async with running(app) as host:
        name = f"fuzz-{uuid.uuid4().hex[:6]}"
        from telephony.auth.types import Role

        await app.state.auth.users.add_user(name, Role.ADMIN, "a long enough password")
        token = await app.state.auth.users.mint_token(name)
        call_id = uuid.uuid4().hex
        await services.store.call_started(call_id, "sip", "+15550001", {})
        async with aiohttp.ClientSession(headers={"authorization": f"Bearer {token}"}) as http:
            for path, query in [("/api/qa/export", "since=abc"), ("/api/kpi", "since=nan"),
                                ("/api/qa/calls", "limit=0"), ("/api/qa/calls", "limit=-1"),
                                ("/api/kpi", "fcr_days=0"), ("/api/audit", "limit=abc")]:
                async with http.get(f"http://{host}{path}?{query}") as res:
                    body = await res.json()
                    assert res.status == 400 and body["error"], (path, query, res.status, body)
            paths = _get_paths(app, call_id)
            assert "/api/kpi" in paths and "/api/qa/export" in paths and len(paths) > 20
            failures = []
            for path in paths:
                for bad in BAD:
                    params = "&".join(f"{n}={aiohttp.helpers.quote(bad, safe='')}" for n in NAMES)
                    singles = [f"{n}={aiohttp.helpers.quote(bad, safe='')}" for n in NAMES[:5]]
                    for query in (params, *singles):
                        async with http.get(f"http://{host}{path}?{query}", allow_redirects=False) as res:
                            if res.status >= 500:
                                failures.append((path, query[:80], res.status))
            assert not failures, failures


def _get_paths(app: Any, call_id: str) -> list[str]:
    """Every GET route, path parameters filled with a real call and harmless values."""
    paths = []
    for route in app.routes:
        if isinstance(route, Mount):
            continue  # static files
        if isinstance(route, Route) and route.methods and "GET" in route.methods:
            path = route.path
            for param in route.param_convertors:
                path = path.replace("{" + param + "}", call_id if "call" in param else "1")
            paths.append(path)
    return paths
