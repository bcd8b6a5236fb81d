"""Create, seed and open the demo database."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from kb.demo import seed

log = logging.getLogger(__name__)

DB_FILENAME = "demo.sqlite3"
SCHEMA_PATH = Path(__file__).with_name("schema.sql")


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def reset(data_dir: Path) -> Path:
    """Re-create the demo database with the deterministic seed; return its path.

    Works in place (drops and re-creates every table), so engines that already hold a
    connection to the file see the fresh data. This also clears the demo's audit log.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DB_FILENAME
    conn = connect(path)
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            conn.execute(f'DROP TABLE IF EXISTS "{table}"')
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(SCHEMA_PATH.read_text(encoding="utf-8"))
        conn.execute("CREATE TABLE demo_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
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
        conn.execute("BEGIN")
        for table, rows in inserts.items():
            for row in rows:
                marks = ",".join("?" * len(row))
                conn.execute(f"INSERT INTO {table} VALUES ({marks})", row)
        conn.execute("COMMIT")
    finally:
        conn.close()
    log.info("demo database reset at %s", path)
    return path


def _total(order_id: str) -> int:
    return sum(qty * price for oid, _, qty, price in seed.ORDER_ITEMS if oid == order_id)
