"""Clauses, refusals and self-corrections (nlu/clauses.py, nlu/repair.py)."""

from __future__ import annotations

from nlu.clauses import Clause, split_clauses
from nlu.repair import apply_self_corrections


def texts(clauses: list[Clause]) -> list[tuple[str, bool, bool]]:
    return [(c.text, c.negated, c.correcting) for c in clauses]


def test_a_refusal_and_a_request_are_two_clauses() -> None:
    assert texts(split_clauses("I'm not after the pause, I'd like it cancelled please")) == [
        ("I'm not after the pause", True, False), ("I'd like it cancelled please", False, False)]
    assert split_clauses("please don't send anything")[0].refused == "send anything"


def test_a_problem_is_not_a_refusal() -> None:
    for said in ("my parcel hasn't arrived", "I can't log in", "it doesn't fit", "I'm not happy"):
        assert not split_clauses(said)[0].negated, said


def test_not_this_that_refuses_a_value() -> None:
    clauses = split_clauses("check my order, not the boots, the socks")
    assert texts(clauses) == [("check my order", False, False), ("not the boots", True, False),
                              ("the socks", False, False)]


def test_and_splits_only_before_a_new_clause() -> None:
    assert len(split_clauses("I ordered the jeans and the shirt")) == 1
    asked = split_clauses("check my order and can you reset my password?")
    assert [c.text for c in asked] == ["check my order", "can you reset my password"]
    assert asked[-1].question


def test_a_repair_marker_marks_the_clause_after_it() -> None:
    clauses = split_clauses("Oops, no, it's 10290.")
    assert texts(clauses) == [("it's 10290", False, True)]
    assert split_clauses("sorry, I meant the blue one")[0].body == "the blue one"
    assert not split_clauses("no thanks")[0].correcting


def test_a_self_correction_replaces_the_value_in_place() -> None:
    fixed = apply_self_corrections(split_clauses("status of 10288, scratch that, 10251 please"))
    assert [c.text for c in fixed] == ["status of 10251"]
    dated = apply_self_corrections(split_clauses("I bought it on June 3rd, no wait, June 13th"))
    assert [c.text for c in dated] == ["I bought it on June 13th"]
    worded = apply_self_corrections(split_clauses("I'm silver, sorry, gold"), ["silver", "gold"])
    assert [c.text for c in worded] == ["I'm gold"]


def test_a_correction_of_something_not_said_stays_a_clause() -> None:
    fixed = apply_self_corrections(split_clauses("where is my order, sorry, 10251"))
    assert [c.text for c in fixed] == ["where is my order", "10251"]
