"""The recognizer is primed for the detail the agent asked for (voice.stt_hints)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from kb.demo import seed
from models.whisper import _looks_repetitive, _undoubled
from nlu.entities import extract
from nlu.expect import Expect
from voice.filecall import run_file_call
from voice.measure.callers import ESPEAK_US, PIPER, TELEPHONE_RATE_HZ, espeak_available, speak
from voice.media.audio import resample
from voice.stt_hints import PROMPTS, prompt_for


def test_prompts_for_the_digit_slots_only() -> None:
    assert set(PROMPTS) == {Expect.ORDER_ID, Expect.ZIP, Expect.PHONE}
    assert prompt_for(Expect.EMAIL) is None
    assert prompt_for(Expect.DATE) is None
    assert prompt_for(None) is None


def test_prompt_digits_are_nobodys_record() -> None:
    """A prompt that leaks into a transcript must not name a real account."""
    records = {o[0] for o in seed.ORDERS} | {c[3][-10:] for c in seed.CUSTOMERS}
    records |= {c[7][-5:] for c in seed.CUSTOMERS}  # zip codes end the addresses
    for prompt in PROMPTS.values():
        digits = re.sub(r"\D", "", prompt)
        assert not any(r in digits or digits in r for r in records), prompt


def test_a_turn_said_twice_is_kept_once() -> None:
    assert _undoubled("It's 4 2 1 8 8. It's 4 2 1 8 8.") == "It's 4 2 1 8 8."
    assert _undoubled("Hi, where's my order? Hi, where's my order?") == "Hi, where's my order?"
    assert _undoubled("yes yes") == "yes yes"
    assert _undoubled("1 0 2 5 1") == "1 0 2 5 1"


def test_a_looping_decode_is_caught() -> None:
    assert _looks_repetitive("82948. 82948. 82948. 829")
    assert not _looks_repetitive("1 1 1 2 3")  # "triple one two three" is a real answer
    assert not _looks_repetitive("My order number is 1 0 2 5 1.")


def test_a_primed_dictated_order_number_comes_out_as_its_digits(services) -> None:  # type: ignore[no-untyped-def]
    audio = speak("It's one oh two five one.", PIPER, services.models.tts)
    text = services.models.stt.transcribe(resample(audio, TELEPHONE_RATE_HZ, 16000),
                                          prompt_for(Expect.ORDER_ID)).text
    assert extract(text, seed.DEMO_TODAY, expect=Expect.ORDER_ID).order_ids == ["10251"], text


def test_a_primed_recognizer_adds_no_digits_to_other_answers(services) -> None:  # type: ignore[no-untyped-def]
    audio = speak("I don't have the order number with me.", PIPER, services.models.tts)
    text = services.models.stt.transcribe(resample(audio, TELEPHONE_RATE_HZ, 16000),
                                          prompt_for(Expect.ORDER_ID)).text
    assert not re.search(r"\d", text), text


class _Heard:
    """The real recognizer, noting the prompt it was given for each transcription."""

    def __init__(self, stt) -> None:  # type: ignore[no-untyped-def]
        self._stt = stt
        self.prompts: list[str | None] = []

    def transcribe(self, audio: np.ndarray, prompt: str | None = None):  # type: ignore[no-untyped-def]
        self.prompts.append(prompt)
        return self._stt.transcribe(audio, prompt)


@pytest.mark.slow
async def test_the_question_asked_primes_the_next_turn(services) -> None:  # type: ignore[no-untyped-def]
    if not espeak_available():
        pytest.skip("espeak-ng and sox are needed (make test installs them)")
    heard = _Heard(services.models.stt)
    voice = dataclasses.replace(services.voice, models=dataclasses.replace(services.models, stt=heard))
    lines = [speak("Hi, where is my order?", ESPEAK_US), speak("It's one oh two five one.", ESPEAK_US)]
    result = await run_file_call(voice, services.speech_cache, lines, TELEPHONE_RATE_HZ)
    agent = [t.text for t in result.turns if t.speaker == "agent"]
    assert any("order number?" in t for t in agent), agent  # the agent asked for it...
    first_primed = heard.prompts.index(PROMPTS[Expect.ORDER_ID])  # ...and the next turn was primed
    assert heard.prompts[:first_primed] and not any(heard.prompts[:first_primed])
    # the order number was heard: found (its details wait for a second fact, docs/dialog.md)
    assert any("I found that order" in t for t in agent), agent
