"""`hotline retention run` and `hotline erase --caller-id X` (no server needed)."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict
from typing import Any

from telephony.auth.audit import AuditLog
from telephony.core.config import HotlineConfig
from telephony.privacy.retention import Erased, erase_caller, purge_expired
from telephony.server.services import open_store


def add_parsers(sub: Any) -> None:
    r = sub.add_parser("retention", help="delete call data past the retention period")
    rsub = r.add_subparsers(dest="retention", required=True)
    run = rsub.add_parser("run", help="delete calls that ended more than privacy.retention_days ago")
    run.add_argument("--days", type=int, default=None, help="override privacy.retention_days")
    run.set_defaults(func=cmd_retention_run)
    e = sub.add_parser("erase", help="erase every call of one caller (recordings, transcripts, ...)")
    e.add_argument("--caller-id", required=True, help="the caller id (phone number, SIP user, ...)")
    e.add_argument("--by", default="cli", help="who asked (written to the audit log)")
    e.set_defaults(func=cmd_erase)


def _report(erased: list[Erased], what: str) -> None:
    print(json.dumps({what: len(erased), "calls": [asdict(e) for e in erased]}, indent=1))


def cmd_retention_run(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    days = cfg.privacy.retention_days if args.days is None else args.days
    if days <= 0:
        print("retention: privacy.retention_days is 0 (keep forever); nothing deleted")
        return 0
    _report(asyncio.run(_with_stores(cfg, lambda s, a: purge_expired(s, a, cfg.data_path, days))),
            "deleted")
    return 0


def cmd_erase(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    _report(asyncio.run(_with_stores(cfg, lambda s, a: erase_caller(
        s, a, cfg.data_path, args.caller_id, actor=args.by, role="admin"))), "erased")
    return 0


async def _with_stores(cfg: HotlineConfig, job: Any) -> list[Erased]:
    db = cfg.data_path / "hotline.db"
    store, audit = open_store(db), AuditLog(db)
    try:
        return list(await job(store, audit))
    finally:
        await asyncio.to_thread(store.close)
        await asyncio.to_thread(audit.close)
