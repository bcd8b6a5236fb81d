"""The brain's reply rendered for the medium it goes out on, from the one `Reply`.

The brain writes one text per reply (`Reply.text`); no channel keeps its own copy of it.
- voice: `Reply.text` as it is. The voice path speaks it unchanged (voice/sentences.py
  splits it for TTS); nothing here is on that path, and `spoken` only names that rule.
- text (web chat, email, WhatsApp): `written`: typography made plain, sentences grouped
  into short paragraphs, and where the reply is grounded on a knowledge passage that has a
  link (a citation whose doc_id is a URL), the link on its own line. Digits stay digits.
- SMS: `sms`: the written text on one line per paragraph, in GSM-7 where the typography
  allowed it (telephony/text/gsm.py), split at sentence boundaries into at most
  `max_parts` messages of one segment each (a too-long sentence is cut at a word); what
  does not fit is left out at a sentence boundary, a note says so, and a closing question
  is always kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialog.types import Reply
from telephony.text import gsm

PARAGRAPH_SENTENCES = 2
NOTE = "(Shortened: ask me for the rest.)"
SHORTENED = " " + NOTE
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_URL = re.compile(r"^https?://\S+$")


def spoken(reply: Reply) -> str:
    """What a voice channel says: the reply's text, unchanged (voice/processors/tts.py)."""
    return reply.text


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def links(reply: Reply) -> list[str]:
    """Links of the passages the reply is grounded on, in citation order, once each."""
    seen: list[str] = []
    for c in reply.citations:
        if _URL.match(c.doc_id) and c.doc_id not in seen:
            seen.append(c.doc_id)
    return seen


def paragraphs(text: str) -> list[str]:
    """Short paragraphs: at most PARAGRAPH_SENTENCES sentences each."""
    items = sentences(" ".join(text.translate(gsm.PLAIN_FORMS).split()))
    return [" ".join(items[i:i + PARAGRAPH_SENTENCES])
            for i in range(0, len(items), PARAGRAPH_SENTENCES)]


def written(reply: Reply) -> str:
    """The reply for a text channel: short paragraphs, then its links."""
    return "\n\n".join([*paragraphs(reply.text), *links(reply)])


def written_within(reply: Reply, max_chars: int) -> str:
    """`written`, shortened at a paragraph, then a sentence, to at most `max_chars`."""
    text = written(reply)
    if len(text) <= max_chars:
        return text
    room = max_chars - len(SHORTENED)
    kept: list[str] = []
    for sentence in sentences(" ".join(paragraphs(reply.text))):
        if len(" ".join([*kept, sentence])) > room:
            break
        kept.append(sentence)
    head = " ".join(kept) if kept else text[:room].rsplit(" ", 1)[0]
    return head + SHORTENED


@dataclass(frozen=True)
class SmsText:
    parts: list[str]  # the messages to send, in order
    encoding: str  # "GSM-7" or "UCS-2" (of the longest part)
    segments: int  # billed segments, all parts together
    shortened: bool  # something was left out

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def sms(reply: Reply, max_parts: int = 3) -> SmsText:
    """The reply as at most `max_parts` single-segment SMS, split at sentence boundaries."""
    pieces = [p for para in paragraphs(reply.text) for p in sentences(para)] + links(reply)
    gsm7 = gsm.is_gsm7(" ".join(pieces))
    limit = gsm.GSM7_SINGLE if gsm7 else gsm.UCS2_SINGLE
    pieces = _fitting(pieces, limit, gsm7)
    parts = _pack(pieces, limit, gsm7)
    shortened = len(parts) > max_parts
    if shortened:
        parts = _shortened(pieces, limit, gsm7, max_parts)
    lengths = [gsm.measure(p) for p in parts]
    encoding = "UCS-2" if any(m.encoding == "UCS-2" for m in lengths) else "GSM-7"
    return SmsText(parts, encoding, sum(m.segments for m in lengths), shortened)


def _fitting(pieces: list[str], limit: int, gsm7: bool) -> list[str]:
    """Each piece no longer than one segment: a long sentence is cut at words."""
    out: list[str] = []
    for piece in pieces:
        while gsm.units(piece, gsm7) > limit:
            head = _cut(piece, limit, gsm7)
            out.append(head)
            piece = piece[len(head):].lstrip()
        if piece:
            out.append(piece)
    return out


def _cut(text: str, limit: int, gsm7: bool) -> str:
    """The longest head of `text` within `limit` units, ending at a space where there is one."""
    used, end = 0, 0
    for i, c in enumerate(text):
        used += gsm.char_units(c, gsm7)
        if used > limit:
            break
        end = i + 1
    head = text[:end]
    space = head.rfind(" ")
    return head[:space] if space > limit // 2 else head


def _pack(pieces: list[str], limit: int, gsm7: bool) -> list[str]:
    """Whole pieces (sentences) into as few single-segment parts as they fit."""
    parts: list[str] = []
    current = ""
    for piece in pieces:
        joined = f"{current} {piece}" if current else piece
        if gsm.units(joined, gsm7) <= limit:
            current = joined
            continue
        parts.append(current)
        current = piece
    if current:
        parts.append(current)
    return parts


def _shortened(pieces: list[str], limit: int, gsm7: bool, max_parts: int) -> list[str]:
    """As many leading sentences as fit, the note, and the closing question kept: what the
    customer is asked to answer ("... yes or no?") must not be what is cut."""
    asks = [i for i, p in enumerate(pieces) if p.endswith("?")]
    closing = asks[-1] if asks and asks[-1] >= len(pieces) - 2 else len(pieces)
    question = pieces[closing:]  # "Would you like that?" and a "Please say yes or no." after it
    body = pieces[:closing]
    for keep in range(len(body), -1, -1):
        parts = _pack([*body[:keep], NOTE, *question], limit, gsm7)
        if len(parts) <= max_parts:
            return parts
    return _pack([NOTE, *question], limit, gsm7)[:max_parts]
