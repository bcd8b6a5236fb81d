"""The relevance check: a passage is spoken only if it answers the question.

Cases come from the development set (kb/data/relevance_dev.json), never from the
training questions (kb/data/answer_questions.json) or the outside set (kb/eval/); the last
two tests below use passages and questions the sheet does not hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest

from dialog import replies
from dialog.engine import HotlineEngine
from dialog.knowledge import KnowledgeAnswerer
from dialog.measure.knowledge import _matches
from dialog.relevance import UNANSWERED, RelevanceCheck
from dialog.types import DialogEngine, Session
from kb.embedder import Embedder
from kb.index import HybridIndex
from kb.manual import load_manual
from kb.passages import Passage
from kb.questions import load_questions
from tests.helpers import EMBED_CACHE, TESTDATA

GUIDELINES = TESTDATA / "domain" / "abcd" / "guidelines.json"

ANSWERED = [  # (dev question, the passage that answers it)
    ("can I get the refund on a gift card instead of my credit card", "product_defect/initiate_refund"),
    ("I'm a guest, how many days do I get to make a return",
     "product_defect/return_due_to_stain/membership_privileges"),
    ("the boots are too big, can I return them", "product_defect/return_due_to_size"),
    ("can I pay with PayPal", "order_issue/status_payment_method"),
    ("how much does overnight shipping cost", "order_issue/manage_upgrade"),
    ("I'm not getting the two factor code", "account_access/reset_two_factor_auth"),
    ("the coupon code won't apply at checkout", "purchase_dispute/promo_code_invalid"),
    ("how long does it take for my return credit to show up",
     "purchase_dispute/mistimed_billing_already_returned"),
    ("I can't pay my subscription this month, can I get an extension",
     "subscription_inquiry/manage_extension"),
    ("uh I was just calling to see where things are with my refund", "product_defect/refund_status"),
    ("every page on your site takes about a minute to load", "troubleshoot_site/website_too_slow"),
]
DECLINED = [  # near misses: they share words with a passage that does not answer them
    "can I use two gift cards on one order",
    "I want to give my sister a gift card for her birthday",
    "do you deliver to Canada",
    "I changed my email and now I want the account to use the new one",
    "is there a restocking fee on returns",
    "do you price match",
    "can I use two promo codes on one order",
    "can I put my subscription on hold",
    "what does the premium subscription include",
    "what's the warranty on a jacket",
    "will you refund the difference if the price drops after I buy",
]


@pytest.fixture(scope="module")
def answerer(engine: DialogEngine) -> KnowledgeAnswerer:
    return cast(HotlineEngine, engine).brain.knowledge


@pytest.mark.parametrize(("question", "doc_id"), ANSWERED)
def test_questions_the_manual_answers_are_answered_from_their_passage(
    answerer: KnowledgeAnswerer, question: str, doc_id: str
) -> None:
    reply = answerer.answer(question).reply
    assert reply is not None and reply.intent and reply.intent.startswith("kb:"), reply
    assert _matches(reply.citations[0].doc_id, [doc_id]), reply.citations
    assert reply.text.strip()


@pytest.mark.parametrize("question", DECLINED)
def test_near_misses_are_declined_without_a_citation(
    answerer: KnowledgeAnswerer, question: str
) -> None:
    reply = answerer.answer(question).reply
    assert reply is not None and reply.intent == "no_answer", reply
    assert not reply.citations
    assert reply.text in replies.FIXED_PHRASES  # pre-synthesizable


def test_no_answer_offers_the_nearest_topic(answerer: KnowledgeAnswerer) -> None:
    reply = answerer.answer("can I use two gift cards on one order").reply
    assert reply is not None
    assert reply.text == replies.no_answer("refunds and returns")


def test_a_question_the_manual_lists_without_an_answer_hears_no_detail(
    answerer: KnowledgeAnswerer,
) -> None:
    reply = answerer.answer("how wide are your boots").reply
    assert reply is not None and reply.intent == "no_answer" and reply.text == replies.NO_DETAIL


def test_a_fragment_is_not_answered_at_all(answerer: KnowledgeAnswerer) -> None:
    assert answerer.answer("the the blue um on the").reply is None


def test_a_lead_in_does_not_hide_the_question(answerer: KnowledgeAnswerer) -> None:
    reply = answerer.answer("Sorry, I meant how much is overnight shipping?").reply
    assert reply is not None and (reply.intent or "").startswith("kb:order_issue/manage_upgrade")
    assert "20 dollars" in reply.text


async def test_a_return_word_does_not_make_a_billing_question_a_return(
    engine: DialogEngine,
) -> None:
    reply = await engine.respond(Session(call_id="rel-1"),
                                 "how long does it take for my return credit to show up")
    assert reply.intent == "kb:purchase_dispute/mistimed_billing_already_returned"


async def test_a_product_question_does_not_start_the_return_flow(engine: DialogEngine) -> None:
    reply = await engine.respond(Session(call_id="rel-2"), "what's the warranty on a jacket")
    assert reply.intent == "no_answer" and not reply.citations


async def test_yes_after_no_answer_takes_the_colleague(engine: DialogEngine) -> None:
    session = Session(call_id="rel-3")
    first = await engine.respond(session, "can I use two gift cards on one order")
    assert first.intent == "no_answer" and not first.escalate
    second = await engine.respond(session, "yes please")
    assert second.escalate


def test_an_added_document_is_answered_after_the_index_refits(tmp_path: Path) -> None:
    index = HybridIndex(Embedder.load(cache_dir=EMBED_CACHE), load_manual(GUIDELINES))
    answerer = KnowledgeAnswerer(index)
    question = "How much does gift wrapping cost?"
    before = answerer.answer(question).reply
    assert before is not None and before.intent == "no_answer"  # the manual lists it, unanswered
    index.upsert([Passage(doc_id="gift-wrap", title="Gift wrapping price",
                          text="Gift wrapping costs 7 dollars per item.",
                          spoken="Gift wrapping is 7 dollars per item.", source="qa")])
    after = answerer.answer(question).reply
    assert after is not None and after.intent == "kb:gift-wrap" and "7 dollars" in after.text


def test_the_classifier_knows_every_answer_group_and_the_unanswered() -> None:
    index = HybridIndex(Embedder.load(cache_dir=EMBED_CACHE), load_manual(GUIDELINES))
    check = RelevanceCheck(index.embedder, load_questions().unanswered)
    check.fit(index.passages)
    labels = {label for label, _ in check.rank("hello")}
    groups = {p.group for p in index.passages if p.spoken and p.questions}
    assert labels == groups | {UNANSWERED}
    assert check.rank("is the leather on the boots real")[0][0] == UNANSWERED
