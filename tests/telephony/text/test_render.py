"""Per-channel rendering of one Reply, and SMS lengths per GSM 03.38."""

from __future__ import annotations

import pytest

from dialog.types import Citation, Reply
from telephony.text import gsm, render

ORDER = ("Your order 10251 left our warehouse on May 2. It is with UPS, and the storm delayed it. "
         "It should arrive by May 8.")


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),  # 153 + 8
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),  # extension table: two septets each
    ("€" * 81, "GSM-7", 162, 2),
    ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # the escape pair does not straddle segments
    ("[]{}~^|\\\f", "GSM-7", 18, 1),
    ("£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", "GSM-7", 40, 1),
    ("ç", "UCS-2", 1, 1),  # lower-case c-cedilla is not in the alphabet (only Ç is)
    ("a" * 70 + "\u2019", "UCS-2", 71, 2),
    ("x" * 67 * 2, "GSM-7", 134, 1),
    ("日" * 70, "UCS-2", 70, 1),
    ("日" * 134, "UCS-2", 134, 2),
    ("😀" * 35, "UCS-2", 70, 1),  # outside the BMP: a surrogate pair each
    ("a" + "😀" * 33 + "b", "UCS-2", 68, 1),
    ("a" * 66 + "😀" + "a" * 10, "UCS-2", 78, 2),  # the pair moves whole into segment 2
])
def test_sms_length(text: str, encoding: str, units: int, segments: int) -> None:
    length = gsm.measure(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


def test_surrogate_pairs_are_never_split() -> None:
    assert gsm.segments_needed("a" * 66 + "😀", False, 67) == 2
    assert gsm.segments_needed("a" * 65 + "😀", False, 67) == 1


def test_voice_keeps_the_reply_text() -> None:
    reply = Reply(text="Your order 10251 (the blue jacket) ships on May 2.  Anything else?")
    assert render.spoken(reply) == reply.text


def test_written_has_short_paragraphs_digits_and_links() -> None:
    reply = Reply(text=ORDER + " Anything else I can help with?", citations=[
        Citation("https://help.example.com/shipping", "Shipping", "...", 0.9),
        Citation("policy-7", "Returns", "...", 0.5),
        Citation("https://help.example.com/shipping", "Shipping", "...", 0.4)])
    assert render.written(reply) == (
        "Your order 10251 left our warehouse on May 2. It is with UPS, and the storm delayed it."
        "\n\nIt should arrive by May 8. Anything else I can help with?"
        "\n\nhttps://help.example.com/shipping")


def test_a_short_reply_is_one_gsm_sms() -> None:
    out = render.sms(Reply(text=ORDER))
    assert out.parts == [ORDER] and out.encoding == "GSM-7" and out.segments == 1
    assert not out.shortened


def test_typography_does_not_force_ucs2() -> None:
    out = render.sms(Reply(text="We\u2019ll ship it \u2014 today\u2026"))
    assert out.parts == ["We'll ship it - today..."] and out.encoding == "GSM-7"


def test_a_long_reply_splits_at_sentences_into_single_segments() -> None:
    text = " ".join(f"Sentence number {i} says something useful about the return policy." for i in range(6))
    out = render.sms(Reply(text=text), max_parts=3)
    assert len(out.parts) == 3 and out.segments == 3 and not out.shortened
    for part in out.parts:
        assert gsm.measure(part).segments == 1
        assert part.endswith(".") and part[0].isupper()
    assert " ".join(out.parts) == text


def test_a_too_long_reply_is_shortened_at_a_sentence_and_says_so() -> None:
    text = " ".join(f"Sentence number {i} says something useful about the return policy." for i in range(12))
    out = render.sms(Reply(text=text), max_parts=2)
    assert out.shortened and len(out.parts) == 2
    assert out.parts[-1].endswith(render.NOTE)
    assert all(gsm.measure(p).segments == 1 for p in out.parts)
    assert text.startswith(out.parts[0])


def test_shortening_keeps_the_closing_question() -> None:
    """Seen in the scenario suite: a complaint's offer ended "...? Please answer yes or no."
    and the question was what got cut."""
    text = " ".join(f"Sentence number {i} says something useful about the return policy." for i in range(8))
    out = render.sms(Reply(text=text + " Would you like that? Please say yes or no."), max_parts=3)
    assert out.shortened and len(out.parts) == 3
    assert out.parts[-1].endswith(f"{render.NOTE} Would you like that? Please say yes or no.")
    assert out.parts[0].startswith("Sentence number 0")
    assert all(gsm.measure(p).segments == 1 for p in out.parts)


def test_a_sentence_longer_than_a_segment_is_cut_at_words() -> None:
    text = "word " * 60 + "end."
    out = render.sms(Reply(text=text.strip()), max_parts=5)
    assert all(gsm.measure(p).segments == 1 for p in out.parts)
    assert " ".join(out.parts).split() == text.split()


def test_ucs2_replies_use_the_70_unit_segment() -> None:
    text = "Ваш заказ 10251 отправлен. Он прибудет восьмого мая. Спасибо, что написали нам сегодня!"
    out = render.sms(Reply(text=text), max_parts=3)
    assert out.encoding == "UCS-2"
    assert all(gsm.measure(p).units <= 70 for p in out.parts)
    assert " ".join(out.parts) == text
