"""The flow engine (dialog/flowengine) executing commands against throwaway flows: repair,
read-backs, refusals and queued requests, with a real ToolBox and its confirmation rule."""

from __future__ import annotations

from typing import Any

from dialog.commands import (
    Affirm,
    CancelFlow,
    Command,
    CorrectSlot,
    Deny,
    HumanHandoff,
    RejectSlot,
    StartFlow,
    TurnContext,
)
from dialog.flowengine import FlowEngine, Resources
from dialog.flows.confirm import ask, refused
from dialog.flows.spec import FlowRegistry, FlowSpec
from dialog.services import Services
from dialog.state import PendingAction
from dialog.types import Reply, Session
from nlu.entities import Entities
from tests.dialog.stubs import NoKnowledge, holder, stub_services


def look(svc: Services, session: Session, ents: Entities) -> Reply:
    order = ents.order_ids[0] if ents.order_ids else "none"
    session.state.order.order_id = order
    return Reply(text=f"Order {order} is on its way. Is there anything else I can help with?",
                 intent="look")


def wipe(svc: Services, session: Session, ents: Entities) -> Reply:
    """Reads back a change, offering a gentler alternative unless the caller refused it."""
    order = ents.order_ids[0] if ents.order_ids else session.state.order.order_id or "1"
    session.state.order.order_id = order
    reply = ask(session, "wipe", {"order_id": order}, f"Wipe order {order}? Yes or no.",
                done="Wiped.", declined="Not wiped.")
    if not refused(session, "nap"):
        assert session.state.pending is not None
        session.state.pending.alternatives = {
            "nap": PendingAction("nap", {"order_id": order}, "Nap it instead?", "Napping.",
                                 "No nap.")}
    return reply


def ask_number(svc: Services, session: Session, ents: Entities) -> Reply:
    if ents.order_ids:
        session.state.awaiting_flow = None
        return Reply(text=f"Thanks, {ents.order_ids[0]}.", intent="ask_number")
    session.state.awaiting_flow = "ask_number"
    return Reply(text="Which number?", intent="ask_number")


FLOWS = FlowRegistry([
    FlowSpec("look", look, phrase="looking", asks=("order_id",)),
    FlowSpec("wipe", wipe, phrase="wiping", confirms=("wipe", "nap"), asks=("order_id",)),
    FlowSpec("nap", wipe, phrase="napping", confirms=("nap",)),
    FlowSpec("ask_number", ask_number, phrase="numbers", asks=("order_id",)),
])


def engine() -> tuple[FlowEngine, list[tuple[str, dict[str, Any]]]]:
    ran: list[tuple[str, dict[str, Any]]] = []
    services = stub_services()
    for tool in ("wipe", "nap"):
        services.tools.register(tool, lambda _t=tool, **kw: ran.append((_t, kw)),
                                state_changing=True, description="test")
    return FlowEngine(Resources(services, NoKnowledge(), FLOWS)), ran  # type: ignore[arg-type]


def turn(eng: FlowEngine, session: Session, said: str, *commands: Command) -> Reply:
    session.history.append(("caller", said))
    return eng.execute(session, TurnContext.of(session, said), list(commands))


def test_a_second_request_is_taken_up_as_soon_as_the_first_is_done() -> None:
    eng, _ = engine()
    session = holder(Session(call_id="e1"))
    reply = turn(eng, session, "", StartFlow("look", {"order_id": "7"}), StartFlow("ask_number"))
    assert reply.text == ("Order 7 is on its way. And about your other request: Which number?")
    assert reply.intent == "ask_number" and not session.state.queue


def test_a_queued_request_waits_for_the_read_backs_yes_and_never_runs_unasked() -> None:
    eng, ran = engine()
    session = holder(Session(call_id="e2"))
    first = turn(eng, session, "", StartFlow("wipe", {"order_id": "5"}), StartFlow("look"))
    assert first.intent == "confirm_wipe" and len(session.state.queue) == 1 and not ran
    done = turn(eng, session, "yes", Affirm())
    assert ran == [("wipe", {"order_id": "5", "actor": "hotline-ai", "reason": "caller confirmed"})]
    assert done.text.startswith("Wiped. And about your other request: Order none")


def test_a_deny_drops_the_read_back_and_then_takes_up_the_queue() -> None:
    eng, ran = engine()
    session = holder(Session(call_id="e3"))
    turn(eng, session, "", StartFlow("wipe", {"order_id": "5"}), StartFlow("look"))
    reply = turn(eng, session, "no", Deny())
    assert not ran and reply.text.startswith("Not wiped. And about your other request:")


