"""What the agent asked for (nlu.expect) biases what the caller's next words are."""

from __future__ import annotations

import datetime as dt

import pytest

from nlu.entities import extract
from nlu.expect import Expect, asked_for

TODAY = dt.date(2026, 5, 6)


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("Sure, I can check that. What's your order number?", Expect.ORDER_ID),
        ("Which order would you like to cancel? What's the order number?", Expect.ORDER_ID),
        ("I couldn't find order 10299. Could you read me the order number again?", Expect.ORDER_ID),
        ("To confirm it's you, please tell me your zip code.", Expect.ZIP),
        ("What's the phone number on the account?", Expect.PHONE),
        ("First, what's the email address on your account?", Expect.EMAIL),
        ("When did you place the order?", Expect.DATE),
        ("What date did it arrive?", Expect.DATE),
        ("How much were you charged?", Expect.AMOUNT),
        ("Your order 10251 is on its way. Is there anything else I can help you with?", None),
        ("Order 10251 is with UPS.", None),  # mentions an order number, asks nothing
        ("Hello! How can I help you today?", None),
        ("", None),
    ],
)
def test_asked_for(agent: str, expected: Expect | None) -> None:
    assert asked_for(agent) == expected


def test_a_bare_cardinal_is_an_order_number_only_when_one_was_asked_for() -> None:
    said = "ten two fifty one"
    assert extract(said, TODAY, expect=Expect.ORDER_ID).order_ids == ["10251"]
    assert extract(said, TODAY).order_ids == []


def test_the_same_words_are_an_amount_when_an_amount_was_asked_for() -> None:
    ents = extract("forty nine ninety nine", TODAY, expect=Expect.AMOUNT)
    assert ents.amounts == [49.99]
    assert ents.order_ids == []
    assert extract("it was 49", TODAY, expect=Expect.AMOUNT).amounts == [49.0]


def test_short_digit_strings_count_only_when_an_order_number_was_asked_for() -> None:
    assert extract("it's 1 0 2 3", TODAY, expect=Expect.ORDER_ID).order_ids == ["1023"]
    assert extract("it's 10234567", TODAY, expect=Expect.ORDER_ID).order_ids == ["10234567"]
    assert extract("it's 1023", TODAY).order_ids == []


def test_five_digits_are_a_zip_code_when_one_was_asked_for() -> None:
    ents = extract("nine seven two oh one", TODAY, expect=Expect.ZIP)
    assert ents.zip_codes == ["97201"]
    assert ents.order_ids == []
    ents = extract("nine seven two oh one", TODAY)
    assert ents.zip_codes == []
    assert ents.order_ids == ["97201"]


def test_a_named_zip_code_is_one_without_being_asked() -> None:
    ents = extract("my zip code is seven eight seven oh one", TODAY)
    assert ents.zip_codes == ["78701"]
    assert ents.order_ids == []


@pytest.mark.parametrize(
    ("said", "expect"),
    [
        ("five five five, zero one hundred, zero zero two", Expect.PHONE),
        ("five five five zero one zero zero zero zero two", None),
        ("it's five five five, oh one oh, oh oh oh two", None),
        ("555-010-0002", None),
    ],
)
def test_spoken_phone_numbers(said: str, expect: Expect | None) -> None:
    ents = extract(said, TODAY, expect=expect)
    assert ents.phones == ["5550100002"]
    assert ents.order_ids == []


@pytest.mark.parametrize(
    "said",
    [
        "my order number is one oh two five one",
        "order 1 0 to 5 1",
        "it's order number ten two fifty one",
        "um the order is one zero two, uh, five one",
        "order number double one... no, one oh two five one",
    ],
)
def test_order_numbers_said_many_ways(said: str) -> None:
    assert "10251" in extract(said, TODAY).order_ids


def test_trailing_for_is_not_a_digit() -> None:
    ents = extract("the order is 1 0 2 9 0 for me", TODAY)
    assert ents.order_ids == ["10290"]


def test_spoken_email_is_an_email() -> None:
    ents = extract("sure it's jordan dot rivera at example dot com", TODAY, expect=Expect.EMAIL)
    assert ents.emails == ["jordan.rivera@example.com"]
