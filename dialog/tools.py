"""Tools the brain may call, with permissions, confirmation and an audit trail.

Only flow code calls tools, with arguments it resolved from the stores — never text
copied from the caller or a document — so injected instructions cannot reach a tool.
State-changing tools refuse to run unless `confirmed=True`, which the brain passes
only when the caller said yes to the exact action it read back on the previous turn.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dialog.errors import ConfirmationRequired, ToolError
from dialog.types import Session
from kb.adapters import ToolAudit
from kb.errors import KBError

log = logging.getLogger(__name__)

ACTOR = "hotline-ai"


@dataclass(frozen=True)
class Tool:
    name: str
    func: Callable[..., Any]
    state_changing: bool
    description: str


class ToolBox:
    def __init__(self, audit: ToolAudit) -> None:
        self._audit = audit
        self._tools: dict[str, Tool] = {}

    def register(
        self, name: str, func: Callable[..., Any], *, state_changing: bool, description: str
    ) -> None:
        self._tools[name] = Tool(name, func, state_changing, description)

    def names(self, *, state_changing: bool) -> list[str]:
        """The registered tools that do (or do not) change customer data."""
        return [t.name for t in self._tools.values() if t.state_changing == state_changing]

    def call(
        self,
        session: Session,
        name: str,
        args: dict[str, Any],
        *,
        confirmed: bool = False,
        reason: str = "",
    ) -> Any:
        """Run a tool, audit it (also when refused or failed), return its result."""
        tool = self._tools.get(name)
        if tool is None:
            raise ToolError(f"unknown tool {name}")
        if tool.state_changing and not confirmed:
            self._record(session, name, args, {"refused": "no explicit confirmation"}, False)
            raise ConfirmationRequired(f"{name} needs the caller's explicit confirmation")
        kwargs = dict(args)
        if tool.state_changing:
            kwargs.update(actor=ACTOR, reason=reason or "caller request")
        try:
            result = tool.func(**kwargs)
        except KBError as exc:
            self._record(session, name, args, {"error": str(exc)}, confirmed)
            raise ToolError(str(exc)) from exc
        self._record(session, name, args, _summary(result), confirmed)
        session.state.steps_done.append(name)
        return result

    def _record(
        self,
        session: Session,
        name: str,
        args: dict[str, Any],
        result: dict[str, Any],
        confirmed: bool,
    ) -> None:
        self._audit.record(
            call_id=session.call_id,
            tool=name,
            args=args,
            result=result,
            actor=ACTOR,
            confirmed=confirmed,
        )


def _summary(result: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return {"value": dataclasses.asdict(result)}
    if isinstance(result, list):
        return {"count": len(result)}
    return {"value": result}
