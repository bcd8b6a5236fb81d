"""The command vocabulary (dialog/commands): JSON both ways, the schema, and validation."""

from __future__ import annotations

import json

import pytest

from dialog.commands import (
    NAMES,
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
    TurnContext,
    parse,
    schema,
    to_json,
    validate,
)
from dialog.errors import CommandError
from dialog.flows.confirm import ask
from dialog.flows.registry import FLOWS
from dialog.types import Session
from tests.dialog.stubs import holder

EVERY_KIND: list[Command] = [
    StartFlow("order_status", {"order_id": "10251"}, text="where is 10251", confidence=0.8),
    SetSlot("date", "2026-03-01"),
    CorrectSlot("tier", "bronze", text="I'm bronze"),
    RejectSlot("order_id", "10288"),
    Affirm(),
    Deny("pause_subscription"),
    Deny(),
    CancelFlow(),
    KnowledgeQuestion("how long is shipping?"),
    HumanHandoff("caller asked for a human"),
    Greeting(),
    Goodbye(),
    ChitChat("nice weather"),
    Clarify(("cancel_order", "cancel_subscription")),
]


def test_every_command_survives_json_both_ways() -> None:
    assert {type(c) for c in EVERY_KIND} == set(NAMES)
    wire = json.loads(json.dumps(to_json(EVERY_KIND)))
    assert parse(wire) == EVERY_KIND


def test_the_schema_names_this_registrys_flows_and_every_command() -> None:
    doc = schema(FLOWS)
    variants = doc["properties"]["commands"]["items"]["oneOf"]
    assert [v["properties"]["command"]["const"] for v in variants] == list(NAMES.values())
    start = variants[0]
    assert start["required"] == ["command", "flow"]
    assert start["properties"]["flow"]["enum"] == list(FLOWS.names)
    assert "pause_subscription" in variants[5]["properties"]["target"]["anyOf"][0]["enum"]
    assert all(v["additionalProperties"] is False for v in variants)


@pytest.mark.parametrize("bad", [
    {"commands": [{"command": "run_tool", "tool": "cancel_order"}]},
    {"commands": [{"command": "start_flow"}]},
    {"commands": [{"command": "set_slot", "name": "order_id", "value": "1", "confirmed": True}]},
    {"commands": [{"command": "start_flow", "flow": "x", "slots": ["order_id"]}]},
    {"commands": [{"command": "start_flow", "flow": "x", "confidence": 7}]},
    {"commands": "start_flow"},
])
def test_malformed_output_is_rejected_whole(bad: object) -> None:
    with pytest.raises(CommandError):
        parse(bad)


def test_validation_drops_unknown_flows_and_slots() -> None:
    ctx = TurnContext(text="cancel my order 10288 for my gift card")
    kept = validate([StartFlow("gift_cards"), StartFlow("cancel_order", {"order_id": "10288",
                     "tier": "gold", "pin": "1234"})], ctx, FLOWS)
    assert kept == [StartFlow("cancel_order", {"order_id": "10288"})]
    assert validate([SetSlot("order_id", "1")], ctx, FLOWS) == []  # no flow is active
    asked = TurnContext(text="10288", flow="order_status", awaiting=True)
    assert validate([SetSlot("order_id", "10288"), SetSlot("plan", "elite")], asked, FLOWS) == [
        SetSlot("order_id", "10288")]
    assert validate([Deny("delete_account")], ctx, FLOWS) == []


def test_a_person_request_leaves_nothing_else() -> None:
    ctx = TurnContext(text="cancel it and get me a person")
    assert validate([StartFlow("cancel_order"), HumanHandoff()], ctx, FLOWS) == [HumanHandoff()]


def test_an_affirm_of_a_read_back_needs_the_callers_own_yes() -> None:
    session = holder(Session(call_id="v1"))
    ask(session, "cancel_order", {"order_id": "10288"}, "Cancel 10288?", done="Done.",
        declined="Okay.")
    for said in ("no", "hmm, not sure", "yes... no, wait", "cancel it for me"):
        assert validate([Affirm()], TurnContext.of(session, said), FLOWS) == [], said
    assert validate([Affirm()], TurnContext.of(session, "yes please"), FLOWS) == [Affirm()]


def test_the_context_is_what_a_generator_sees_and_serialises() -> None:
    session = holder(Session(call_id="v2", history=[("agent", "Hi"), ("caller", "cancel 10288")]))
    session.state.flow = "cancel_order"
    ask(session, "cancel_order", {"order_id": "10288"}, "Cancel order 10288?", done="Done.",
        declined="Okay.")
    ctx = TurnContext.of(session, "cancel 10288")
    assert ctx.history == (("agent", "Hi"),)  # the turn itself is not history yet
    body = json.loads(json.dumps(ctx.to_json()))
    assert body["pending"]["question"] == "Cancel order 10288?" and body["flow"] == "cancel_order"
