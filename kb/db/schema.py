"""Schema registration: each room contributes its tables as a named, versioned `Schema`.

A schema's steps are numbered per backend: step i (1-based) brings it to version i, and the
version reached is kept in `schema_versions`. Opening a store applies the missing steps, one
transaction each (the step and its version commit together), so applying twice changes
nothing, a crash mid-step leaves the previous version, and two processes opening the same
database at once run each step once. A maintained migration tool can take over later by
reading `schema_versions` as its baseline (docs/architecture.md, "Storage").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kb.db.dialect import Connection, Dialect
from kb.db.errors import SchemaError

Step = str | Callable[[Connection, Dialect], None]  # a SQL script, or code for what SQL can't say

VERSIONS_TABLE = "schema_versions"
VERSIONS = (f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (name TEXT PRIMARY KEY, "
            "version INTEGER NOT NULL, applied_at DOUBLE PRECISION NOT NULL)")


@dataclass(frozen=True)
class Schema:
    name: str  # unique per database: "calls", "qa", "auth", "audit", "demo"
    steps: Mapping[str, tuple[Step, ...]]  # dialect name -> steps, version 1 first

    def steps_for(self, dialect: Dialect) -> tuple[Step, ...]:
        if dialect.name not in self.steps:
            raise SchemaError(f"schema {self.name!r} has no steps for the {dialect.name} backend")
        return self.steps[dialect.name]


def version(conn: Connection, name: str) -> int:
    """The version of schema `name` this database is at (0: never applied)."""
    row = conn.execute(f"SELECT version FROM {VERSIONS_TABLE} WHERE name = ?", (name,)).fetchone()
    return int(row[0]) if row else 0


def apply(conn: Connection, dialect: Dialect, schema: Schema) -> int:
    """Bring `schema` to its latest version; return how many steps ran (0 if it was there)."""
    steps = schema.steps_for(dialect)
    conn.execute(VERSIONS)
    ran = 0
    while (current := version(conn, schema.name)) < len(steps):
        with dialect.transaction(conn):
            current = version(conn, schema.name)  # another connection may have been first
            if current < len(steps):
                step = steps[current]
                if isinstance(step, str):
                    dialect.execute_script(conn, step)
                else:
                    step(conn, dialect)
                conn.execute(dialect.upsert(VERSIONS_TABLE, ("name", "version", "applied_at"),
                                            ("name",)), (schema.name, current + 1, time.time()))
                ran += 1
    if current > len(steps):
        raise SchemaError(f"the database has schema {schema.name!r} at version {current}; this "
                          f"code knows {len(steps)}: run the newer Hotline, or restore a backup")
    return ran
