"""The demo company in SQLite: deterministic seed, reset, policy join facts, audit."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from kb.demo import SqliteDemoStore, reset
from kb.errors import StoreError
from kb.manual import load_manual
from kb.policy import extract_return_policy

GUIDELINES = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "testdata"
    / "domain"
    / "abcd"
    / "guidelines.json"
)


def test_reset_is_deterministic_and_undoes_changes(tmp_path: Path) -> None:
    reset(tmp_path)
    store = SqliteDemoStore.open(tmp_path)
    before = store.order("10288")
    store.cancel_order("10288", actor="test", reason="test")
    assert store.order("10288").status == "cancelled"  # type: ignore[union-attr]
    reset(tmp_path)  # in place: the open connection sees the fresh seed
    assert store.order("10288") == before
    assert store.by_phone("555-010-0002").tier == "silver"  # type: ignore[union-attr]
    headset = store.order("10234").lines[0]  # type: ignore[union-attr]
    assert headset.limited_edition and "Headset" in headset.product_name


def test_shipped_order_cannot_be_cancelled(tmp_path: Path) -> None:
    store = SqliteDemoStore.open(tmp_path)
    with pytest.raises(StoreError):
        store.cancel_order("10251", actor="test", reason="test")


def test_audit_log_is_append_only(tmp_path: Path) -> None:
    store = SqliteDemoStore.open(tmp_path)
    store.record(
        call_id="c",
        tool="lookup_order",
        args={"order_id": "1"},
        result={},
        actor="t",
        confirmed=False,
    )
    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("UPDATE audit_log SET actor = 'x'")
    assert len(store.audit_entries("c")) == 1


def test_return_windows_come_from_the_manual() -> None:
    policy = extract_return_policy(load_manual(GUIDELINES))
    assert policy.windows["gold"].amount is None
    assert policy.windows["silver"].deadline(dt.date(2026, 4, 15)) == dt.date(2026, 10, 15)
    assert policy.windows["bronze"].deadline(dt.date(2026, 4, 15)) == dt.date(2026, 7, 14)
    assert policy.windows["guest"].deadline(dt.date(2026, 3, 20)) == dt.date(2026, 4, 19)
    assert "membership_privileges" in policy.source.doc_id
