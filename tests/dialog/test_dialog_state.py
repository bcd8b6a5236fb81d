"""The typed per-conversation state (dialog/state.py) and Session's seam to other layers."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from dialog.commands import TurnContext
from dialog.flowengine import Resources
from dialog.flowengine.readback import answer
from dialog.flows.confirm import ask
from dialog.flows.registry import FLOWS
from dialog.state import DialogState, PendingAction
from dialog.types import Reply, Session
from tests.dialog.stubs import NoKnowledge, holder, stub_services


@dataclass
class _Slots:
    colour: str | None = None


def test_a_flows_slots_are_typed_created_once_and_forgettable() -> None:
    state = DialogState()
    state.slots(_Slots).colour = "red"
    assert state.slots(_Slots).colour == "red"
    state.forget_slots(_Slots)
    assert state.slots(_Slots).colour is None


def test_state_survives_a_deep_copy_unchanged() -> None:  # the LLM wrapper rolls turns back
    state = DialogState(customer_id="C1", sentiment=[-0.2])
    state.slots(_Slots).colour = "blue"
    state.pending = PendingAction("cancel_order", {"order_id": "1"}, "Cancel it?", "Done.", "Ok.")
    copied = copy.deepcopy(state)
    assert copied == state and copied.slots(_Slots).colour == "blue"
    copied.order.excluded.append("1")
    assert state.order.excluded == []


def test_other_layers_use_sessions_accessors() -> None:
    session = Session(call_id="c", channel="chat", caller_id=None)
    assert session.caller_sentiment() == [] and session.last_intent() is None
    session.state.sentiment.extend([0.1, -0.6])
    session.state.last_intent = "order_status"
    session.mark_awaiting_human()
    assert session.caller_sentiment() == [0.1, -0.6]
    assert session.last_intent() == "order_status"
    assert session.state.awaiting_human


def test_the_pending_action_records_exactly_what_was_read_back() -> None:
    session = holder(Session(call_id="c"))
    reply = ask(session, "cancel_order", {"order_id": "10288"}, "Cancel order 10288? Yes or no.",
                done="Done.", declined="Okay.")
    pending = session.state.pending
    assert pending is not None and pending.question == reply.text
    assert (pending.tool, pending.args, pending.asked) == ("cancel_order", {"order_id": "10288"}, 1)


def test_a_soft_offer_is_dropped_not_re_asked_when_the_answer_is_unclear() -> None:
    session = holder(Session(call_id="c"))
    res = Resources(stub_services(), NoKnowledge(), FLOWS)  # type: ignore[arg-type]
    unclear = TurnContext.of(session, "hmm")
    ask(session, "issue_credit", {}, "A credit?", done="Done.", declined="Okay.", soft=True)
    assert answer(res, session, unclear, [], frozenset()) is None  # no tool runs
    assert session.state.pending is None
    ask(session, "issue_credit", {}, "A credit?", done="Done.", declined="Okay.")
    again = answer(res, session, unclear, [], frozenset())
    assert again is not None and "clear yes or no" in again.text
    assert session.state.pending is not None and session.state.pending.asked == 2


def test_a_read_back_the_caller_did_not_hear_is_dropped() -> None:
    session = holder(Session(call_id="c"))  # read-backs are only proposed to the account holder
    readback = ask(session, "cancel_order", {"order_id": "10288"}, "Cancel order 10288? Yes or no.",
                   done="Done.", declined="Okay.")
    session.reply_unheard(Reply(text="Sure, your order 10288 shipped on May 2nd."))
    assert session.state.pending is not None  # another reply, unheard: the read-back stands
    session.reply_unheard(readback)  # talked over before its question was played
    assert session.state.pending is None
    # the caller's next "yes" meets no read-back in the command layer: it confirms nothing
    assert TurnContext.of(session, "yes").pending is None
