"""Policy numbers for the flows added after the first four, each with where it comes from.

The manual (../shared/testdata/domain/abcd/guidelines.json) gives a few amounts; where it
is silent, the decision is ours and documented here and in docs/dialog.md.
"""

from __future__ import annotations

import re

# Goodwill credit ceiling for a complaint: the manual's default refund amount
# ("If the customer does not know, the default amount is $50"). Never more than the
# order's total. The store enforces the same ceiling (kb.demo.store.MAX_CREDIT_CENTS).
CREDIT_CAP_CENTS = 5000
# Late delivery: the manual's Shipping Cost flow waives (order received / in transit) or
# refunds (out for delivery / delivered) the standard shipping fee of $8.
SHIPPING_FEE_CENTS = 800
# Our decision: a complaint gets a human follow-up within two days.
FOLLOW_UP_DAYS = 2
# Our decision: monthly subscriptions may be paused for up to three months instead of
# being cancelled (offered before a cancellation); annual plans are prepaid and are not
# paused. One pause at a time (a paused subscription is not active).
PAUSE_MONTHS = 3
PAUSABLE_CYCLES = ("monthly",)
# The manual's Recover Username: 3 of 4 factors (full name, zip code, phone, email).
IDENTITY_FACTORS_NEEDED = 3

# Words a caller must use before one of these flows may start (like cancellation's):
# the classifier alone never starts a state-changing flow.
REQUIRED_WORDS: dict[str, re.Pattern[str]] = {
    "upgrade_plan": re.compile(
        r"\b(upgrad\w*|higher (?:plan|tier)|better plan|bigger plan|move up|elite)\b", re.I
    ),
    "complaint": re.compile(
        r"\b(complain\w*|complaint|unacceptable|disappoint\w*|not happy|unhappy|"
        r"fed up|poor service|bad service|terrible service|awful service|damaged|broken|"
        r"wrong item|compensat\w*)\b",
        re.I,
    ),
    "recover_username": re.compile(r"\b(user ?name|login name|user id|log ?in name)\b", re.I),
    "reset_password": re.compile(r"\b(pass ?word|passcode|reset (?:my )?login)\b", re.I),
    "pause_subscription": re.compile(r"\b(paus\w*|put (?:it|my \w+) on hold|suspend|freeze)\b", re.I),
}
# Words that name one flow outright: with it among the two likeliest, it wins
# ("a complaint, my order is late" is a complaint, not a status question).
EXPLICIT_WORDS: dict[str, re.Pattern[str]] = {
    "complaint": re.compile(r"\b(complain\w*|complaint)\b", re.I),
    "pause_subscription": re.compile(r"\bpaus\w*\b", re.I),
    "recover_username": re.compile(r"\b(user ?name|login name)\b", re.I),
    "reset_password": re.compile(r"\bpass ?word\b", re.I),
}
