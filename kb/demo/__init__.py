"""The embedded demo company: SQLite data behind the kb adapter protocols."""

from __future__ import annotations

from kb.demo.db import DB_FILENAME, reset
from kb.demo.store import SqliteDemoStore

__all__ = ["DB_FILENAME", "SqliteDemoStore", "reset"]
