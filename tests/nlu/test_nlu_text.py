"""Entities, PII redaction, sentiment and cues on realistic caller text."""

from __future__ import annotations

import datetime as dt

import pytest

from nlu.cues import Cue, cues
from nlu.entities import extract, normalize_digits
from nlu.pii import find_pii, luhn_valid, redact
from nlu.sentiment import is_negative, sentiment

TODAY = dt.date(2026, 5, 6)


def test_spoken_digits_become_an_order_id() -> None:
    assert normalize_digits("order one zero two five one") == "order 10251"
    assert extract("it's order number one zero two five one", TODAY).order_ids == ["10251"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I ordered on May 1st", dt.date(2026, 5, 1)),
        ("bought it April fifteenth", dt.date(2026, 4, 15)),
        ("on the 3rd of December", dt.date(2025, 12, 3)),  # no year: most recent past date
        ("paid on 4/15/2026", dt.date(2026, 4, 15)),
        ("it came yesterday", dt.date(2026, 5, 5)),
    ],
)
def test_dates(text: str, expected: dt.date) -> None:
    assert extract(text, TODAY).dates == [expected]


def test_contact_amount_tier_and_product() -> None:
    ents = extract(
        "I'm a premium member, email jo@example.com, phone (555) 010-0002, I paid $199.00 for the "
        "limited edition headset",
        TODAY,
        ["Aurora Limited Edition Wireless Headset", "Oxford Shirt"],
    )
    assert ents.emails == ["jo@example.com"]
    assert ents.phones == ["5550100002"]
    assert ents.amounts == [199.0]
    assert ents.tiers == ["gold"]
    assert ents.products == ["Aurora Limited Edition Wireless Headset"]
    assert ents.order_ids == []


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_redaction_of_cards_ssn_email_phone() -> None:
    text = (
        "card 4111-1111-1111-1111, not a card 4111 1111 1111 1112, SSN 123-45-6789, "
        "mail jo@example.com, call +1 555 010 0002, order 10251"
    )
    out = redact(text)
    assert "<CARD>" in out and "4111-1111-1111-1111" not in out
    assert "4111 1111 1111 1112" in out  # fails Luhn: left alone
    assert "<SSN>" in out and "<EMAIL>" in out and "<PHONE>" in out
    assert "order 10251" in out
    assert {s.kind for s in find_pii(text)} == {"card", "ssn", "email", "phone"}


def test_sentiment_separates_angry_from_happy() -> None:
    assert is_negative(sentiment("This is ridiculous, worst service ever, I'm furious"))
    assert sentiment("Great, thanks so much for your help!") > 0.5


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Yes please", Cue.AFFIRM),
        ("no, don't do that", Cue.DENY),
        ("Can I talk to a real person?", Cue.HUMAN),
        ("get me a representative", Cue.HUMAN),
        ("That's all, bye", Cue.GOODBYE),
    ],
)
def test_cues(text: str, cue: Cue) -> None:
    assert cue in cues(text)


def test_no_false_human_cue() -> None:
    assert Cue.HUMAN not in cues("Where is my order?")
