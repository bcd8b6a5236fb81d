"""The checks an LLM's commands pass before the brain may act on them (pure functions; the
commands are what a model could answer, written here as inputs, not as recordings), and
the ways of asking for JSON: the schema compiles into each request shape, and a streamed
answer is usable the moment its JSON closes."""

from __future__ import annotations

import json

from dialog.commands import (
    Affirm,
    Clarify,
    Deny,
    HumanHandoff,
    PendingView,
    SetSlot,
    StartFlow,
    TurnContext,
    schema,
)
from dialog.flows.registry import FLOWS
from dialog.llm.checks import invented, problems
from dialog.llm.output import Mode, first_json_object, request_options
from dialog.llm.prompt import messages, system_prompt

READ_BACK = PendingView(tool="cancel_order", question="I'll cancel order 10288. Go ahead?",
                        args={"order_id": "10288"})


def test_a_task_the_caller_asked_for_passes() -> None:
    ctx = TurnContext(text="where is my order one oh two five one")
    cmds = [StartFlow("order_status", {"order_id": "10251"}, ctx.text)]
    assert problems(cmds, ctx, FLOWS) == (cmds, [])


def test_an_invented_order_number_is_rejected() -> None:
    ctx = TurnContext(text="where is my order 10251")
    _, found = problems([StartFlow("order_status", {"order_id": "10288"})], ctx, FLOWS)
    assert found and "was not said" in found[0]
    assert invented("order_id", "10251", ctx) == ""


def test_an_account_change_needs_the_callers_own_words() -> None:
    ctx = TurnContext(text="my order is late again")  # no "cancel" said
    _, found = problems([StartFlow("cancel_order", {})], ctx, FLOWS)
    assert found == ["cancel_order started without the caller's words for it"]


def test_a_flow_the_rules_hear_refused_is_not_started() -> None:
    ctx = TurnContext(text="I don't want a pause, just cancel the subscription")
    _, found = problems([StartFlow("pause_subscription", {})], ctx, FLOWS,
                        rule_commands=[Deny("pause_subscription")])
    assert "pause_subscription started though the caller refused it" in found


def test_an_affirm_without_a_plain_yes_is_dropped_and_the_answer_set_aside() -> None:
    ctx = TurnContext(text="hmm, wait, which order is that", pending=READ_BACK)
    kept, found = problems([Affirm()], ctx, FLOWS)
    assert kept == [] and found  # no commands left: the rules answer instead
    yes = TurnContext(text="yes please", pending=READ_BACK)
    assert problems([Affirm()], yes, FLOWS) == ([Affirm()], [])


def test_unknown_flows_and_slots_and_bare_clarify_are_refused() -> None:
    ctx = TurnContext(text="refund my card now", flow="order_status", awaiting=True)
    assert problems([StartFlow("issue_refund", {})], ctx, FLOWS)[1]
    assert problems([SetSlot("card_number", "4111")], ctx, FLOWS)[1]
    assert problems([Clarify()], ctx, FLOWS)[1] == ["not understood (clarify)"]
    assert problems([], ctx, FLOWS)[1] == ["no commands"]


def test_a_handoff_wins_and_passes() -> None:
    ctx = TurnContext(text="get me a real person, and where is 10251")
    cmds = [StartFlow("order_status", {"order_id": "10251"}), HumanHandoff("asked")]
    assert problems(cmds, ctx, FLOWS) == ([HumanHandoff("asked")], [])


def test_every_way_of_asking_carries_the_schema() -> None:
    body = schema(FLOWS)
    as_schema = request_options(Mode.JSON_SCHEMA, body)["response_format"]
    assert as_schema["type"] == "json_schema" and "$schema" not in as_schema["json_schema"]["schema"]
    tool = request_options(Mode.TOOL, body)
    assert tool["tool_choice"]["function"]["name"] == tool["tools"][0]["function"]["name"]
    assert len(tool["tools"]) == 1  # the only tool offered reports commands; it runs nothing
    assert request_options(Mode.JSON_OBJECT, body)["response_format"]["type"] == "json_object"
    assert request_options(Mode.TEXT, body) == {}


def test_a_streamed_answer_is_used_the_moment_its_json_closes() -> None:
    assert first_json_object('{"commands": [{"command": "chit_chat", "text": "a}b') is None
    whole = '{"commands": [{"command": "chit_chat", "text": "a}b \\" {"}]}'
    assert first_json_object("sure: " + whole + " and more") == whole
    assert json.loads(whole)["commands"][0]["text"] == 'a}b " {'


def test_the_prompt_is_the_same_bytes_every_turn_but_the_last() -> None:
    system = system_prompt("Acme Apparel", FLOWS)
    assert all(spec.name in system for spec in FLOWS)
    one = messages(TurnContext(text="hi"), system)
    two = messages(TurnContext(text="where is 10251", flow="order_status"), system)
    assert one[:-1] == two[:-1]  # a server's prompt cache keeps the prefix warm
    assert json.loads(two[-1]["content"])["caller_says"] == "where is 10251"
