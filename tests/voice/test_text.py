from __future__ import annotations

import pytest

from voice.endpoint import transcript_looks_complete
from voice.sentences import FIRST_CHUNK_MAX_CHARS, split_for_tts


@pytest.mark.parametrize(("text", "complete"), [
    ("Where is my order?", True),
    ("I want to cancel my subscription.", True),
    ("I want to cancel my", False),
    ("I ordered a jacket and", False),
    ("Well, um", False),
    ("so the thing is,", False),
    ("", False),
])
def test_transcript_completeness(text: str, complete: bool) -> None:
    assert transcript_looks_complete(text) is complete


def test_split_keeps_every_word_and_shortens_the_first_piece() -> None:
    text = ("Gold members get unlimited returns, silver members have six months, and bronze members "
            "have ninety days. Would you like me to start a return? I can also email a label.")
    pieces = split_for_tts(text)
    assert " ".join(pieces).split() == text.split()
    assert len(pieces[0]) <= FIRST_CHUNK_MAX_CHARS + 40
    assert len(pieces) >= 3


def test_split_short_text_is_one_piece() -> None:
    assert split_for_tts("Hello there.") == ["Hello there."]
    assert split_for_tts("   ") == []


def test_a_long_first_sentence_without_commas_is_cut_at_a_phrase_boundary() -> None:
    text = ("Your order of the limited-edition headset shipped with UPS on May 2nd and should arrive "
            "by Friday. Anything else?")
    pieces = split_for_tts(text)
    assert " ".join(pieces).split() == text.split()
    assert len(pieces[0]) < len(text.split(".")[0])
    assert not pieces[0].endswith((" with", " on", " and"))  # never ends on the boundary word
