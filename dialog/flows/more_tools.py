"""Register the tools of the newer flows on a ToolBox (called by dialog.factory)."""

from __future__ import annotations

from typing import Any

from dialog.tools import ToolBox


def register_more_tools(tools: ToolBox, store: Any) -> None:
    """`store`: the demo store (or any object with the same methods)."""
    reads = {
        "list_plans": (store.plans, "The subscription plans and prices"),
        "list_credits": (store.credits_for, "A customer's account credits"),
        "verify_identity": (store.verify_identity, "Which identity factors match the account"),
        # A complaint note is a record of what the caller said, not an account change:
        # audited like every tool, but it needs no read-back.
        "record_complaint": (store.record_complaint, "Record a complaint and its follow-up date"),
    }
    for name, (func, description) in reads.items():
        tools.register(name, func, state_changing=False, description=description)
    changes = {
        "upgrade_subscription": (store.upgrade_subscription, "Move a subscription to a higher plan"),
        "pause_subscription": (store.pause_subscription, "Pause a monthly subscription"),
        "issue_credit": (store.issue_credit, "Add a goodwill credit to an account (capped)"),
        "send_password_reset": (
            store.send_password_reset,
            "E-mail a password reset link to the address on file",
        ),
    }
    for name, (func, description) in changes.items():
        tools.register(name, func, state_changing=True, description=description)
