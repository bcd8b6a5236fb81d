"""Auditing staff actions: who (name, role) did what (action) to what (target), when.

Every access to a transcript or recording and every supervisor action is recorded in the
one append-only audit log of the database layer (`kb.db.audit.AuditLog`, table `audit_log`
in hotline.db; no UPDATE or DELETE path, triggers refuse both).

Other modules record through `audit_request(request, action, target, **detail)`
(actor taken from the authenticated request) or `AuditLog.record(...)`.
Routes whose policy row names an `audit` action are recorded by the auth
middleware itself, before the handler runs.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from kb.db.audit import AuditEntry, AuditLog
from telephony.auth.types import Principal

__all__ = ["AuditEntry", "AuditLog", "audit_request", "audit_supervisor_action"]

# action names used so far; new ones are fine, keep them `noun.verb`
TRANSCRIPT_READ = "transcript.read"
TRANSCRIPT_LIVE = "transcript.live"
RECORDING_READ = "recording.read"
SUPERVISOR_ACTION = "supervisor."  # prefix: supervisor.listen, supervisor.whisper, ...


async def audit_request(conn: HTTPConnection, action: str, target: str = "", **detail: Any) -> None:
    """Record `action` by whoever the auth middleware authenticated on this request."""
    audit: AuditLog = conn.app.state.auth.audit
    principal: Principal | None = getattr(conn.state, "principal", None)
    actor = principal.name if principal else "anonymous"
    role = principal.role if principal else "anonymous"
    via = principal.via if principal else "none"
    await audit.record(actor, role, action, target, via=via, **detail)


async def audit_supervisor_action(conn: HTTPConnection, action: str, call_id: str,
                                  **detail: Any) -> None:
    """Listen, whisper, barge, take over ...: `action` without the `supervisor.` prefix."""
    await audit_request(conn, SUPERVISOR_ACTION + action, call_id, **detail)
