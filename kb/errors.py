"""Errors raised by the knowledge layer."""

from __future__ import annotations


class KBError(Exception):
    """Base class for knowledge-layer errors."""

    retryable: bool = False


class ManualFormatError(KBError):
    """The agent manual (guidelines.json) does not have the expected shape."""


class NotFoundError(KBError):
    """A customer, order or document that was asked for does not exist."""


class StoreError(KBError):
    """A backing store (SQLite, REST) failed."""

    retryable = True
