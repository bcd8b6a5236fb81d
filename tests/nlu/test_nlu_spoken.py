"""Spoken forms written out (nlu.spoken, nlu.digits): one group of cases per form."""

from __future__ import annotations

import pytest

from nlu.digits import join_digit_runs, join_groups
from nlu.expect import Expect
from nlu.spoken import spoken_emails, spoken_money, written


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("one oh two five one", "10251"),
        ("zero zero seven", "007"),
        ("nine O two one O", "90210"),
        ("oh two one three nine", "02139"),  # a leading "oh" of a long run is a zero
        ("double five zero one", "5501"),
        ("triple seven two", "7772"),
        ("double oh seven", "007"),
        ("one-oh-two-five-one", "10251"),
        ("1, 0, 2, 5, 1.", "10251."),
        ("one zero, um, two five one", "10251"),
        ("four one one one one one one one", "41111111"),
        ("it's 1 0 2 6 3 I think", "it's 10263 I think"),
    ],
)
def test_digit_runs(said: str, expected: str) -> None:
    assert join_digit_runs(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("1 0 to 5 1", "10251"),  # Whisper's "to" inside a run is a two
        ("1 0 too 5 1", "10251"),
        ("1 0 2 for 1", "10241"),  # ... and "for" a four, even before the last digit
        ("one zero two for one", "10241"),
        ("1 0 2 9 0 for me", "10290 for me"),  # a homophone at the end of a run is a word
        ("1 0 2 5 1 for 2 shirts", "10251 for 2 shirts"),  # "for" + one digit + words
        ("to 1 0 2 5 1", "to 10251"),  # ... and at the start
        ("1 0 too 3 for", "10234"),  # ... unless it closes the utterance
        ("it's 1 0 too 3 for.", "it's 10234."),
        ("in 3 to 5 days", "in 3 to 5 days"),  # two digits are no dictation
        ("I want to cancel", "I want to cancel"),
        ("oh, one more thing", "oh, one more thing"),
        ("two or three", "two or three"),
        ("ninety seven", "ninety seven"),  # a cardinal is text2num's
        ("five hundred", "five hundred"),
    ],
)
def test_homophones_only_inside_runs(said: str, expected: str) -> None:
    assert join_digit_runs(said) == expected


@pytest.mark.parametrize(
    ("said", "lengths", "expected"),
    [
        ("10 2 51", range(4, 9), "10251"),
        ("102 51", range(4, 9), "10251"),
        ("555, 0100, 002", range(10, 12), "5550100002"),
        ("1 10251", range(4, 9), "1 10251"),  # a whole order number is never a group
        ("10 2 51 7 8 9 4", range(4, 9), "10 2 51 7 8 9 4"),  # too long together
        ("May 5 2026", range(4, 9), "May 5 2026"),  # a date
    ],
)
def test_groups_join_only_to_an_expected_length(said: str, lengths: range, expected: str) -> None:
    assert join_groups(said, lengths) == expected


