"""Rules about the conversation itself: silence, the survey, asking for a person, goodbye,
hello, short yes/no acknowledgements, and the final "could you rephrase?"."""

from __future__ import annotations

from dialog import replies
from dialog.escalation import handoff
from dialog.flows.csat import answer_survey, ask_survey
from dialog.rules.base import Resources, Turn
from dialog.types import Reply
from nlu.cues import Cue

ACK_MAX_WORDS = 3  # "yes", "no thanks": acknowledged, not classified
THANKS_MAX_WORDS = 4  # "thanks a lot" ends the call; "thanks, and where is..." does not


def nothing_said(res: Resources, turn: Turn) -> Reply | None:
    """An empty turn (silence, noise) asks again."""
    return Reply(text=replies.CLARIFY, intent="clarify") if not turn.text else None


def survey_answer(res: Resources, turn: Turn) -> Reply | None:
    """The turn after the survey question answers it (a score ends the call); a request for
    a person skips it. Either way the survey is closed after this turn."""
    if turn.state.survey.pending and Cue.HUMAN not in turn.cues:
        return answer_survey(turn.session, turn.text, dtmf=turn.dtmf)
    turn.state.survey.pending = False
    return None


def human_request(res: Resources, turn: Turn) -> Reply | None:
    """"A real person, please" hands over, whatever else is going on."""
    if Cue.HUMAN in turn.cues:
        return handoff(turn.session, "caller asked for a human", res.services)
    return None


def offer_expires(res: Resources, turn: Turn) -> Reply | None:
    """A colleague offered last turn may be taken this turn only (`colleague_accepted`)."""
    turn.offered_human, turn.state.offered_human = turn.state.offered_human, False
    return None


def goodbye(res: Resources, turn: Turn) -> Reply | None:
    """Goodbye, or a short thanks: the survey once if configured, else end the call."""
    short_thanks = Cue.THANKS in turn.cues and len(turn.text.split()) <= THANKS_MAX_WORDS
    if Cue.GOODBYE not in turn.cues and not short_thanks:
        return None
    survey = ask_survey(turn.session) if res.csat_survey else None
    return survey or Reply(text=replies.GOODBYE, intent="goodbye", confidence=1.0, end_call=True)


def greeting(res: Resources, turn: Turn) -> Reply | None:
    if Cue.GREETING in turn.cues:
        return Reply(text="Hi! How can I help you today?", intent="greeting", confidence=1.0)
    return None


def colleague_accepted(res: Resources, turn: Turn) -> Reply | None:
    """A yes to last turn's "I can connect you with a colleague" hands over."""
    if turn.offered_human and Cue.AFFIRM in turn.cues and Cue.DENY not in turn.cues:
        reason = "caller accepted a colleague for a question we can't answer"
        return handoff(turn.session, reason, res.services)
    return None


def short_ack(res: Resources, turn: Turn) -> Reply | None:
    """A bare yes or no with nothing pending: "Is there anything else...?"."""
    if turn.cues & {Cue.AFFIRM, Cue.DENY} and len(turn.text.split()) <= ACK_MAX_WORDS:
        return Reply(text=replies.ANYTHING_ELSE, intent="ack", confidence=1.0)
    return None


def clarify(res: Resources, turn: Turn) -> Reply | None:
    """Nothing else fit: ask the caller to rephrase (the brain counts these)."""
    return Reply(text=replies.CLARIFY, intent="clarify", confidence=turn.kb_score)
