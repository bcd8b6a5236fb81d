"""Errors of the LLM client. `retryable` says whether the same request may succeed later."""

from __future__ import annotations


class LLMError(Exception):
    """Base class: the LLM could not give a usable answer."""

    retryable: bool = False


class LLMConfigError(LLMError):
    """The [dialog.llm] settings are unusable (no model, bad URL)."""


class LLMTimeoutError(LLMError):
    """No (complete) answer within the client's timeout."""

    retryable = True


class LLMConnectionError(LLMError):
    """The endpoint could not be reached, or dropped the connection."""

    retryable = True


class LLMStatusError(LLMError):
    """The endpoint answered with an HTTP error. 408, 409, 429 and 5xx are retryable."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"LLM endpoint answered HTTP {status}: {body[:300]}")
        self.status = status
        self.body = body
        self.retryable = status in (408, 409, 429) or status >= 500


class LLMResponseError(LLMError):
    """The endpoint answered 200 but not with a chat completion we can read."""
