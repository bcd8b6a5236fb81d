"""Fixed phrases the brain says; one place so voice can pre-synthesize them."""

from __future__ import annotations

CLARIFY = "I'm not sure I understood — could you rephrase?"
CLARIFY_AGAIN = "Sorry, I still didn't catch that. Could you say it another way?"
OFFER_HUMAN = "I'm having trouble understanding. Let me connect you with a member of our team."
HANDOFF = "Of course. I'm connecting you with a member of our team now."
NO_DETAIL = "I don't have that detail on hand. I can connect you with a colleague who does."
# "no_answer": the question is clear but nothing in the manual answers it (dialog.knowledge).
NO_ANSWER = ("Sorry, I don't have an answer to that. "
             "I can connect you with a colleague, or help with something else.")
# The nearest topic we can help with, by the manual flow the question came closest to.
NO_ANSWER_TOPICS = {
    "product_defect": "refunds and returns",
    "order_issue": "changes to an order",
    "account_access": "signing in to your account",
    "troubleshoot_site": "problems with our website",
    "manage_account": "your account details",
    "purchase_dispute": "prices, promo codes and charges",
    "shipping_issue": "shipping and deliveries",
    "subscription_inquiry": "your subscription",
}
ANYTHING_ELSE = "Is there anything else I can help you with?"
HOLD_DEFER = ("A colleague will take care of that with you in a moment. "
              "Meanwhile I can answer any questions.")
HOLD_WAITING = "You're in line for a colleague. Meanwhile I can answer any questions."
GOODBYE = "Thanks for calling. Have a great day!"
SURVEY = (
    "Before you go: on a scale of one to five, how satisfied were you? "
    "You can press a key or just say the number."
)
SURVEY_THANKS = "Thank you for your feedback. Have a great day!"
UNAVAILABLE = "Sorry, I'm having a technical problem. Let me connect you with a member of our team."
# a second request of the same turn, taken up after the first (dialog.flowengine.queue)
OTHER_REQUEST = "And about your other request:"
OTHER_QUESTION = "And about your other question:"
REFUSED = "Okay, I won't do that. What else can I do for you?"
# closing questions a reply ends with; dropped when another request follows in the same reply
CLOSINGS = (ANYTHING_ELSE, "Is there anything else I can help with?", "What else can I do for you?")


def without_closing(text: str) -> str:
    for closing in CLOSINGS:
        if text.endswith(closing):
            return text[: -len(closing)].rstrip()
    return text


def greeting(company_name: str) -> str:
    return f"Thanks for calling {company_name}. How can I help you today?"


def no_answer(topic: str | None = None) -> str:
    """'I don't have that', offering the nearest topic we can help with, or a colleague."""
    if topic is None:
        return NO_ANSWER
    return (f"Sorry, I don't have an answer to that. I can help with {topic}, "
            "or connect you with a colleague.")


# Every fixed phrase, for pre-synthesis by the voice layer.
FIXED_PHRASES: tuple[str, ...] = (
    CLARIFY,
    CLARIFY_AGAIN,
    OFFER_HUMAN,
    HANDOFF,
    NO_DETAIL,
    ANYTHING_ELSE,
    HOLD_DEFER,
    HOLD_WAITING,
    GOODBYE,
    UNAVAILABLE,
    SURVEY,
    SURVEY_THANKS,
    NO_ANSWER,
    *(no_answer(topic) for topic in NO_ANSWER_TOPICS.values()),
)