def test_refusing_the_alternative_reads_the_action_back_without_it() -> None:
    eng, ran = engine()
    session = holder(Session(call_id="e4"))
    turn(eng, session, "", StartFlow("wipe", {"order_id": "5"}))
    reply = turn(eng, session, "no nap, wipe it", Deny("nap"), StartFlow("wipe"))
    assert reply.text == "No nap. Wipe order 5? Yes or no." and not ran
    pending = session.state.pending
    assert pending is not None and pending.tool == "wipe" and not pending.alternatives
    assert "nap" in session.state.refused


def test_asking_for_the_alternative_reads_that_back_it_needs_its_own_yes() -> None:
    eng, ran = engine()
    session = holder(Session(call_id="e5"))
    turn(eng, session, "", StartFlow("wipe", {"order_id": "5"}))
    reply = turn(eng, session, "nap it", StartFlow("nap"))
    assert reply.text == "Nap it instead?" and not ran
    turn(eng, session, "yes", Affirm())
    assert [tool for tool, _ in ran] == ["nap"]


def test_a_correction_during_a_read_back_re_issues_it_for_the_corrected_order() -> None:
    eng, ran = engine()
    session = holder(Session(call_id="e6"))
    turn(eng, session, "", StartFlow("wipe", {"order_id": "5"}))
    reply = turn(eng, session, "sorry, 6", CorrectSlot("order_id", "6"))
    assert reply.text == "Wipe order 6? Yes or no." and not ran
    turn(eng, session, "yes", Affirm())
    assert ran[0][1]["order_id"] == "6"


def test_the_other_one_excludes_the_order_and_runs_the_flow_again() -> None:
    eng, _ = engine()
    session = holder(Session(call_id="e7"))
    turn(eng, session, "", StartFlow("look", {"order_id": "7"}))
    turn(eng, session, "no, the other one", RejectSlot("order_id", "7"))
    assert session.state.order.excluded == ["7"]


def test_an_unclear_answer_is_asked_once_more_then_dropped() -> None:
    eng, ran = engine()
    session = holder(Session(call_id="e8"))
    turn(eng, session, "", StartFlow("wipe", {"order_id": "5"}))
    again = turn(eng, session, "hmm", StartFlow("look"))
    assert "clear yes or no" in again.text and session.state.pending is not None
    moved_on = turn(eng, session, "what about order 9", StartFlow("look", {"order_id": "9"}))
    assert moved_on.text.startswith("Order 9") and session.state.pending is None and not ran


def test_okay_to_an_open_question_asks_it_again() -> None:
    eng, _ = engine()
    session = holder(Session(call_id="e9"))
    turn(eng, session, "", StartFlow("ask_number"))
    assert turn(eng, session, "okay", Affirm()).text == "Which number?"


def test_a_person_request_drops_everything_open() -> None:
    eng, ran = engine()
    session = holder(Session(call_id="e10"))
    turn(eng, session, "", StartFlow("wipe", {"order_id": "5"}), StartFlow("look"))
    reply = turn(eng, session, "a human", HumanHandoff())
    assert reply.escalate and not session.state.queue and not ran
    assert session.state.pending is None  # a "yes" after the handoff confirms nothing
    assert turn(eng, session, "yes", Affirm()).intent == "ack" and not ran


def test_never_mind_stops_the_flow_and_the_queue() -> None:
    eng, _ = engine()
    session = holder(Session(call_id="e11"))
    turn(eng, session, "", StartFlow("ask_number"), StartFlow("look"))
    reply = turn(eng, session, "never mind", CancelFlow())
    assert reply.intent == "cancel_flow" and not session.state.queue
    assert session.state.awaiting_flow is None


def test_a_refusal_holds_until_the_caller_asks_for_that_flow() -> None:
    eng, _ = engine()
    session = holder(Session(call_id="e12"))
    assert turn(eng, session, "I don't want a nap", Deny("nap")).intent == "deny"
    turn(eng, session, "", StartFlow("wipe", {"order_id": "5"}))
    assert session.state.pending is not None and not session.state.pending.alternatives
    session.state.pending = None
    turn(eng, session, "nap it", StartFlow("nap"))
    assert "nap" not in session.state.refused


def test_a_frustration_slide_hands_over_at_the_second_failure_not_the_third() -> None:
    from dialog.escalation import frustrated

    assert frustrated(1, [-0.3, -0.6]) is None  # one failure is not a slide
    assert frustrated(2, [0.0, 0.0]) is None  # neutral misunderstanding waits for the third
    assert frustrated(2, [-0.5, -0.2]) is None  # negative but recovering
    reason = frustrated(2, [-0.2, -0.7])
    assert reason is not None and "falling" in reason
