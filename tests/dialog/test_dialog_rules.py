"""The brain's rules (dialog/rules/), each alone, and the order they run in."""

from __future__ import annotations

import re
from typing import Any

import dialog.rules
from dialog.flows.confirm import ask
from dialog.flows.registry import FLOWS
from dialog.flows.spec import FlowRegistry, FlowSpec
from dialog.rules import RULES, Resources, Turn, decide
from dialog.rules.talk import (
    clarify,
    colleague_accepted,
    human_request,
    offer_expires,
    survey_answer,
)
from dialog.rules.tasks import awaited_detail, correction, knowledge_answer, read_back_answer
from dialog.services import Services
from dialog.types import Reply, Session
from nlu.cues import cues
from nlu.entities import Entities
from tests.dialog.stubs import KeywordClassifier, NoKnowledge, stub_services


def resources(flows: FlowRegistry = FLOWS, services: Services | None = None) -> Resources:
    return Resources(services or stub_services(), NoKnowledge(),  # type: ignore[arg-type]
                     KeywordClassifier({}), flows)  # type: ignore[arg-type]


def turn(session: Session, text: str, res: Resources) -> Turn:
    return Turn(session, text, cues(text), extract=res.services.entities)


def _echo_order(svc: Services, session: Session, ents: Entities) -> Reply:
    return Reply(text=f"order {session.state.order.order_id}, not {session.state.order.excluded}",
                 intent="order_status")


ORDERS_ONLY = FlowRegistry([FlowSpec("order_status", _echo_order, phrase="checking on an order"),
                            FlowSpec("cancel_order", _echo_order, phrase="cancelling an order")])


def test_the_rules_run_in_the_documented_order() -> None:
    documented = re.findall(r"^\s*\d+\. (\w+)", dialog.rules.__doc__ or "", re.MULTILINE)
    assert [rule.__name__ for rule in RULES] == documented
    assert RULES[-1] is clarify  # the last rule always answers


def test_human_request_hands_over_and_passes_anything_else() -> None:
    res, session = resources(), Session(call_id="r1")
    reply = human_request(res, turn(session, "let me talk to a real person", res))
    assert reply is not None and reply.escalate
    assert reply.escalation_reason == "caller asked for a human"
    assert human_request(res, turn(session, "where is my order", res)) is None


def test_an_offered_colleague_lasts_one_turn() -> None:
    res, session = resources(), Session(call_id="r2")
    session.state.offered_human = True
    this = turn(session, "yes please", res)
    assert offer_expires(res, this) is None  # books only
    assert this.offered_human and not session.state.offered_human
    accepted = colleague_accepted(res, this)
    assert accepted is not None and accepted.escalate
    assert colleague_accepted(res, turn(session, "yes please", res)) is None  # next turn: gone


def test_survey_answer_takes_a_score_and_yields_to_a_human_request() -> None:
    res, session = resources(), Session(call_id="r3")
    session.state.survey.pending = True
    scored = survey_answer(res, turn(session, "five", res))
    assert scored is not None and scored.end_call
    assert scored.tool_calls == [{"tool": "csat", "score": 5, "channel": "voice"}]
    session.state.survey.pending = True
    assert survey_answer(res, turn(session, "an agent please", res)) is None
    assert not session.state.survey.pending  # closed either way


def test_read_back_answer_runs_the_tool_only_on_yes() -> None:
    ran: list[dict[str, Any]] = []
    services = stub_services()
    services.tools.register("cancel_order", lambda **kw: ran.append(kw), state_changing=True,
                            description="test")
    res, session = resources(services=services), Session(call_id="r4")
    assert read_back_answer(res, turn(session, "yes", res)) is None  # nothing pending
    ask(session, "cancel_order", {"order_id": "1"}, "Cancel 1?", done="Done.", declined="Ok.")
    declined = read_back_answer(res, turn(session, "no", res))
    assert declined is not None and declined.intent == "deny" and not ran
    ask(session, "cancel_order", {"order_id": "1"}, "Cancel 1?", done="Done.", declined="Ok.")
    done = read_back_answer(res, turn(session, "yes", res))
    assert done is not None and done.text.startswith("Done.")
    assert ran == [{"order_id": "1", "actor": "hotline-ai", "reason": "caller confirmed"}]


def test_correction_re_runs_the_last_flow_without_the_order_picked() -> None:
    res, session = resources(ORDERS_ONLY), Session(call_id="r5")
    session.state.order.order_id, session.state.last_intent = "10288", "order_status"
    reply = correction(res, turn(session, "no, the other order", res))
    assert reply is not None and reply.text == "order None, not ['10288']"
    assert correction(res, turn(session, "no, the other order", res)) is None  # none picked now


def test_awaited_detail_needs_a_detail_and_is_not_a_goodbye() -> None:
    res, session = resources(ORDERS_ONLY), Session(call_id="r6")
    session.state.awaiting_flow = "order_status"
    assert awaited_detail(res, turn(session, "hmm let me think", res)) is None
    assert awaited_detail(res, turn(session, "it's 10288, bye", res)) is None
    reply = awaited_detail(res, turn(session, "it's 10288", res))
    assert reply is not None and reply.intent == "order_status"


def test_clarify_reports_how_close_the_knowledge_base_came() -> None:
    res, session = resources(), Session(call_id="r7")
    this = turn(session, "blorp", res)
    assert knowledge_answer(res, this) is None
    reply = clarify(res, this)
    assert reply is not None and (reply.intent, reply.confidence) == ("clarify", 0.12)


def test_order_decides_a_correction_during_a_read_back_before_its_no() -> None:
    res, session = resources(ORDERS_ONLY), Session(call_id="r8")
    session.state.order.order_id, session.state.last_intent = "10288", "confirm_cancel_order"
    ask(session, "cancel_order", {"order_id": "10288"}, "Cancel?", done="Done.", declined="Ok.")
    reply = decide(res, turn(session, "no, the other order", res))
    assert reply.text == "order None, not ['10288']" and session.state.pending is None


def test_order_gives_a_flows_open_question_its_detail_before_the_thanks() -> None:
    res, session = resources(ORDERS_ONLY), Session(call_id="r9")
    session.state.awaiting_flow = "order_status"
    assert decide(res, turn(session, "10288", res)).intent == "order_status"
    assert decide(res, turn(session, "thanks", res)).intent == "goodbye_survey"
