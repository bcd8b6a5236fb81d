"""The flows the brain runs: one record each, in one place (fields: dialog.flows.spec).

Adding a flow: write its handler module in dialog/flows/, add one `FlowSpec` below, and
add caller phrasings under its name in dialog/data/intent_examples.json (docs/dialog.md,
"Adding a flow"). Routing, the "A or B?" question, grounding and the classifier's labels
all read this registry.
"""

from __future__ import annotations

from dialog.flows.account import IdentityCheck, recover_username, reset_password
from dialog.flows.cancel import propose_cancel_order
from dialog.flows.complaint import ComplaintSlots, complaint
from dialog.flows.late import order_status_with_compensation
from dialog.flows.pause import propose_cancel_or_pause, propose_pause
from dialog.flows.returns import ReturnSlots, return_window
from dialog.flows.spec import FlowRegistry, FlowSpec, words
from dialog.flows.upgrade import propose_upgrade

# A cancellation never starts unless the caller used a word for it: the classifier alone
# must not turn "an extension on my subscription" into a cancellation.
CANCEL_WORDS = words(
    r"cancel\w*|stop|end (?:my|the|this|our)|terminate|quit|unsubscribe|close|call off|"
    r"get rid of|don'?t want|do not want|no longer want"
)

# Every flow that reads or changes an account also takes the facts that name or verify
# one (email, phone, order number, zip code): the identity gate hears them (dialog.identity).
FLOWS = FlowRegistry([
    FlowSpec(
        "order_status", order_status_with_compensation, phrase="checking on an order",
        choice_words=("status", "where", "track", "deliver", "check"),
        confirms=("issue_credit",),  # the late-delivery fee credit, a soft offer
        asks=("order_id", "date", "product", "email", "phone", "zip_code"),
        offers=True,
    ),
    FlowSpec(
        "return_window", return_window, phrase="returning something",
        choice_words=("return", "send back"), slots=ReturnSlots, confirms=("start_return",),
        asks=("tier", "date", "product", "order_id", "email", "phone", "zip_code"),
        offers=True,
        # a question about returns: "a warranty on the boots?" or "refund to a gift card?"
        # are not, whatever the classifier says (the knowledge check answers or declines)
        required_words=words(r"return\w*|(?:send|sent|ship|take|bring|give)\b.{0,25}\bback"),
        grounding="product_defect/return_due_to_",  # it states the manual's return windows
    ),
    FlowSpec(
        "cancel_order", propose_cancel_order, phrase="cancelling an order",
        choice_words=("order",), required_words=CANCEL_WORDS, confirms=("cancel_order",),
        asks=("order_id", "date", "product", "email", "phone", "zip_code"),
    ),
    FlowSpec(
        "cancel_subscription", propose_cancel_or_pause, phrase="cancelling your subscription",
        choice_words=("subscription", "membership", "plan"), required_words=CANCEL_WORDS,
        confirms=("cancel_subscription", "pause_subscription"),  # pause: the offered alternative
        asks=("plan", "email", "phone", "zip_code"),
    ),
    FlowSpec(
        "pause_subscription", propose_pause, phrase="pausing your subscription",
        choice_words=("pause",),
        required_words=words(r"paus\w*|put (?:it|my \w+) on hold|suspend|freeze"),
        explicit_words=words(r"paus\w*"),
        confirms=("pause_subscription",),
        asks=("email", "phone", "zip_code"),
    ),
    FlowSpec(
        "upgrade_plan", propose_upgrade, phrase="upgrading your plan", choice_words=("upgrade",),
        required_words=words(
            r"upgrad\w*|higher (?:plan|tier)|better plan|bigger plan|move up|elite"
        ),
        confirms=("upgrade_subscription",),
        asks=("plan", "email", "phone", "zip_code"),
        offers=True,
    ),
    FlowSpec(
        "complaint", complaint, phrase="making a complaint", choice_words=("complain",),
        required_words=words(
            r"complain\w*|complaint|unacceptable|disappoint\w*|not happy|unhappy|"
            r"fed up|poor service|bad service|terrible service|awful service|damaged|broken|"
            r"wrong item|compensat\w*"
        ),
        explicit_words=words(r"complain\w*|complaint"),
        slots=ComplaintSlots,
        confirms=("issue_credit",),  # the goodwill credit
        asks=("order_id", "product", "date", "amount", "details", "email", "phone", "zip_code"),
    ),
    FlowSpec(
        "recover_username", recover_username, phrase="finding your username",
        choice_words=("username", "user name"),
        required_words=words(r"user ?name|login name|user id|log ?in name"),
        explicit_words=words(r"user ?name|login name"),
        slots=IdentityCheck,
        grounding="account_access/",
        manual_sections=("account_access/recover_username",),
        free_text=True,  # "Jane Doe" answers its identity question
        asks=("full_name", "zip_code", "details", "email", "phone"),
    ),
    FlowSpec(
        "reset_password", reset_password, phrase="resetting your password",
        choice_words=("password",),
        required_words=words(r"pass ?word|passcode|reset (?:my )?login"),
        explicit_words=words(r"pass ?word"),
        confirms=("send_password_reset",),
        grounding="account_access/",
        manual_sections=("account_access/recover_password",),
        asks=("email", "phone", "zip_code"),
    ),
])
