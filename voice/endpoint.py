"""Is a pause the end of the caller's turn? The words, Smart Turn and the turn's length, combined.

At each pause the turn so far has a transcript (Whisper, punctuated) and a Smart Turn v3
probability. Neither is enough alone: Smart Turn calls many complete read sentences
incomplete, and Whisper puts a full stop after almost any fragment ("Drop the two." when
the caller goes on "when you add the figures"). So the verdict is not "over / not over"
but how much silence the turn needs before it is over:

- `stop` (vad_stop_secs, 0.2 s): the words read as a complete sentence or a complete short
  reply ("Yes.", "Thanks, bye.") and Smart Turn does not disagree;
- `hold` (hold_secs, 1.2 s): the words could go on. They end open (a connective, a filler,
  a comma, a cut-off word), or they are a short fragment (four words or fewer, unless Smart
  Turn is sure), an item list ("The fence, the yellow pad."), a preamble ("And so my
  fellow Americans."), a sentence Smart Turn judges unfinished, or the caller has talked
  for a long time (a story told sentence by sentence) and Smart Turn is not sure;
- `fallback` (turn_fallback_secs, 1.6 s): digits being dictated ("1, 0, 2."): callers
  pause longest between digit groups.

Pure functions, no audio: tests/voice/test_endpoint.py covers each rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voice.config import VoiceConfig

SHORT_WORDS = 4  # a complete-looking turn this short is a fragment unless Smart Turn is sure
LIST_ITEM_WORDS = 3  # "the fence, the yellow pad": comma-separated items this short
PREAMBLE_WORDS = 6  # "And so my fellow Americans.": a short turn opening with a conjunction
MONOLOGUE_S = 6.0  # after this much talking, a pause between sentences needs Smart Turn sure

_TRAILING_OPEN = {
    "and", "or", "but", "so", "because", "the", "a", "an", "to", "of", "for", "with", "my",
    "your", "um", "uh", "er", "if", "that", "is", "was", "in", "on", "at", "like", "then",
}
# open even with a full stop after them: no sentence ends on these
_NEVER_LAST = {"and", "or", "but", "because", "the", "a", "an", "my", "your", "um", "uh", "er"}
_CONJUNCTIONS = {"and", "so", "but", "or", "because", "well"}
_NUMBER_WORDS = {
    "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "double", "triple",
}
# a turn made only of these is a complete short reply, not a fragment
_REPLY_WORDS = {
    "yes", "yeah", "yep", "yup", "no", "nope", "nah", "okay", "ok", "sure", "right", "correct",
    "exactly", "thanks", "thank", "you", "please", "bye", "goodbye", "hello", "hi", "hey",
    "great", "fine", "perfect", "that's", "all", "it", "agent", "human", "person", "operator",
    "representative", "nothing", "done", "alright", "absolutely", "definitely", "of", "course",
    "not", "really", "good", "much", "very", "cheers",
}
_TOKEN = re.compile(r"[a-z']+|\d+(?:[,.]\d+)*")


@dataclass(frozen=True)
class Verdict:
    """How much silence ends the turn, and why (kept in the turn's timing as end_reason)."""

    wait_s: float
    reason: str

    def ended_by(self, silence_s: float) -> bool:
        return silence_s >= self.wait_s - 1e-9


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _numeric(token: str) -> bool:
    return token[0].isdigit() or token in _NUMBER_WORDS


def dictating_digits(text: str) -> bool:
    """The turn ends in a number being read out: all numbers, or a run of them at the end
    ("1, 0, 2.", "five one", "my order is 1 0 2"), not one number in a sentence ("In 1813.")."""
    toks = tokens(text)
    if not toks or not _numeric(toks[-1]):
        return False
    return all(_numeric(t) for t in toks) or (len(toks) >= 2 and _numeric(toks[-2]))


def ends_open(text: str) -> bool:
    """The words stop where a sentence cannot: a connective, filler, comma, ellipsis or dash,
    or digits with no full stop."""
    stripped = text.strip()
    if not stripped:
        return False
    toks = tokens(stripped)
    if toks and toks[-1] in _NEVER_LAST:
        return True
    if toks and toks[-1] in _TRAILING_OPEN and re.search(r"[a-z']$", stripped.lower()):
        return True
    if stripped.endswith(("...", "…", ",", "-", "—")):
        return True
    return stripped[-1].isdigit()


def transcript_looks_complete(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not ends_open(stripped) and stripped[-1] in ".?!"


def is_short_reply(text: str) -> bool:
    toks = tokens(text)
    return 0 < len(toks) <= SHORT_WORDS and all(t in _REPLY_WORDS for t in toks)


def is_item_list(text: str) -> bool:
    """Two or more comma-separated items of a few words each: "The small dog, the figures."."""
    items = [tokens(part) for part in re.split(r"[,;]", text.strip().rstrip(".?!"))]
    return len(items) >= 2 and all(0 < len(item) <= LIST_ITEM_WORDS for item in items)


def is_preamble(text: str) -> bool:
    toks = tokens(text)
    return 0 < len(toks) <= PREAMBLE_WORDS and toks[0] in _CONJUNCTIONS and not text.rstrip().endswith("?")


def judge(text: str, smart_turn_p: float, spoken_s: float, cfg: VoiceConfig) -> Verdict:
    """The verdict on a pause after `spoken_s` seconds of turn whose words so far are `text`."""
    stop, hold = Verdict(cfg.vad_stop_secs, "transcript"), cfg.hold_secs
    if not text.strip():
        return Verdict(cfg.turn_fallback_secs, "no_words")
    if dictating_digits(text):
        return Verdict(cfg.turn_fallback_secs, "digits")
    if ends_open(text):
        return Verdict(hold, "open")
    if is_short_reply(text):
        return Verdict(cfg.vad_stop_secs, "reply")
    short = len(tokens(text)) <= SHORT_WORDS and not text.rstrip().endswith("?")
    if not transcript_looks_complete(text):  # no punctuation: Smart Turn decides
        if smart_turn_p >= cfg.smart_turn_threshold and not short:
            return Verdict(cfg.vad_stop_secs, "smart_turn")
        return Verdict(hold, "short" if short else "doubt")
    if smart_turn_p < cfg.smart_turn_threshold:
        return Verdict(hold, "doubt")
    if is_item_list(text):
        return Verdict(hold, "list")
    if is_preamble(text):
        return Verdict(hold, "preamble")
    if smart_turn_p >= cfg.smart_turn_sure:
        return stop
    if short:
        return Verdict(hold, "short")
    if spoken_s >= MONOLOGUE_S:
        return Verdict(hold, "monologue")
    return stop
