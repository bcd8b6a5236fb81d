"""Errors of the database layer (all `kb.errors.StoreError`s, so adapters' callers catch one family)."""

from __future__ import annotations

from kb.errors import StoreError


class DatabaseClosed(StoreError):
    """Work was handed to a `Database` after `close()`."""

    retryable = False


class SchemaError(StoreError):
    """A schema cannot be brought to the version this code expects (e.g. the database is newer)."""

    retryable = False
