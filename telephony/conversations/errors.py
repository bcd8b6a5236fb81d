"""Errors of the conversations room."""


class ConversationClosed(Exception):
    """The conversation ended (or never was): nothing more goes into it."""
