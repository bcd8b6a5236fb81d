"""Errors raised by the understanding layer."""

from __future__ import annotations


class NLUError(Exception):
    """Base class for nlu errors."""

    retryable: bool = False


class NotTrainedError(NLUError):
    """A classifier was used before `fit`."""
