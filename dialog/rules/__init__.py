"""How the brain decides a caller turn: an ordered list of small named rules.

The first rule that returns a Reply answers the turn. The order is the precedence:

 1. nothing_said        silence or noise: ask again
 2. survey_answer       the answer to the goodbye survey (closes the survey either way)
 3. human_request       "a real person, please" beats everything below
 4. offer_expires       (books only) an offered colleague lasts one turn
 5. correction          "no, the other order": re-run the last flow without that order
 6. alternative_picked  "pause it instead" during a cancellation read-back
 7. read_back_answer    yes / no / unclear to a pending read-back
 8. awaited_detail      the detail a flow asked for (before goodbye: "10288, thanks")
 9. goodbye             goodbye or a short thanks: the survey or the end of the call
10. greeting            hello
11. colleague_accepted  yes to last turn's offer of a colleague
12. short_ack           a bare yes/no with nothing pending
13. order_follow_up     "which carrier?" right after an order's status
14. routed_flow         a flow the classifier is confident of, or "A, or B?"
15. knowledge_answer    a grounded answer from the manual
16. clarify             always answers: "could you rephrase?"

Repairs (5, 6) come before the read-back answer so "no, the other one" and "pause it"
are not taken as a plain no; a pending question (7, 8) comes before small talk and new
requests. What happens around the decision (sentiment, supervisor guidance, counting
failures, hold rules) is `dialog.brain.Brain.respond`.
"""

from __future__ import annotations

import logging

from dialog.rules.base import Resources, Rule, Turn
from dialog.rules.talk import (
    clarify,
    colleague_accepted,
    goodbye,
    greeting,
    human_request,
    nothing_said,
    offer_expires,
    short_ack,
    survey_answer,
)
from dialog.rules.tasks import (
    alternative_picked,
    awaited_detail,
    correction,
    knowledge_answer,
    order_follow_up,
    read_back_answer,
    routed_flow,
)
from dialog.types import Reply

log = logging.getLogger(__name__)

RULES: tuple[Rule, ...] = (
    nothing_said,
    survey_answer,
    human_request,
    offer_expires,
    correction,
    alternative_picked,
    read_back_answer,
    awaited_detail,
    goodbye,
    greeting,
    colleague_accepted,
    short_ack,
    order_follow_up,
    routed_flow,
    knowledge_answer,
    clarify,
)


def decide(res: Resources, turn: Turn, rules: tuple[Rule, ...] = RULES) -> Reply:
    """The Reply of the first rule that answers; the last rule must always answer."""
    for rule in rules:
        reply = rule(res, turn)
        if reply is not None:
            log.debug("call %s: %s -> %s", turn.session.call_id, rule.__name__, reply.intent)
            return reply
    raise LookupError("no rule answered the turn: the last rule must always answer")


__all__ = ["RULES", "Resources", "Rule", "Turn", "decide"]
