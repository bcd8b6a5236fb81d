"""The end-of-turn verdict (voice/endpoint.py): how much silence each kind of pause needs.

The examples are what Whisper and Smart Turn v3 actually gave at pauses of the shared
recordings and the pause set (docs/latency.md): fragments the caller went on from, and
the true ends of their turns.
"""

from __future__ import annotations

import pytest

from voice.config import VoiceConfig
from voice.endpoint import (
    dictating_digits,
    ends_open,
    is_item_list,
    is_preamble,
    is_short_reply,
    judge,
)

CFG = VoiceConfig()
STOP, HOLD, FALLBACK = CFG.vad_stop_secs, CFG.hold_secs, CFG.turn_fallback_secs


@pytest.mark.parametrize(("text", "p", "spoken_s", "wait", "reason"), [
    # the caller went on after these (pause set, shared sentences)
    ("Drop the two.", 0.007, 1.7, HOLD, "doubt"),  # a command, its detail follows
    ("Tera thin sheet.", 0.923, 1.2, HOLD, "short"),  # Smart Turn fairly sure, still short
    ("The child almost hurt.", 0.792, 2.0, HOLD, "short"),
    ("She had your dog suit.", 0.432, 1.9, HOLD, "doubt"),
    ("The small dog, the figures.", 0.901, 2.9, HOLD, "list"),
    ("The fence, the yellow pan.", 0.974, 2.2, HOLD, "list"),  # even with Smart Turn sure
    ("And so my fellow Americans.", 0.945, 2.3, HOLD, "preamble"),
    ("And so my fellow Americans ask not", 0.01, 4.4, HOLD, "doubt"),
    ("If the reader will excuse me, I will say nothing of my antecedents, nor of the "
     "circumstances which led me to leave my native country.", 0.616, 7.7, HOLD, "monologue"),
    ("We are sure that", 0.728, 1.1, HOLD, "open"),
    ("Sunday is-", 0.012, 1.4, HOLD, "open"),
    ("At that high level...", 0.145, 1.9, HOLD, "open"),
    ("The child", 0.625, 1.2, HOLD, "short"),
    ("Five, one.", 0.422, 1.2, FALLBACK, "digits"),
    ("1,0001", 0.978, 2.7, FALLBACK, "digits"),
    ("8.", 0.987, 0.7, FALLBACK, "digits"),
    ("my order number is 1 0 2", 0.99, 3.0, FALLBACK, "digits"),
    # true ends
    ("A thin stripe runs down the middle.", 0.959, 2.6, STOP, "transcript"),
    ("Drop the two when you add the figures.", 0.52, 3.4, STOP, "transcript"),
    ("mend the coat before you go out", 0.845, 2.3, STOP, "smart_turn"),
    ("In 1813.", 0.97, 1.8, STOP, "transcript"),  # short, but Smart Turn is sure
    ("What joy there is in living?", 0.975, 2.0, STOP, "transcript"),
    ("Where is my order?", 0.6, 1.5, STOP, "transcript"),  # a question is not a fragment
    ("Mr. Quilter is the apostle of the middle classes and we are glad to welcome his gospel.",
     0.933, 5.5, STOP, "transcript"),
    ("Yes.", 0.2, 0.6, STOP, "reply"),  # a complete short reply, whatever Smart Turn says
    ("Thanks, bye.", 0.4, 0.9, STOP, "reply"),
    ("", 0.99, 1.0, FALLBACK, "no_words"),
])
def test_each_kind_of_pause_waits_for_its_silence(text: str, p: float, spoken_s: float, wait: float,
                                                  reason: str) -> None:
    verdict = judge(text, p, spoken_s, CFG)
    assert (verdict.wait_s, verdict.reason) == (wait, reason)


def test_the_waits_are_ordered_and_a_verdict_ends_its_own_pause() -> None:
    assert STOP < HOLD < FALLBACK
    verdict = judge("Drop the two.", 0.007, 1.7, CFG)
    assert not verdict.ended_by(HOLD - 0.032) and verdict.ended_by(HOLD)


@pytest.mark.parametrize(("text", "digits"), [
    ("1, 0, 2.", True), ("five one", True), ("415, 372, 0, 0, 8.", True),
    ("my order is 1 0 2", True), ("In 1813.", False), ("I have 2 kids.", False),
    ("Order 10288.", False),
])
def test_digits_being_dictated(text: str, digits: bool) -> None:
    assert dictating_digits(text) is digits


@pytest.mark.parametrize(("text", "is_open"), [
    ("I want to cancel my", True), ("the fence, the yellow pad, and.", True), ("Well, um", True),
    ("so the thing is,", True), ("We are sh-", True), ("1 0 2", True),
    ("I want to cancel my order.", False), ("What is it for?", False), ("", False),
])
def test_open_endings(text: str, is_open: bool) -> None:
    assert ends_open(text) is is_open


def test_short_replies_lists_and_preambles() -> None:
    assert is_short_reply("Yes, please.") and is_short_reply("No thanks") and is_short_reply("Agent.")
    assert not is_short_reply("Drop the two.") and not is_short_reply("")
    assert is_item_list("The small dog, the figures.") and is_item_list("the fence; the bank")
    assert not is_item_list("At that high level, the air is pure.") and not is_item_list("The dog.")
    assert is_preamble("And so my fellow Americans.") and is_preamble("So, um, the thing")
    assert not is_preamble("So where is my order?") and not is_preamble("The dog and the cat.")
