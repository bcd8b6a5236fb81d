"""Security headers on every response (issue 15, finding 14), and a CSP the pages live with:
the real app on 127.0.0.1; pages, API answers, refusals, static files and a 404 all carry
CSP with frame-ancestors, X-Frame-Options, nosniff and Referrer-Policy; then headless
Chromium opens the softphone and, signed in as admin, every staff console, and the browser
reports no CSP violation (scripts, styles, Chart.js, websockets all allowed).

This is the browser test that runs the pages under the CSP. The other browser tests open
theirs with `bypass_csp=True`: Playwright evaluates a string predicate
(`page.wait_for_function("window.x === 1")`) with eval, which `script-src 'self'` forbids."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from telephony.auth.types import Role
from tests.telephony.browser_helpers import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = pytest.mark.slow
PASSWORD = "headers-password"
PATHS = ["/", "/health", "/login", "/static/softphone.js", "/static/staff.css", "/api/calls",
         "/qa", "/api/webrtc/config", "/no-such-page", "/api/kpi?since=nan"]
CONSOLES = ["/supervisor", "/agent", "/qa", "/kpi", "/users", "/account"]
VIOLATIONS_JS = "() => window.__csp || []"
LISTEN_JS = """document.addEventListener("securitypolicyviolation",
  (e) => (window.__csp = window.__csp || []).push(e.violatedDirective + " " + e.blockedURI));"""


async def test_every_response_has_security_headers_and_pages_keep_working(services: Any,
                                                                          hotline_config: Any) -> None:
    from telephony.server.app import create_app

    app = create_app(hotline_config, services=services)
    async with serving(app) as port:
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            for path in PATHS:
                async with http.get(base + path, allow_redirects=False) as res:
                    h = res.headers
                    csp = h.get("content-security-policy", "")
                    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, (path, dict(h))
                    assert h.get("x-frame-options") == "DENY", path
                    assert h.get("x-content-type-options") == "nosniff", path
                    assert h.get("referrer-policy") == "no-referrer", path
        if not CHROMIUM.exists():
            pytest.skip("needs Debian's Chromium for the pages' half")
        await app.state.auth.users.add_user("csp-admin", Role.ADMIN, PASSWORD)
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page()
                await page.add_init_script(LISTEN_JS)
                console: list[str] = []
                page.on("console", lambda m: console.append(m.text))
                await page.goto(base + "/", wait_until="networkidle")
                assert await page.evaluate(VIOLATIONS_JS) == []
                await page.goto(base + "/login")
                await page.fill("#name", "csp-admin")
                await page.fill("#password", PASSWORD)
                await page.click("button[type=submit]")
                await page.wait_for_load_state("load")
                for path in CONSOLES:
                    await page.goto(base + path, wait_until="networkidle")
                    assert await page.evaluate(VIOLATIONS_JS) == [], path
                    if path == "/kpi":
                        assert await page.evaluate("() => typeof Chart") == "function", "Chart.js blocked"
                assert not [m for m in console if "Content Security Policy" in m], console
            finally:
                await browser.close()
