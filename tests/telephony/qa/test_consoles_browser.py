"""The QA and KPI consoles in headless Chromium, as an admin would use them: honest figures
(a re-asked caller who hung up is not resolved; an offered credit is not a tool run), real
charts with axes and empty states, rows that are links reachable by keyboard, a clear error
for a missing call, a clear message for reversed dates, the KPI definitions one link away,
and no serious or critical axe-core violation on any of these pages. Prints the page
weights and first-render times; screenshots go to $HOTLINE_TEST_ARTIFACTS (or tmp)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.telephony.axe_helpers import artifacts, page_figures, serious_violations, with_axe
from tests.telephony.browser_helpers import CHROMIUM, CHROMIUM_ARGS, serving
from tests.telephony.qa_helpers import PASSWORD, add_call, agent, caller, make_qa_app

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                                   reason="needs Debian's Chromium at /usr/bin/chromium")]
NOW = time.time()
D = 86400.0
CREDIT = {"tool": "issue_credit", "args": {"order_id": "10288", "amount_cents": 800},
          "status": "awaiting_confirmation"}
LOOKUP = {"tool": "lookup_order", "args": {"order_id": "10251"}, "status": "done",
          "result": {"status": "in_transit", "carrier": "UPS", "estimate": "2024-05-02"}}


def seed(conn: sqlite3.Connection) -> None:
    add_call(conn, "c-failed", caller="+15550100001", start=NOW - 2 * D, reason="caller_hangup", turns=[
        caller("where is my order", 2), agent("Sure. What's the order number?", 4, "order_status"),
        caller("one two three", 8),
        agent("Sorry, I still didn't catch that. Could you say it another way?", 10, "clarify")])
    add_call(conn, "c-offered", caller="+15550100002", start=NOW - D, reason="caller_hangup", turns=[
        caller("my order is late and I'm annoyed", 2),
        agent("Order 10288 is late. I can waive the 8 dollar shipping fee as a credit. Would you like "
              "that?", 4, "confirm_issue_credit", tool_calls=[dict(CREDIT)]),
        caller("hmm", 9)])
    add_call(conn, "c-done", caller=None, start=NOW - 3 * D, transport="webrtc",
             meta={"browser_id": "b-0123456789"}, turns=[
                 caller("where is my order 10251", 2),
                 agent("Order 10251 is on its way with UPS, arriving May 2. Is there anything else I "
                       "can help you with?", 4, "order_status", tool_calls=[dict(LOOKUP)]),
                 caller("no thanks, that's great", 9),
                 agent("Thanks for calling. Have a great day!", 11, "goodbye")])


async def _login(page: Any, base: str, target: str) -> None:
    await page.goto(f"{base}/login?next={target}")
    await page.fill("input[name=name]", "ada")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit], input[type=submit]")
    await page.wait_for_url(f"{base}{target}")


def test_qa_and_kpi_consoles(tmp_path: Path) -> None:
    asyncio.run(_browse(make_qa_app(tmp_path, seed), artifacts(tmp_path)))


async def _browse(app: Any, shots: Path) -> None:
    from playwright.async_api import async_playwright

    problems: dict[str, list[dict[str, Any]]] = {}
    figures: dict[str, dict[str, Any]] = {}
    async with serving(app) as port, async_playwright() as pw:
        base = f"http://127.0.0.1:{port}"
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(bypass_csp=True, viewport={"width": 1024, "height": 768})  # a tablet
            await with_axe(context)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))

            # --- the call list: rows are links, arrows move between them ---
            await _login(page, base, "/qa")
            await page.wait_for_selector("#results a.open")
            figures["/qa"] = await page_figures(page)
            assert await page.locator("#results a.open").count() == 3
            outcomes = dict(zip(await page.locator("#results tr.row").evaluate_all(
                "rows => rows.map(r => r.dataset.call)"), await page.locator(
                "#results tr.row td:nth-child(5)").all_inner_texts(), strict=True))
            assert outcomes["c-failed"].startswith("unresolved"), outcomes
            assert outcomes["c-done"].startswith("resolved"), outcomes
            tools = await page.locator("#results tr[data-call=c-offered] td:nth-child(8)").inner_text()
            assert tools == "(offered: issue_credit)", tools
            await page.focus("#results a.open >> nth=0")
            await page.keyboard.press("ArrowDown")
            focused = "document.activeElement.closest('tr').dataset.call"
            assert await page.evaluate(focused) == "c-failed"  # newest first: c-offered, c-failed, c-done
            await page.keyboard.press("ArrowUp")
            assert await page.evaluate(focused) == "c-offered"
            problems["/qa"] = await serious_violations(page)
            await page.screenshot(path=str(shots / "qa-list.png"), full_page=True)
            await page.keyboard.press("Enter")
            await page.wait_for_url(f"{base}/qa/calls/c-offered")

            # --- one call: readable tools, events, the sentiment chart ---
            await page.wait_for_function("window.hotlineQA && window.hotlineQA.loaded", timeout=10_000)
            figures["/qa/calls/{id}"] = await page_figures(page)
            row = page.locator("table.tools tbody tr")
            assert await row.count() == 1
            assert (await row.locator("td").all_inner_texts())[:2] == ["issue_credit", "offered, never confirmed"]
            assert "{" not in await row.locator("td.details").inner_text()
            assert await page.evaluate("Chart.getChart('sentiment').options.scales.x.title.text") == \
                "Seconds into the call"
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            problems["/qa/calls/{id}"] = await serious_violations(page)
            await page.screenshot(path=str(shots / "qa-call.png"), full_page=True)
            await page.goto(f"{base}/qa/calls/c-failed")
            await page.wait_for_function("window.hotlineQA && window.hotlineQA.loaded", timeout=10_000)
            facts = await page.locator("#facts").inner_text()
            assert "unresolved: ended after the agent did not understand (re-asked)" in facts, facts

            # --- a call that does not exist: an error, no empty player ---
            await page.goto(f"{base}/qa/calls/no-such-call")
            await page.wait_for_selector("#call-error:not([hidden])")
            assert "Cannot open this call" in await page.locator("#call-error").inner_text()
            assert not await page.locator("#player").is_visible()
            problems["/qa/calls/missing"] = await serious_violations(page)

            # --- KPIs: charts with axes, reversed dates, definitions ---
            await page.goto(f"{base}/kpi")
            await page.wait_for_function("window.hotlineKPIRendered", timeout=10_000)
            figures["/kpi"] = await page_figures(page)
            kpi = await page.evaluate("window.hotlineKPI")
            assert kpi["engaged"] == 3 and kpi["automation_rate"] == round(1 / 3, 4), kpi
            scales = await page.evaluate("(() => { const s = Chart.getChart('daily').options.scales;"
                                         " return [s.x.title.text, s.calls.title.text, s.rate.title.text]; })()")
            assert scales == ["Day (UTC)", "Calls", "Automation rate (%)"], scales
            assert await page.evaluate("Chart.getChart('reasons').data.labels.length") == 2
            problems["/kpi"] = await serious_violations(page)
            await page.screenshot(path=str(shots / "kpi.png"), full_page=True)
            await page.fill("#period [name=from]", "2030-01-10")
            await page.fill("#period [name=to]", "2030-01-01")
            await page.click("#period button[type=submit]")
            assert "after the end date" in await page.locator("#message").inner_text()
            await page.fill("#period [name=to]", "2030-01-20")
            await page.click("#period button[type=submit]")
            await page.wait_for_selector("#daily-empty:not([hidden])")
            assert await page.locator("#message").inner_text() == "No calls in this period."
            await page.click("header >> text=Definitions")
            await page.wait_for_url(f"{base}/kpi/definitions")
            assert "first-contact resolution" in (await page.locator("main").inner_text()).lower()
            problems["/kpi/definitions"] = await serious_violations(page)
            # the admin's own page too (the others are checked in the handoff card test)
            await page.goto(f"{base}/users")
            await page.wait_for_load_state("networkidle")
            problems["/users"] = await serious_violations(page)
            assert not errors, errors
        finally:
            await browser.close()
    for path, f in figures.items():
        print(f"page {path}: {f['bytes'] / 1024:.1f} KiB over the wire ({f['decoded'] / 1024:.1f} KiB decoded), "
              f"{f['requests']} requests, first contentful paint {f['fcp_ms']} ms, DOM ready {f['dom_ms']} ms")
    bad = {path: found for path, found in problems.items() if found}
    assert not bad, bad
