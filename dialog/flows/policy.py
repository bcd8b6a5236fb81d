"""Policy numbers for the flows added after the first four, each with where it comes from.

The manual (../shared/testdata/domain/abcd/guidelines.json) gives a few amounts; where it
is silent, the decision is ours and documented here and in docs/dialog.md. The words a
caller must use before a flow may start are part of each flow's record
(dialog.flows.registry).
"""

from __future__ import annotations

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

