"""Create, seed and open the demo database (`demo.sqlite3`, on the one database layer)."""

from __future__ import annotations

import logging
from pathlib import Path

from kb.db import Connection, Database, Dialect, Schema, SqliteBackend
from kb.db.audit import AUDIT
from kb.demo import seed

log = logging.getLogger(__name__)

DB_FILENAME = "demo.sqlite3"
SCHEMA_PATH = Path(__file__).with_name("schema.sql")


def _v1(conn: Connection, dialect: Dialect) -> None:
    dialect.execute_script(conn, SCHEMA_PATH.read_text(encoding="utf-8"))


DEMO = Schema("demo", {"sqlite": (_v1,)})
SCHEMAS = (DEMO, AUDIT)  # the demo company's tables, and the audit log of the AI's tool calls


def reset(data_dir: Path) -> Path:
    """Re-create the demo database with the deterministic seed; return its path.

    Works in place (drops and re-creates every table), so engines that already hold a
    connection to the file see the fresh data. This also clears the demo's audit log.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DB_FILENAME
    db = Database(SqliteBackend(path), name="demo-reset")
    try:
        db.run_sync(lambda c: db.dialect.drop_tables(c, db.dialect.tables(c)))
        db.ensure(*SCHEMAS)
        db.run_sync(_seed, transaction=True)
    finally:
        db.close()
    log.info("demo database reset at %s", path)
    return path


def _seed(conn: Connection) -> None:
    conn.execute("INSERT INTO demo_meta VALUES ('today', ?)", (seed.DEMO_TODAY.isoformat(),))
    inserts: dict[str, list[tuple[object, ...]]] = {
        "membership_tiers": list(seed.TIERS),
        "customers": list(seed.CUSTOMERS),
        "products": list(seed.PRODUCTS),
        "orders": [(*o, _total(o[0])) for o in seed.ORDERS],
        "order_items": list(seed.ORDER_ITEMS),
        "plans": list(seed.PLANS),
        "subscriptions": list(seed.SUBSCRIPTIONS),
        "payments": list(seed.PAYMENTS),
        "refunds": list(seed.REFUNDS),
    }
    for table, rows in inserts.items():
        for row in rows:
            marks = ",".join("?" * len(row))
            conn.execute(f"INSERT INTO {table} VALUES ({marks})", row)


def _total(order_id: str) -> int:
    return sum(qty * price for oid, _, qty, price in seed.ORDER_ITEMS if oid == order_id)