@pytest.mark.parametrize(
    ("said", "expect", "expected"),
    [
        ("ten two fifty one", Expect.ORDER_ID, "10251"),
        ("ten two fifty-one", Expect.ORDER_ID, "10251"),
        ("one oh two fifty one", Expect.ORDER_ID, "10251"),
        ("ten oh five", Expect.ORDER_ID, "1005"),
        ("ten two sixty three", Expect.ORDER_ID, "10263"),
        ("one hundred two thirty four", Expect.ORDER_ID, "10234"),
        ("ninety seven two oh one", Expect.ZIP, "97201"),
        ("seven eight seven oh one", Expect.ZIP, "78701"),
        ("ten two fifty one", None, "10 2 51"),  # no expectation: not one number
        ("my order is one oh two fifty one", None, "my order is 10251"),  # named: one number
        ("order number ten two seventy", None, "order number 10270"),
        ("I have two orders", None, "I have two orders"),
    ],
)
def test_cardinals_in_context(said: str, expect: Expect | None, expected: str) -> None:
    assert written(said, expect) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("five five five zero one zero zero zero zero two", "5550100002"),
        ("five five five, zero one hundred, zero zero two", "5550100002"),
        ("555 010 0002", "5550100002"),
        ("call me at five five five, oh one oh, oh oh oh two", "call me at 5550100002"),
        ("one five five five zero one zero zero zero zero one", "15550100001"),
    ],
)
def test_phone_numbers(said: str, expected: str) -> None:
    assert written(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("on the twenty third", "on the 23rd"),
        ("the fourth of July", "the 4th of July"),
        ("February twenty-first", "February 21st"),
        ("wait a second", "wait a second"),  # ordinals below 4 stay words without a context
    ],
)
def test_ordinals(said: str, expected: str) -> None:
    assert written(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("jordan dot rivera at example dot com", "jordan.rivera@example.com"),
        ("it's Jordan Dot Rivera at example.com", "it's jordan.rivera@example.com"),
        ("priya.shah at example dot com", "priya.shah@example.com"),
        ("sam underscore okafor at example dot com", "sam_okafor@example.com"),
        ("alex dash chen at mail dot example dot com", "alex-chen@mail.example.com"),
        ("j r i v e r a at example dot com", "jrivera@example.com"),
        ("jordan.rivera@example.com", "jordan.rivera@example.com"),
        ("I was at home dot com", "I was at home dot com"),
        ("meet me at the store", "meet me at the store"),
    ],
)
def test_spoken_emails(said: str, expected: str) -> None:
    assert spoken_emails(said) == expected


def test_spoken_email_with_digits_in_it() -> None:
    assert written("jrivera one at example dot com") == "jrivera1@example.com"
    assert written("j r i v e r a one at example dot com") == "jrivera1@example.com"
    assert written("sam dot okafor two three at example dot com") == "sam.okafor23@example.com"


@pytest.mark.parametrize(
    ("said", "expect", "expected"),
    [
        ("forty nine dollars and ninety nine cents", None, "$49.99"),
        ("forty nine dollars ninety nine", None, "$49.99"),
        ("it was a hundred and ninety nine dollars", None, "it was a $199"),
        ("ninety nine cents", None, "$0.99"),
        ("fifty bucks", None, "$50"),
        ("forty nine ninety nine", Expect.AMOUNT, "$49.99"),
        ("forty nine ninety nine", None, "49 99"),  # no amount asked: not a price
        ("49 dollars and 2 shirts", None, "$49 and 2 shirts"),
    ],
)
def test_money(said: str, expect: Expect | None, expected: str) -> None:
    assert written(said, expect) == expected


def test_money_keeps_written_prices() -> None:
    assert spoken_money("I paid $199.00") == "I paid $199.00"


@pytest.mark.parametrize(
    ("said", "expect", "expected"),
    [
        ("for 3 0 0 for", Expect.ZIP, "43004"),  # both edges make the five digits asked for
        ("my zip is for 3 0 0 4", Expect.ZIP, "my zip is 43004"),
        ("four three double oh four", Expect.ZIP, "43004"),
        ("1 0 2 9 0 for", Expect.ORDER_ID, "10290 for"),  # five digits already: a word
        ("1 0 2 9 0 for me", Expect.ORDER_ID, "10290 for me"),
    ],
)
def test_edge_homophones_decided_by_the_expected_length(said: str, expect: Expect,
                                                         expected: str) -> None:
    assert written(said, expect) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("where is my package, it's ten two sixty three", "where is my package, it's 10263"),
        ("the order number, it's ten two fifty one", "the order number, it's 10251"),
        ("can you check my order ten two seventy", "can you check my order 10270"),
        ("I ordered two shirts for forty nine ninety nine", "I ordered two shirts for 49 99"),
        ("my delivery from May 5 2026", "my delivery from May 5 2026"),
    ],
)
def test_cardinal_groups_in_an_utterance_about_an_order(said: str, expected: str) -> None:
    assert written(said) == expected


def test_plain_sentences_pass_unchanged() -> None:
    for said in ["where is my order", "I'd like to cancel my subscription please",
                 "can I talk to someone", "one of the shirts was torn", "no one called me"]:
        assert written(said) == said
