"""What the recognizer is primed with when the agent has just asked for a detail.

Whisper takes a prompt as the text said before the audio. After "What's the order
number?", a prompt of a dictated number makes tiny.en write the caller's digits as digits
("1 0 2 5 1" rather than "10. 10. 10." or "It's order 51 of heaven"). Measured on
recordings over the 8 kHz telephone path (`python -m voice.measure.stt_prompt`,
docs/dialog.md "Priming the recognizer"): kept for the digit slots, where both WER and
digit-string accuracy improved; none for emails (measured: no better, see the same
section) and dates (not measured).

The example digits are no customer's record, so a prompt that leaks into a transcript
cannot name a real account.
"""

from __future__ import annotations

from nlu.expect import Expect

PROMPTS: dict[Expect, str] = {
    Expect.ORDER_ID: "My order number is 7 3 9 0 6.",
    Expect.ZIP: "My zip code is 6 0 6 1 4.",
    Expect.PHONE: "My phone number is 3 1 2, 7 4 8, 2 9 6 3.",
}


def prompt_for(expect: Expect | None) -> str | None:
    """The recognizer prompt for the caller's next turn, or None (no priming)."""
    return PROMPTS.get(expect) if expect is not None else None
