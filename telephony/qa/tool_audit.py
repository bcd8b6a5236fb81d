"""Which of the AI's tool calls ran, from the dialog's audit log (kb.db.audit).

The dialog records every tool call it makes on a caller's behalf (role `ai`, action
`tool.<name>`, target the call id, detail its arguments, result and whether the caller
confirmed), also when a tool was refused for want of a confirmation or failed. A call
"executed" a tool when such a row exists without a refusal or an error. The demo company
keeps that log in its own database (`demo.sqlite3` in the data dir); `open_tool_audit`
returns None where there is none (a store without it falls back on the turns' reports).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from kb.db.audit import AI_ROLE, TOOL_ACTION, AuditLog
from kb.db.dialect import Connection
from kb.demo.db import DB_FILENAME


class ToolAudit:
    def __init__(self, log: AuditLog) -> None:
        self._log = log

    def executed(self, call_ids: list[str]) -> dict[str, list[str]]:
        """Per call id, the tools that ran (blocking: call it off the event loop)."""
        if not call_ids:
            return {}
        marks = ",".join("?" * len(call_ids))

        def q(c: Connection) -> dict[str, list[str]]:
            out: dict[str, list[str]] = defaultdict(list)
            rows = c.execute(f"SELECT target, action, detail FROM audit_log WHERE role = ? "
                             f"AND target IN ({marks}) ORDER BY id", (AI_ROLE, *call_ids))
            for r in rows:
                if not str(r["action"]).startswith(TOOL_ACTION):
                    continue
                result = (json.loads(r["detail"] or "{}").get("result") or {})
                if isinstance(result, dict) and ("refused" in result or "error" in result):
                    continue
                out[r["target"]].append(str(r["action"]).removeprefix(TOOL_ACTION))
            return dict(out)

        return self._log.run_sync(q)

    def close(self) -> None:
        self._log.close()


def open_tool_audit(data_dir: Path) -> ToolAudit | None:
    path = data_dir / DB_FILENAME
    return ToolAudit(AuditLog(path)) if path.is_file() else None
