"""`hotline chat`: a text conversation in the terminal (docs/architecture.md)."""

from telephony.text.console.chat import ConsoleChat

__all__ = ["ConsoleChat"]
