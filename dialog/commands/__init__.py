"""Commands: what understanding hands to the flow engine (docs/dialog.md, "How a turn is
decided"). Types in `types`, JSON in `schema`, the generator seam in `generator`, what a
generator sees in `context`, the checks every generator's output passes in `validate`."""

from dialog.commands.context import PendingView, TurnContext
from dialog.commands.generator import AsyncCommandGenerator, CommandGenerator
from dialog.commands.schema import parse, schema, to_json
from dialog.commands.types import (
    NAMES,
    SLOTS,
    Affirm,
    CancelFlow,
    ChitChat,
    Clarify,
    Command,
    CorrectSlot,
    Deny,
    Goodbye,
    Greeting,
    HumanHandoff,
    KnowledgeQuestion,
    RejectSlot,
    SetSlot,
    StartFlow,
)
from dialog.commands.validate import validate

__all__ = [
    "NAMES", "SLOTS", "Affirm", "AsyncCommandGenerator", "CancelFlow", "ChitChat", "Clarify", "Command",
    "CommandGenerator", "CorrectSlot", "Deny", "Goodbye", "Greeting", "HumanHandoff",
    "KnowledgeQuestion", "PendingView", "RejectSlot", "SetSlot", "StartFlow", "TurnContext",
    "parse", "schema", "to_json", "validate",
]
