"""Errors raised by the dialog layer."""

from __future__ import annotations


class DialogError(Exception):
    """Base class for dialog-layer errors."""

    retryable: bool = False


class ConfigError(DialogError):
    """The engine was built with missing or invalid inputs."""


class ToolError(DialogError):
    """A tool failed or was refused."""


class ConfirmationRequired(ToolError):
    """A state-changing tool was called without the caller's explicit confirmation."""


class CommandError(DialogError):
    """A command list (e.g. an LLM's JSON) does not match the command schema."""
