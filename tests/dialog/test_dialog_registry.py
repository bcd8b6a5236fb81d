"""The flow registry (dialog/flows/registry.py): every per-flow table derives from it, and
a new flow is one registry entry plus its handler."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from dialog.flows.registry import FLOWS
from dialog.flows.spec import FlowRegistry, FlowSpec, words
from dialog.intents import EXAMPLES_PATH, training_set
from dialog.services import Services
from dialog.types import DialogEngine, Reply, Session
from kb.passages import Passage
from nlu.entities import Entities, normalize_digits
from tests.dialog.stubs import stub_brain


@dataclass
class GiftCardSlots:
    card_number: str | None = None


def gift_card_balance(svc: Services, session: Session, ents: Entities) -> Reply:
    """A throwaway flow: asks for the card number (any words), then answers."""
    slots = session.state.slots(GiftCardSlots)
    said = next((t for who, t in reversed(session.history) if who == "caller"), "")
    if session.state.awaiting_flow == "gift_card_balance":
        slots.card_number = "".join(c for c in normalize_digits(said) if c.isdigit()) or None
    if slots.card_number is None:
        session.state.awaiting_flow = "gift_card_balance"
        return Reply(text="Sure. What's the card number?", intent="gift_card_balance")
    session.state.awaiting_flow = None
    return Reply(text=f"Card {slots.card_number} has 20 dollars on it.",
                 intent="gift_card_balance")


GIFT_CARD = FlowSpec(
    "gift_card_balance", gift_card_balance, phrase="checking a gift card",
    choice_words=("gift",), required_words=words(r"gift ?cards?"), slots=GiftCardSlots,
    free_text=True,
)


def test_a_new_flow_is_one_registry_entry_and_its_handler() -> None:
    brain = stub_brain({"gift card": [("gift_card_balance", 0.9), ("other", 0.1)]},
                       flows=FLOWS.plus(GIFT_CARD))
    session = Session(call_id="gift", channel="chat")
    asked = brain.respond(session, "What's left on my gift card?")
    assert (asked.intent, asked.text) == ("gift_card_balance", "Sure. What's the card number?")
    answered = brain.respond(session, "it's four four four four")  # free text: no entity
    assert answered.text == "Card 4444 has 20 dollars on it."
    assert session.state.slots(GiftCardSlots).card_number == "4444"


def test_a_new_flow_takes_part_in_the_which_one_question() -> None:
    ranking = [("gift_card_balance", 0.4), ("order_status", 0.35), ("other", 0.25)]
    brain = stub_brain({"gift card": ranking}, flows=FLOWS.plus(GIFT_CARD))
    session = Session(call_id="gift-or-order", channel="chat")
    question = brain.respond(session, "my gift card order")
    assert question.text == "Sure. Is that about checking a gift card, or checking on an order?"
    assert brain.respond(session, "the gift one").intent == "gift_card_balance"


def test_a_flows_required_words_keep_the_classifier_from_starting_it() -> None:
    brain = stub_brain({"balance": [("gift_card_balance", 0.95), ("other", 0.05)]},
                       flows=FLOWS.plus(GIFT_CARD))
    assert brain.respond(Session(call_id="b", channel="chat"), "my balance").intent == "clarify"


def test_a_flow_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="twice"):
        FLOWS.plus(FlowSpec("order_status", gift_card_balance, phrase="again"))


def test_the_examples_file_trains_exactly_the_registered_flows() -> None:
    labels = {k for k in json.loads(EXAMPLES_PATH.read_text(encoding="utf-8"))
              if not k.startswith("_")}
    assert labels == {*FLOWS.names, "other"}


def test_manual_sections_named_by_a_flow_train_that_flow(tmp_path: Path) -> None:
    examples = tmp_path / "examples.json"
    examples.write_text(json.dumps({"gift_card_balance": ["gift card balance"],
                                    "other": ["opening hours"]}), encoding="utf-8")
    flows = FlowRegistry([FlowSpec("gift_card_balance", gift_card_balance, phrase="gift",
                                   manual_sections=("payments/gift_cards",))])
    passages = [Passage("payments/gift_cards/balance", "Gift cards", "t", "s", summary="gc"),
                Passage("shipping/cost", "Shipping", "t", "s", summary="ship")]
    texts, labels = training_set(passages, examples, flows)
    assert list(zip(texts, labels, strict=True)) == [
        ("gift card balance", "gift_card_balance"), ("opening hours", "other"),
        ("gc", "gift_card_balance"), ("ship", "other")]


def test_every_state_changing_tool_is_read_back_by_a_flow_that_declares_it(
    engine: DialogEngine,
) -> None:
    tools = engine.brain.services.tools  # type: ignore[attr-defined]
    declared = {tool for spec in FLOWS for tool in spec.confirms}
    assert declared == set(tools.names(state_changing=True))
