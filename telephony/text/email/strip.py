"""What the customer wrote in an email, without what they quoted or signed.

Before the brain sees a message: quoted lines (">"), the quote header that introduces a
reply ("On Tue, 1 Dec 2026, Priya <...> wrote:", also wrapped over two lines, and the
common translations), Outlook's "-----Original Message-----" / "From: ... Sent: ..."
block, the signature after the "-- " delimiter, and the footers mail apps add ("Sent
from my iPhone", "Get Outlook for Android", ...). An HTML-only message is reduced to its
text first. Pure functions.
"""

from __future__ import annotations

import html
import re

_QUOTE_HEADER = re.compile(
    r"^(?:On|Am|Le|El|Il|Op)\s.{0,300}?(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef)\s*:\s*$",
    re.I | re.S)
_OUTLOOK = re.compile(r"^(?:-{2,}\s*(?:Original Message|Forwarded message)\s*-{2,}|_{10,})\s*$", re.I)
_HEADER_BLOCK = re.compile(r"^From:\s.+$", re.I)
_SENT_LINE = re.compile(r"^(?:Sent|Date|To|Subject):\s", re.I)
_SIGNATURE = re.compile(r"^--\s?$")
FOOTERS = re.compile(
    r"^(?:Sent from (?:my |the )?(?:iPhone|iPad|Android|Samsung|Galaxy|mobile|phone|BlackBerry|"
    r"Yahoo Mail|Mail for Windows|Outlook|Proton ?Mail|AOL)[^\n]*"
    r"|Get Outlook for (?:iOS|Android)[^\n]*"
    r"|Sent (?:via|with) [^\n]{1,40}"
    r"|Von meinem \S+ gesendet|Envoyé de mon \S+|Enviado desde mi \S+)\s*$",
    re.I)
_TAGS = re.compile(r"<[^>]+>")
_BLOCKS = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h\d)\s*/?>", re.I)
_DROPPED = re.compile(r"<\s*(style|script|head|blockquote)\b.*?<\s*/\s*\1\s*>", re.I | re.S)


def html_text(markup: str) -> str:
    """Text of an HTML body: quoted blocks, styles and scripts dropped, blocks as lines."""
    markup = _DROPPED.sub("", markup)
    markup = _BLOCKS.sub("\n", markup)
    return html.unescape(_TAGS.sub("", markup))


def new_text(body: str) -> str:
    """The part of a plain-text reply the customer wrote now."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if _SIGNATURE.match(line.rstrip("\n")) or _OUTLOOK.match(stripped):
            break
        if _HEADER_BLOCK.match(stripped) and any(_SENT_LINE.match(n.strip()) for n in lines[i + 1:i + 4]):
            break
        if _quote_header(lines, i):
            break
        if stripped.startswith(">"):
            continue
        if FOOTERS.match(stripped):
            continue
        kept.append(line.rstrip())
    return _squeeze("\n".join(kept))


def _quote_header(lines: list[str], i: int) -> bool:
    """Line `i` starts a quote header, on its own line or wrapped onto the next."""
    line = lines[i].strip()
    if _QUOTE_HEADER.match(line):
        return True
    following = lines[i + 1].strip() if i + 1 < len(lines) else ""
    return bool(following) and bool(_QUOTE_HEADER.match(f"{line} {following}"))


def _squeeze(text: str) -> str:
    """Trim, and at most one blank line between paragraphs."""
    return re.sub(r"\n{3,}", "\n\n", text).strip()
