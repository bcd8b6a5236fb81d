"""Accessibility and weight checks for the browser tests.

axe-core (vendored from the npm registry: tests/telephony/vendor/axe-core, version and
licence there) is added to a browser context as an init script by the test only, never
shipped in a page: it is injected through the DevTools protocol, so a page's CSP does not
block it. `serious_violations` runs it on the page as it stands.
`page_figures`: what the page weighed (every response's transfer size, as Chromium's
resource timing reports it) and when it first rendered (first contentful paint).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
}"""
FIGURES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const bytes = (e) => e.transferSize || e.encodedBodySize || 0;
  return { bytes: bytes(nav) + resources.reduce((n, e) => n + bytes(e), 0),
           decoded: (nav.decodedBodySize || 0) + resources.reduce((n, e) => n + (e.decodedBodySize || 0), 0),
           requests: 1 + resources.length, fcp_ms: fcp ? Math.round(fcp.startTime) : null,
           dom_ms: Math.round(nav.domContentLoadedEventEnd) };
}"""


async def with_axe(context: Any) -> None:
    await context.add_init_script(path=str(AXE))


async def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations of impact serious or critical on the page as it stands."""
    found = await page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in ("serious", "critical")]


async def page_figures(page: Any) -> dict[str, Any]:
    return dict(await page.evaluate(FIGURES))


def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: $HOTLINE_TEST_ARTIFACTS, else the test's tmp dir."""
    where = Path(os.environ.get("HOTLINE_TEST_ARTIFACTS") or tmp_path / "artifacts")
    where.mkdir(parents=True, exist_ok=True)
    return where
