"""The default command generator: an ordered list of small named rules over the turn's
words, the intent classifier and NLU (no LLM). The first rule that returns commands
answers; the order is the precedence:

 1. nothing_said       silence or noise: Clarify
 2. survey_answer      the answer to the goodbye survey: SetSlot(csat_score) or Goodbye
 3. human_request      "a real person, please" (nlu.human): HumanHandoff
 4. read_back_answer   the answer to a pending read-back: Affirm / Deny / a repair
 5. correction         "no, the other order", "sorry, I meant 10251": RejectSlot / CorrectSlot
 6. awaited_detail     the detail an open question waited for: SetSlot
 7. stop_flow          "never mind" while a question or a queued request is open: CancelFlow
 8. goodbye            goodbye or a short thanks: Goodbye
 9. greeting           hello: Greeting
10. short_ack          a bare yes/no with nothing pending: Affirm / Deny
11. order_follow_up    "which carrier?" right after an order's status: StartFlow(order_status)
12. requests           new requests, with refusals: Deny(flow)..., StartFlow... / Clarify / KnowledgeQuestion

A pending question (4, 6) comes before small talk and new requests; repairs (4, 5) before
a plain detail, so "no, the other one" is not taken as a no. The commands go through
`dialog.commands.validate` and are executed by `dialog.flowengine.FlowEngine`.
"""

from __future__ import annotations

import logging

from dialog.commands import Command, TurnContext
from dialog.rules.base import Resources, Rule, Turn
from dialog.rules.readback import read_back_answer
from dialog.rules.talk import (
    goodbye,
    greeting,
    human_request,
    nothing_said,
    short_ack,
    stop_flow,
    survey_answer,
)
from dialog.rules.tasks import awaited_detail, correction, order_follow_up, requests

log = logging.getLogger(__name__)

RULES: tuple[Rule, ...] = (
    nothing_said,
    survey_answer,
    human_request,
    read_back_answer,
    correction,
    awaited_detail,
    stop_flow,
    goodbye,
    greeting,
    short_ack,
    order_follow_up,
    requests,
)


class RuleGenerator:
    """`dialog.commands.CommandGenerator` from the rules above."""

    def __init__(self, res: Resources, rules: tuple[Rule, ...] = RULES) -> None:
        self.res = res
        self.rules = rules

    def generate(self, ctx: TurnContext) -> list[Command]:
        turn = Turn(ctx, self.res)
        for rule in self.rules:
            commands = rule(self.res, turn)
            if commands is not None:
                log.debug("%s -> %s", rule.__name__, commands)
                return commands
        raise LookupError("no rule answered the turn: the last rule must always answer")


__all__ = ["RULES", "Resources", "Rule", "RuleGenerator", "Turn"]
