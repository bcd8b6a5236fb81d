"""The generic agent-to-caller rewriter used for documents without reviewed wording."""

from __future__ import annotations

from kb.spoken import speakable


def test_keeps_policy_facts_and_drops_console_steps() -> None:
    line = (
        "Bronze members: > Ask for the purchase date, return possible within the last 90 days "
        "<or> Ask if they have a receipt, get to return if user has receipt"
    )
    out = speakable(line)
    assert "90 days" in out and "receipt" in out
    assert "Ask" not in out and ">" not in out and "<or>" not in out


def test_agent_instructions_and_buttons_say_nothing() -> None:
    assert speakable("Enter the amount and click [Offer Refund]") == ""
    assert speakable("You do not need to enter anything into the form.") == ""
    assert "[" not in speakable("Standard shipping is $8.00, then click [Offer Refund]")
