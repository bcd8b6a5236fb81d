"""The question sheet the relevance check learns from, and how the manual feeds it."""

from __future__ import annotations

import json
from pathlib import Path

from kb.manual import load_manual
from kb.questions import QUESTIONS_PATH, listed_questions, load_questions
from tests.helpers import TESTDATA

GUIDELINES = TESTDATA / "domain" / "abcd" / "guidelines.json"
DEV_PATH = Path(QUESTIONS_PATH).with_name("relevance_dev.json")
EVAL_PATH = Path(QUESTIONS_PATH).parents[1] / "eval" / "questions.json"


def test_every_sheet_entry_names_a_manual_passage_with_an_answer() -> None:
    sheet = load_questions()
    passages = {p.doc_id: p for p in load_manual(GUIDELINES)}
    assert set(sheet.answers) <= set(passages)
    assert all(passages[doc_id].spoken for doc_id in sheet.answers)
    assert set(sheet.groups) <= set(passages)
    assert sum(len(q) for q in sheet.answers.values()) >= 300 and len(sheet.unanswered) >= 80


def test_passages_carry_their_questions_and_group() -> None:
    passages = {p.doc_id: p for p in load_manual(GUIDELINES)}
    color = passages["product_defect/return_due_to_color"]
    window = passages["product_defect/return_due_to_stain/membership_privileges"]
    assert color.group == window.group == "product_defect/return_due_to_stain"
    assert window.questions and all(isinstance(q, str) for q in window.questions)
    assert passages["account_access/recover_username"].group == "account_access/recover_username"


def test_faq_subflows_list_their_questions_as_unanswered() -> None:
    passages = {p.doc_id: p for p in load_manual(GUIDELINES)}
    boots = passages["single_item_query/boots_faq"]
    assert not boots.spoken
    assert "waterproof (boots)" in boots.questions and len(boots.questions) == 8
    # ... except those another passage answers: overnight shipping costs 20 dollars
    pricing = passages["storewide_query/pricing_faq"].questions
    assert not any("overnight" in q.lower() for q in pricing)
    assert any("gift wrapping" in q.lower() for q in pricing)


def test_listed_questions_reads_the_manuals_list() -> None:
    text = "The main effort is in figuring out which question the customer is asking: A b, C d?, E"
    assert listed_questions(text, "hats") == ("A b (hats)", "C d (hats)", "E (hats)")
    assert listed_questions(text, "hats", skip=frozenset({"c d"})) == ("A b (hats)", "E (hats)")
    assert listed_questions("no list here", "hats") == ()


def test_the_dev_set_is_not_training_data() -> None:
    """The dev set measures the check: none of its questions may be learned from."""
    sheet = load_questions()
    dev = json.loads(DEV_PATH.read_text(encoding="utf-8"))
    dev_questions = {it["q"].lower() for kind in ("answerable", "unanswerable") for it in dev[kind]}
    learned = {q.lower() for qs in sheet.answers.values() for q in qs} | {
        q.lower() for q in sheet.unanswered}
    assert len(dev_questions) >= 300
    assert not dev_questions & learned


def _asked(path: Path) -> set[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {it["q"].lower().strip(" ?.!") for kind in ("answerable", "unanswerable")
            for it in data[kind]}


def test_the_outside_set_is_neither_learned_nor_tuned_on() -> None:
    """kb/eval is the measurement: no question of it may be in the sheet or the dev set."""
    sheet = load_questions()
    learned = {q.lower().strip(" ?.!") for qs in sheet.answers.values() for q in qs}
    learned |= {q.lower().strip(" ?.!") for q in sheet.unanswered}
    outside = _asked(EVAL_PATH)
    assert not outside & learned
    assert not outside & _asked(DEV_PATH)
