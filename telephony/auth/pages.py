"""Server-rendered staff pages (sign-in, account, users, 403): one Jinja environment, every
page inside the staff shell (templates/base.html: staff.css, the role's consoles)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from telephony.auth.consoles import consoles_for
from telephony.auth.types import Principal

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def shell_context(principal: Principal | None, current: str = "") -> dict[str, Any]:
    """What base.html needs to draw the shell: who is signed in and their consoles."""
    user = principal.user if principal is not None else None
    return {"user": user, "consoles": consoles_for(user), "current": current,
            "csrf_token": (principal.csrf_token if principal is not None else None) or ""}


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    full = {**shell_context(principal, request.url.path), **context}
    return templates.TemplateResponse(request, name, full, status_code=status_code)


def render_denied(principal: Principal | None, path: str, reason: str) -> str:
    """The 403 page as HTML (rendered by the middleware, outside any request handler)."""
    template = templates.env.get_template("denied.html")
    return template.render({**shell_context(principal), "path": path, "reason": reason})
