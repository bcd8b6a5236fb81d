"""Does priming Whisper for the expected slot help? WER and digit-string accuracy, with and without.

    python -m voice.measure.stt_prompt ../shared/testdata [--quick]

Recordings, all over the 8 kHz mu-law telephone path and resampled to 16 kHz: digits
dictated by real speakers (free-spoken-digit-dataset clips joined into five-digit strings
per speaker; vosk-api's long digit string) and synthetic order numbers said three ways
("one oh two five one", "one zero two five one", "ten two fifty one"), bare and in a
sentence, by espeak-ng (two voices) and Piper. WER counts each digit as a word after
both sides are written out by nlu.spoken (so "10251" and "1 0 2 5 1" agree); digit
accuracy is the share of clips whose digits (for emails: the address) come out exactly
right. A control set of
English sentences without numbers, primed for an order number, shows what priming costs
when the caller answers with something else.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlu.expect import Expect
from nlu.spoken import written
from voice.measure.callers import ESPEAK_GB, ESPEAK_US, PIPER, Voice, read_audio, speak, telephone
from voice.media.audio import resample
from voice.stt_hints import PROMPTS, prompt_for

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
@dataclass(frozen=True)
class Clip:
    source: str
    slot: Expect
    audio_16k: np.ndarray
    reference: str  # words as said
    expected: str  # the digits, or for an email slot the address


def _pair(two: str) -> str:
    a, b = int(two[0]), int(two[1])
    if a == 0:
        return f"oh {_WORDS[b]}"
    if a == 1:
        return _TEENS[b]
    return _TENS[a] + ("" if b == 0 else f" {_WORDS[b]}")


def spoken_styles(digits: str) -> list[str]:
    """An order number the ways callers say it."""
    return [
        " ".join(_WORDS[int(c)] for c in digits),
        " ".join("oh" if c == "0" else _WORDS[int(c)] for c in digits),
        f"{_pair(digits[:2])} {_WORDS[int(digits[2])]} {_pair(digits[3:])}",
    ]


def _digit_clips(testdata: Path, rng: random.Random, per_speaker: int) -> list[Clip]:
    folder = testdata / "speech" / "free-spoken-digit-dataset"
    takes: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for wav in sorted(folder.glob("*.wav")):
        digit, speaker, _ = wav.stem.split("_")
        takes[speaker][digit].append(wav)
    clips: list[Clip] = []
    for speaker, by_digit in sorted(takes.items()):
        if len(by_digit) < 3:
            continue
        for _ in range(per_speaker):
            digits = "".join(rng.choice(sorted(by_digit)) for _ in range(5))
            parts = []
            for d in digits:
                audio, rate = read_audio(rng.choice(by_digit[d]))
                parts += [resample(audio, rate, 8000), np.zeros(int(0.12 * 8000), np.float32)]
            pad = np.zeros(int(0.3 * 8000), np.float32)
            line = telephone(np.concatenate([pad, *parts, pad]), 8000)
            clips.append(Clip(f"fsdd:{speaker}", Expect.ORDER_ID, resample(line, 8000, 16000),
                              " ".join(_WORDS[int(d)] for d in digits), digits))
    audio, rate = read_audio(testdata / "speech" / "vosk-api" / "test.wav")
    said = "one zero zero zero one nine oh two one oh zero one eight zero three"
    digits = "".join("0" if w == "oh" else str(_WORDS.index(w)) for w in said.split())
    clips.append(Clip("vosk", Expect.PHONE, resample(telephone(audio, rate), 8000, 16000), said,
                      digits))
    return clips


_DIGIT_SOURCES = {"free-spoken-digit-dataset", "vosk-api", "speech_recognition"}


def _digits_of(text: str) -> str:
    return "".join(re.findall(r"\d", written(text, Expect.ORDER_ID)))


def _read_back(text: str, slot: Expect) -> str:
    """What the brain would take from a transcript: its digits, or its email address."""
    if slot is Expect.EMAIL:
        return next(iter(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", written(text, slot))), "")
    return "".join(re.findall(r"\d", written(text, slot)))


_EMAILS = ["maria.lopez@example.com", "tom_baker@mail.com", "dana.kim@example.org",
           "lee.wong@shop.net", "ravi.patel@example.com", "nina.berg@mail.com"]


def _spoken_email(address: str) -> str:
    names = {".": " dot ", "_": " underscore ", "@": " at "}
    return "".join(names.get(c, c) for c in address)


_OTHER_ANSWERS = [
    "I don't have the order number with me.",
    "Can you look it up with my email address instead?",
    "Sorry, I actually wanted to ask about returns.",
    "Hold on, let me find the confirmation email.",
]


def _control_clips(testdata: Path, voices: list[Voice], piper: object) -> list[Clip]:
    """English sentences with no number in them (the manifest's short ones): what priming
    costs when the caller answers "what's the order number?" with something else."""
    clips: list[Clip] = []
    for line in (testdata / "speech" / "manifest.tsv").read_text().splitlines()[1:]:
        path, text, lang, _, duration, *_ = line.split("\t")
        if lang != "en" or float(duration) > 12 or path.split("/")[0] in _DIGIT_SOURCES or "[" in text:
            continue
        audio, rate = read_audio(testdata / "speech" / path)
        clips.append(Clip("control", Expect.ORDER_ID, resample(telephone(audio, rate), 8000, 16000),
                          text, _digits_of(text)))
    for voice in voices:
        for said in _OTHER_ANSWERS:
            audio = resample(speak(said, voice, piper), 8000, 16000)  # type: ignore[arg-type]
            clips.append(Clip("control", Expect.ORDER_ID, audio, said, _digits_of(said)))
    return clips


def _dictated(digits: str, groups: tuple[int, ...]) -> str:
    out, pos = [], 0
    for size in groups:
        out.append(" ".join("oh" if c == "0" and pos % 2 else _WORDS[int(c)]
                            for c in digits[pos : pos + size]))
        pos += size
    return ", ".join(out)


def _synthetic_clips(rng: random.Random, count: int, voices: list[Voice], piper: object) -> list[Clip]:
    """Per voice: `count` order numbers, half as many zip codes and phone numbers, and six
    email addresses."""
    clips: list[Clip] = []
    for voice in voices:
        for i in range(count):
            digits = "1" + "".join(str(rng.randrange(10)) for _ in range(4))
            style = spoken_styles(digits)[i % 3]
            said = [style, f"My order number is {style}.", f"It's order {style}, thanks."][i % 3]
            clips.append(Clip(voice.name, Expect.ORDER_ID, resample(speak(said, voice, piper), 8000, 16000),  # type: ignore[arg-type]
                              said, digits))
        for i in range(count // 2):
            zip_code = "".join(str(rng.randrange(10)) for _ in range(5))
            said = [_dictated(zip_code, (5,)), f"It's {_dictated(zip_code, (5,))}."][i % 2]
            clips.append(Clip(voice.name, Expect.ZIP, resample(speak(said, voice, piper), 8000, 16000),  # type: ignore[arg-type]
                              said, zip_code))
            phone = str(rng.randrange(2, 10)) + "".join(str(rng.randrange(10)) for _ in range(9))
            said = [_dictated(phone, (3, 3, 4)), f"Sure, it's {_dictated(phone, (3, 3, 4))}."][i % 2]
            clips.append(Clip(voice.name, Expect.PHONE, resample(speak(said, voice, piper), 8000, 16000),  # type: ignore[arg-type]
                              said, phone))
        for i, address in enumerate(_EMAILS):
            said = [_spoken_email(address), f"Sure, it's {_spoken_email(address)}."][i % 2]
            clips.append(Clip(voice.name, Expect.EMAIL, resample(speak(said, voice, piper), 8000, 16000),  # type: ignore[arg-type]
                              said, address))
    return clips


def _tokens(text: str, slot: Expect) -> list[str]:
    norm = written(text.lower(), slot)
    out: list[str] = []
    for tok in re.findall(r"[a-z']+|\d+", norm):
        out += list(tok) if tok.isdigit() else [tok]
    return out


def _edits(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def score(stt: object, clips: list[Clip], primed: bool) -> dict[str, tuple[float, float]]:
    """Per source, per slot and overall: (WER, digit-string accuracy)."""
    errors: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # edits, words, right, clips
    for clip in clips:
        prompt = prompt_for(clip.slot) if primed else None
        text = stt.transcribe(clip.audio_16k, prompt).text  # type: ignore[attr-defined]
        ref, hyp = _tokens(clip.reference, clip.slot), _tokens(text, clip.slot)
        got = _read_back(text, clip.slot)
        keys = [clip.source] if clip.source == "control" else [
            clip.source.split(":")[0], f"slot:{clip.slot}", "all"]
        for key in keys:
            e = errors[key]
            e[0] += _edits(ref, hyp)
            e[1] += len(ref)
            e[2] += got == clip.expected
            e[3] += 1
        if got != clip.expected:
            print(f"  [primed={primed}] {clip.source} {clip.slot}: {clip.expected} <- {text!r}",
                  file=sys.stderr)
    return {k: (e[0] / e[1], e[2] / e[3]) for k, e in errors.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testdata", type=Path)
    parser.add_argument("--per-speaker", type=int, default=10)
    parser.add_argument("--synthetic", type=int, default=18, help="order numbers per voice")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    from models.config import ModelConfig
    from models.paths import piper_voice, whisper_dir
    from models.piper import PiperTTS
    from models.whisper import WhisperSTT

    cfg = ModelConfig()
    stt, piper = WhisperSTT(whisper_dir(cfg)), PiperTTS(piper_voice(cfg))
    rng = random.Random(args.seed)
    clips = _digit_clips(args.testdata, rng, args.per_speaker)
    voices = [ESPEAK_US, ESPEAK_GB, PIPER]
    clips += _synthetic_clips(rng, args.synthetic, voices, piper)
    clips += _control_clips(args.testdata, voices, piper)
    print(f"{len(clips)} clips; prompts: {PROMPTS}")
    for primed in (False, True):
        started = time.perf_counter()
        result = score(stt, clips, primed)
        spent = (time.perf_counter() - started) / len(clips)
        print(f"{'primed' if primed else 'no prompt'} ({spent * 1000:.0f} ms/clip)")
        for key, (wer, acc) in sorted(result.items()):
            print(f"  {key:18} WER {wer:.3f}  digit strings {acc:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
