"""Paraphrased caller questions must reach the right manual passage; noise must not."""

from __future__ import annotations

import pytest

from kb.index import MATCH_THRESHOLD, HybridIndex
from kb.passages import Passage

PARAPHRASES = [
    ("How many days do bronze members get to return stuff?", "membership_privileges"),
    ("This jacket is the wrong size, can I send it back?", "return_due_to_size"),
    ("What does it cost to get my order delivered overnight?", "manage_upgrade"),
    ("I can't remember my password", "recover_password"),
    ("The coupon code you emailed me doesn't work", "promo_code"),
    ("My parcel still hasn't shown up", "missing_item"),
    ("Can I get a few extra days to pay my subscription bill? I'm late", "manage_extension"),
    ("Your site takes forever to load", "website_too_slow"),
    ("I moved and need to update where I live on my account", "manage_change_address"),
    ("There's a charge on my order I don't understand", "status_mystery_fee"),
]
NOISE = [
    "What is the boiling point of water?",
    "Book me a table for two tonight",
    "Who won the world cup in 2010?",
    "Translate good morning into German",
]


@pytest.mark.parametrize(("question", "expected"), PARAPHRASES)
def test_paraphrase_finds_policy_passage(index: HybridIndex, question: str, expected: str) -> None:
    hits = index.search(question, k=3)
    assert hits[0].score >= MATCH_THRESHOLD, (question, hits[0])
    assert any(expected in h.passage.doc_id for h in hits), [h.passage.doc_id for h in hits]


@pytest.mark.parametrize("question", NOISE)
def test_unrelated_text_scores_below_threshold(index: HybridIndex, question: str) -> None:
    assert index.search(question, k=1)[0].score < MATCH_THRESHOLD


def test_every_passage_has_id_title_and_no_jargon_in_spoken(index: HybridIndex) -> None:
    ids = [p.doc_id for p in index.passages]
    assert len(ids) == len(set(ids)) > 50
    for p in index.passages:
        assert p.title and p.text
        assert "[" not in p.spoken and "click" not in p.spoken.lower()


def test_upsert_makes_new_document_searchable(index: HybridIndex) -> None:
    doc = Passage(
        doc_id="test/gift_cards",
        title="Gift cards",
        text="Gift cards never expire and can be used online or in any store.",
        spoken="Gift cards never expire.",
    )
    index.upsert([doc])
    try:
        assert index.search("do gift cards expire", k=1)[0].passage.doc_id == "test/gift_cards"
    finally:
        index.replace([p for p in index.passages if p.doc_id != "test/gift_cards"])
