"""The carrier keywords: STOP, START and HELP with their synonyms (CTIA / US carriers).

A message that is exactly one keyword (any case, surrounding spaces and punctuation
ignored) is a command to the channel, not a message to the brain. Twilio itself also
acts on the standard opt-out words on long codes and answers them; Hotline keeps its own
record so that nothing is sent to an opted-out number whichever sender or API path is
used (docs/sms.md, "Opt-out").
"""

from __future__ import annotations

import enum
import re


class Keyword(enum.Enum):
    STOP = "stop"
    START = "start"
    HELP = "help"


WORDS: dict[str, Keyword] = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT",
                     "REVOKE"), Keyword.STOP),
    **dict.fromkeys(("START", "UNSTOP", "YES", "OPTIN"), Keyword.START),  # YES: see `keyword`
    **dict.fromkeys(("HELP", "INFO"), Keyword.HELP),
}
_EDGES = re.compile(r"^[\s\W_]+|[\s\W_]+$")


def keyword(body: str, opted_out: bool) -> Keyword | None:
    """The keyword `body` is, if it is one (the whole message, not a word inside it).
    "YES" re-subscribes only a number that opted out; otherwise it is an answer to the
    brain's question ("Shall I cancel it?" "Yes")."""
    word = _EDGES.sub("", body).upper()
    if word == "YES" and not opted_out:
        return None
    return WORDS.get(word)


def reply_for(kw: Keyword, company: str) -> str:
    """The confirmation carriers expect for each keyword."""
    if kw is Keyword.STOP:
        return (f"You are unsubscribed from {company} messages and will receive no more. "
                "Reply START to resubscribe.")
    if kw is Keyword.START:
        return (f"You are resubscribed to {company} messages. Reply HELP for help, "
                "STOP to unsubscribe.")
    return (f"{company} customer support: text us your question, or call us. "
            "Msg&data rates may apply. Reply STOP to unsubscribe.")
