"""The default command generator's rules (dialog/rules/), each alone, and their order."""

from __future__ import annotations

import re

import dialog.rules
from dialog.commands import (
    Affirm,
    Clarify,
    CorrectSlot,
    Deny,
    HumanHandoff,
    RejectSlot,
    SetSlot,
    StartFlow,
    TurnContext,
)
from dialog.flows.confirm import ask
from dialog.flows.registry import FLOWS
from dialog.rules import RULES, Resources, RuleGenerator, Turn
from dialog.rules.readback import read_back_answer
from dialog.rules.talk import human_request, short_ack, survey_answer
from dialog.rules.tasks import awaited_detail, correction, requests
from dialog.state import PendingAction
from dialog.types import Session
from tests.dialog.stubs import KeywordClassifier, holder, stub_services

PRODUCTS = ["Rain Jacket", "Wool Socks 3-Pack", "Aurora Wireless Headset"]
RANKS = {
    "where": [("order_status", 0.9), ("other", 0.1)],
    "arrive": [("order_status", 0.9), ("other", 0.1)],
    "password": [("reset_password", 0.9), ("other", 0.1)],
    "cancel": [("cancel_order", 0.7), ("cancel_subscription", 0.3)],
}


def resources() -> Resources:
    services = stub_services()
    services.product_names = PRODUCTS
    services.plan_names = ["basic", "premium", "elite"]
    return Resources(services, KeywordClassifier(RANKS), FLOWS)  # type: ignore[arg-type]


def turn(session: Session, text: str) -> Turn:
    return Turn(TurnContext.of(session, text), resources())


def test_the_rules_run_in_the_documented_order() -> None:
    documented = re.findall(r"^\s*\d+\. (\w+)", dialog.rules.__doc__ or "", re.MULTILINE)
    assert [rule.__name__ for rule in RULES] == documented
    assert RULES[-1] is requests  # the last rule always answers


def test_a_request_for_a_person_is_a_handoff_and_a_mention_is_not() -> None:
    session = holder(Session(call_id="r1"))
    assert human_request(resources(), turn(session, "could you put me through to an operator")) == [
        HumanHandoff("caller asked for a human")]
    for said in ("is the agent handbook online", "no need for a rep, where's my parcel",
                 "the courier person was rude"):
        assert human_request(resources(), turn(session, said)) is None, said


def test_the_survey_answer_is_a_score_or_a_goodbye() -> None:
    session = holder(Session(call_id="r2"))
    session.state.survey.pending = True
    assert survey_answer(resources(), turn(session, "I'd say four")) == [SetSlot("csat_score", "4")]
    assert survey_answer(resources(), turn(session, "get me a manager")) is None


def _cancel_socks(session: Session) -> None:
    session.state.flow, session.state.order.order_id = "cancel_order", "10290"
    ask(session, "cancel_order", {"order_id": "10290"},
        "Just to confirm. You want me to cancel order 10290, with the Wool Socks 3-Pack? "
        "Please say yes or no.", done="Done.", declined="Okay.")


def test_only_a_plain_yes_affirms_a_read_back() -> None:
    session = holder(Session(call_id="r3"))
    _cancel_socks(session)
    assert read_back_answer(resources(), turn(session, "yes please")) == [Affirm()]
    assert read_back_answer(resources(), turn(session, "yes, the socks")) == [Affirm()]
    assert read_back_answer(resources(), turn(session, "nope")) == [Deny()]
    changed = read_back_answer(resources(), turn(session, "yes, cancel the rain jacket"))
    assert changed is not None and changed[0] == CorrectSlot(
        "product", "Rain Jacket", text="yes, cancel the rain jacket")
    assert read_back_answer(resources(), turn(session, "yes but the other order")) == [
        RejectSlot("order_id", "10290")]
    assert read_back_answer(resources(), turn(session, "I never asked you to cancel it")) == [
        Deny()]
    assert read_back_answer(resources(), turn(session, "hmm what does that mean")) is None


def test_refusing_the_offered_alternative_keeps_the_read_back_of_the_action() -> None:
    session = holder(Session(call_id="r4"))
    session.state.flow = "cancel_subscription"
    alternative = PendingAction("pause_subscription", {}, "Pause it?", "Paused.", "No pause.")
    ask(session, "cancel_subscription", {}, "Cancel it? Or say pause.", done="Done.",
        declined="Okay.")
    assert session.state.pending is not None
    session.state.pending.alternatives = {"pause": alternative}
    said = "I'm not after a pause, I want it cancelled"
    assert read_back_answer(resources(), turn(session, said)) == [
        Deny("pause_subscription"), StartFlow("cancel_subscription")]
    picked = read_back_answer(resources(), turn(session, "just pause it for now"))
    assert picked is not None and picked[0].flow == "pause_subscription"  # type: ignore[union-attr]


