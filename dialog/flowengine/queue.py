"""Several requests in one turn: the first is handled, the rest wait in `DialogState.queue`
and are taken up, in the order said, as soon as nothing is open (no read-back awaiting a
yes or no, no question awaiting a detail): in the same reply when the first finishes at
once ("... And about your other request: ..."), else right after the read-back's yes or
no or the awaited detail. A request for a person drops the queue with everything else."""

from __future__ import annotations

from collections.abc import Callable

from dialog import replies
from dialog.commands import Command, KnowledgeQuestion
from dialog.types import Reply, Session

MAX_CHAINED = 3  # requests answered in one reply, the first included


def is_open(session: Session) -> bool:
    state = session.state
    return bool(state.pending or state.awaiting_flow or state.intent_choices)


def take_up(session: Session, reply: Reply, run: Callable[[Command], Reply]) -> Reply:
    """`reply`, followed by the queued requests that can run now (`run` executes one)."""
    state = session.state
    chained = 1
    while (state.queue and not is_open(session) and chained < MAX_CHAINED
           and not reply.escalate and not reply.end_call):
        cmd = state.queue.pop(0)
        nxt = run(cmd)
        if nxt.escalate:
            return nxt
        lead = (replies.OTHER_QUESTION if isinstance(cmd, KnowledgeQuestion)
                else replies.OTHER_REQUEST)
        reply = Reply(
            text=f"{replies.without_closing(reply.text)} {lead} {nxt.text}",
            intent=nxt.intent,
            confidence=nxt.confidence,
            citations=reply.citations + nxt.citations,
            tool_calls=reply.tool_calls + nxt.tool_calls,
        )
        chained += 1
    return reply
