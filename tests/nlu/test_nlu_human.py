"""Asking for a person (nlu/human.py): request frames and bare person words, not mentions."""

from __future__ import annotations

import pytest

from nlu.human import asks_for_human


@pytest.mark.parametrize("said", [
    "operator!",
    "a human please",
    "Supervisor, now.",
    "put me through to your manager",
    "can I chat with somebody real",
    "I need an actual person for this",
    "I'd rather speak with a colleague of yours, thanks",
    "uh transfer me over to uh a rep",
    "is there an agent I could talk to",
    "where's my refund? and get me a supervisor",
])
def test_requests_for_a_person(said: str) -> None:
    assert asks_for_human(said)


@pytest.mark.parametrize("said", [
    "the agent handbook you use, is it public?",
    "the mail person rang the bell twice",
    "my insurance agent wants a receipt",
    "your colleague talked to me last week about it",  # a report, not a request
    "a sales rep said the boots are on sale",
    "I do not need to speak to anyone, just the deadline please",
    "no need for a manager, what's the return window?",
    "can I get a refund for the socks",
    "I spoke with someone on Monday",
])
def test_mentions_that_are_not_requests(said: str) -> None:
    assert not asks_for_human(said)