def test_a_no_naming_a_sibling_flow_switches_flows() -> None:
    session = holder(Session(call_id="r5"))
    _cancel_socks(session)
    said = "no sorry, I mean the subscription, not an order"
    assert read_back_answer(resources(), turn(session, said)) == [
        Deny(), StartFlow("cancel_subscription", text="the subscription")]


def test_corrections_name_the_slot_of_the_flow_in_progress() -> None:
    session = holder(Session(call_id="r6"))
    session.state.flow, session.state.order.order_id = "order_status", "10288"
    assert correction(resources(), turn(session, "no, the other order")) == [
        RejectSlot("order_id", "10288")]
    assert correction(resources(), turn(session, "oops, make that 10251")) == [
        CorrectSlot("order_id", "10251", text="10251")]
    session.state.flow = "return_window"
    fixed = correction(resources(), turn(session, "wait, I'm gold, not silver"))
    assert fixed == [CorrectSlot("tier", "gold", text="I'm gold")]
    assert correction(resources(), turn(session, "where is it")) is None


def test_an_open_question_takes_its_detail_but_not_a_goodbye() -> None:
    session = holder(Session(call_id="r7"))
    session.state.awaiting_flow = "order_status"
    assert awaited_detail(resources(), turn(session, "hmm let me think")) is None
    assert awaited_detail(resources(), turn(session, "it's 10288, bye")) is None
    assert awaited_detail(resources(), turn(session, "it's 10288")) == [SetSlot("order_id", "10288")]


def test_two_requests_in_one_turn_are_two_start_flows_in_the_order_said() -> None:
    session = holder(Session(call_id="r8"))
    said = "When will my rain jacket arrive? And I'd like a password reset too."
    commands = requests(resources(), turn(session, said))
    assert [c.flow for c in commands if isinstance(c, StartFlow)] == [
        "order_status", "reset_password"]
    first = commands[0]
    assert isinstance(first, StartFlow) and first.slots == {"product": "Rain Jacket"}


def test_a_refused_flow_is_denied_and_never_started() -> None:
    session = holder(Session(call_id="r9"))
    commands = requests(resources(), turn(session, "please don't cancel anything, where is it?"))
    assert commands[0] == Deny("cancel_order")
    assert not any(isinstance(c, StartFlow) and c.flow.startswith("cancel") for c in commands)


def test_a_bare_yes_with_nothing_pending_is_an_affirm_for_the_engine() -> None:
    session = holder(Session(call_id="r10"))
    assert short_ack(resources(), turn(session, "yes")) == [Affirm()]
    assert short_ack(resources(), turn(session, "no thanks")) == [Deny()]
    assert short_ack(resources(), turn(session, "yes and where is my order")) is None


def test_the_generator_always_answers_and_changes_no_state() -> None:
    session = holder(Session(call_id="r11"))
    generator = RuleGenerator(resources())
    assert generator.generate(TurnContext.of(session, "")) == [Clarify()]
    before = repr(session.state)
    commands = generator.generate(TurnContext.of(session, "where is order 10288?"))
    assert commands == [StartFlow("order_status", {"order_id": "10288"},
                                  text="where is order 10288?", confidence=0.9)]
    assert repr(session.state) == before


def test_a_request_after_the_answer_is_kept_for_afterwards_and_changes_nothing() -> None:
    session = holder(Session(call_id="r12"))
    _cancel_socks(session)
    yes = read_back_answer(resources(), turn(session, "yes please, and also where is my rain jacket?"))
    assert yes is not None and yes[0] == Affirm()
    assert [(c.flow, c.slots) for c in yes[1:] if isinstance(c, StartFlow)] == [
        ("order_status", {"product": "Rain Jacket"})]
    no = read_back_answer(resources(), turn(session, "no, but can you reset my password?"))
    assert no is not None and no[0] == Deny()
    assert [c.flow for c in no[1:] if isinstance(c, StartFlow)] == ["reset_password"]
    switched = read_back_answer(resources(), turn(session, "yes, cancel my subscription"))
    assert switched == [Deny(), StartFlow("cancel_subscription", text="yes. cancel my subscription")]


def test_never_mind_stops_an_open_question_but_is_only_a_no_otherwise() -> None:
    from dialog.commands import CancelFlow
    from dialog.rules.talk import stop_flow

    session = holder(Session(call_id="r13"))
    assert stop_flow(resources(), turn(session, "oh forget it")) is None  # nothing open
    session.state.awaiting_flow = "order_status"
    assert stop_flow(resources(), turn(session, "oh forget it")) == [CancelFlow()]
    assert stop_flow(resources(), turn(session, "forget it, where is my jacket")) is None


def test_an_apology_before_a_new_request_is_not_a_correction_of_the_last_flow() -> None:
    session = holder(Session(call_id="r14"))
    session.state.flow = "cancel_order"
    assert correction(resources(), turn(session, "sorry, where is order 10251?")) is None
    assert correction(resources(), turn(session, "sorry, cancel 10251 instead")) == [
        CorrectSlot("order_id", "10251", text="cancel 10251 instead")]
