"""Quoted text, quote headers, signatures and mobile footers are removed before the brain."""

from __future__ import annotations

import pytest

from telephony.text.email.strip import html_text, new_text

GMAIL = """Thanks, and where is order 10251 now?

On Tue, Dec 1, 2026 at 9:14 AM Acme Apparel Support <support@example.com> wrote:
> Your order 10251 is with UPS.
>
> Anything else?
"""
WRAPPED = """It hasn't arrived.

On Tue, 1 Dec 2026 at 09:14, Acme Apparel Support <support@example.com>
wrote:
> Your order is with UPS.
"""
OUTLOOK = """Can I return the boots?

-----Original Message-----
From: Acme Apparel Support <support@example.com>
Sent: Tuesday, December 1, 2026 9:14 AM
Subject: RE: order
"""
OUTLOOK_NEW = """Can I return the boots?

________________________________
From: Acme Apparel Support <support@example.com>
Sent: Tuesday, December 1, 2026 9:14 AM
"""
SIGNED = """Please cancel my subscription.

--
Priya Shah
480 Elm Street, Austin
"""
MOBILE = """Where is my order?

Sent from my iPhone"""


@pytest.mark.parametrize(("body", "expected"), [
    (GMAIL, "Thanks, and where is order 10251 now?"),
    (WRAPPED, "It hasn't arrived."),
    (OUTLOOK, "Can I return the boots?"),
    (OUTLOOK_NEW, "Can I return the boots?"),
    (SIGNED, "Please cancel my subscription."),
    (MOBILE, "Where is my order?"),
    ("Hi,\n\nmy zip is 78701.\n\n\n\nGet Outlook for Android", "Hi,\n\nmy zip is 78701."),
    ("Where is it?\r\n\r\nVon meinem iPhone gesendet\r\n", "Where is it?"),
    ("Le mar. 1 déc. 2026, Support <s@example.com> a écrit :\n> quoted", ""),
    ("> only a quote", ""),
    ("From my phone: the order is 10251", "From my phone: the order is 10251"),  # not a header block
    ("I wrote: nothing yet", "I wrote: nothing yet"),
])
def test_new_text(body: str, expected: str) -> None:
    assert new_text(body) == expected


def test_html_only_mail_becomes_text() -> None:
    markup = ("<html><head><style>p{color:red}</style></head><body><p>Where is my order?</p>"
              "<div>Thanks &amp; regards</div><blockquote>old &gt; quote</blockquote></body></html>")
    assert new_text(html_text(markup)) == "Where is my order?\nThanks & regards"
