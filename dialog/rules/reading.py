"""One utterance read for what it asks, refuses and corrects (clauses: nlu.clauses).

- `refused`: flows a negated clause names ("I don't want to *pause* it" -> pause_subscription).
  A negated clause that names no flow refuses its *values* ("not the jacket"): they are
  left out of `context`, the words entities are taken from.
- Self-corrections are applied first ("order 10288, sorry, I meant 10251" -> "order 10251").
- `text`: what the caller asks for, negated clauses left out and repair markers removed;
  with nothing negated or corrected it is the utterance itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dialog.flows.spec import FlowRegistry, FlowSpec
from nlu.clauses import Clause, split_clauses
from nlu.repair import apply_self_corrections

# Clauses that ask for something themselves ("can you...", "I need...", "also...");
# a bare statement ("I bought boots in March") only adds detail to a request next to it.
_REQUEST_LIKE = re.compile(
    r"^\W*(?:(?:and|also|then|so|oh|well|okay|ok|please|just|actually)\b\W*)*"
    r"(?:can|could|would|will|please|where|when|what|how|why|which|is|are|was|do|does|did|has|"
    r"have|cancel|send|reset|check|tell|pause|upgrade|stop|track|find|help|give|let|return|"
    r"i\s+(?:also\s+|just\s+|really\s+|only\s+)?(?:want|need|would like|'d like|d like|wanna|"
    r"forgot|lost|can'?t|cannot|am calling|'m calling|have a question)|i'?d\s+(?:also\s+)?like)\b",
    re.IGNORECASE,
)


# "I don't want X, *just* Y": the focus word after a refusal carries no request
_FOCUS = re.compile(r"^\W*(?:just|only|simply)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    clauses: tuple[Clause, ...]  # after self-corrections
    text: str  # what the caller asks for (module docstring)
    context: str  # the words entities come from: `text` plus what refused actions were about
    refused: tuple[str, ...]  # flows the caller refused, in order
    correcting: bool  # some clause repairs what was said before ("sorry, I meant...")
    plain: bool  # nothing negated or corrected: `text` is the whole utterance

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    def requests(self) -> list[Clause]:
        """The clauses that ask for something on their own."""
        return [c for c in self.positive if c.question or _REQUEST_LIKE.match(c.body)]


def names(spec: FlowSpec, text: str) -> bool:
    """Does `text` name flow `spec` by its words? Flows with required words need one of
    them and, if they have choice words, one of those too ("cancel my *subscription*");
    other flows need an explicit or a choice word ("*return* it", "*where* is it")."""
    if spec.required_words is not None:
        if not spec.required_words.search(text):
            return False
        return not spec.choice_words or _any_word(spec.choice_words, text) or _alone(spec, text)
    if spec.named_in(text):
        return True
    return _any_word(spec.choice_words, text)


def _any_word(words: Sequence[str], text: str) -> bool:
    return any(re.search(rf"\b{re.escape(w)}\w*", text, re.IGNORECASE) for w in words)


def _alone(spec: FlowSpec, text: str) -> bool:
    """"cancel it": a required word with no object names every flow that shares it."""
    return spec.required_words is not None and not re.search(
        r"\b(?:order|subscription|membership|plan|account|password|username)\b", text, re.I)


def named_flows(flows: FlowRegistry, text: str) -> list[str]:
    return [spec.name for spec in flows if names(spec, text)]


def read(text: str, flows: FlowRegistry, words: Sequence[str] = ()) -> Reading:
    """Read `text` (digits already normalised); `words`: vocabulary values for repairs."""
    clauses = tuple(apply_self_corrections(split_clauses(text), words))
    refused: list[str] = []
    context: list[str] = []
    for clause in clauses:
        if not clause.negated:
            context.append(clause.body)
            continue
        named = named_flows(flows, clause.refused)
        refused.extend(n for n in named if n not in refused)
        if named:
            context.append(clause.refused)  # "I don't want to cancel order 10288": still 10288
    positive = [_FOCUS.sub("", c.body) if i and clauses[i - 1].negated else c.body
                for i, c in enumerate(clauses) if not c.negated]
    changed = len(clauses) != len(split_clauses(text)) or any(
        c.negated or c.correcting for c in clauses)
    joined = ". ".join(positive)
    return Reading(
        clauses=clauses,
        text=joined if changed else text,
        context=". ".join(context) if changed else text,
        refused=tuple(refused),
        correcting=any(c.correcting and not c.negated for c in clauses),
        plain=not changed,
    )
