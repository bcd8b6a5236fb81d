"""`GET /kpi/definitions`: docs/kpi.md rendered, so the dashboard links its definitions.

The page is the repository's own document (one source for the figures' meaning), rendered
with markdown-it (CommonMark plus tables, raw HTML off) inside the consoles' style.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

DOC = Path(__file__).resolve().parents[2] / "docs" / "kpi.md"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>KPI definitions · Hotline</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/qa.css"></head>
<body><header><a href="/kpi">Hotline KPIs</a> <a href="/qa">QA</a></header>
<main class="doc">{body}</main></body></html>"""


def render(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)


async def definitions(request: Request) -> Response:
    try:
        text = DOC.read_text(encoding="utf-8")
    except OSError:
        return HTMLResponse(PAGE.format(body=f"<p>The definitions ({html.escape(str(DOC))}) are not "
                                             "installed with this server.</p>"), status_code=404)
    return HTMLResponse(PAGE.format(body=render(text)))
