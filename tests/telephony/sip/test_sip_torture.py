"""RFC 4475 and RFC 5118 torture messages sent over UDP get the answer their RFC text asks for.

Verdicts are transcribed from the RFC sections, not derived from our parser. A set lists every
answer the RFC allows where it leaves the element a choice ("could reject with 400 or be
liberal"). None: a response that matches no transaction of ours, which must be dropped.
For valid messages the status is what RFC 3261 has a UAS answer: 200 to OPTIONS/INVITE, 405 to
REGISTER/MESSAGE (we are no registrar, RFC 4475 3.3.7), 501 to unknown methods, 481 to
in-dialog requests for dialogs that do not exist.
"""

from __future__ import annotations

import pytest

from tests.telephony.sip_helpers import SIP_DATA, UdpPeer, running, status_of, udp_peer  # noqa: E402

RFC4475: dict[str, set[int] | None] = {
    # 3.1.1 valid messages: must be parsed and processed
    "wsinv": {481},  # INVITE with a To tag: re-INVITE for a dialog we do not have
    "intmeth": {501},  # unknown method
    "esc01": {200},
    "escnull": {405},  # REGISTER
    "esc02": {501},  # RE%47IST%45R is not REGISTER
    "lwsdisp": {200},
    "longreq": {200},
    "dblreq": {405},  # the REGISTER, not the trailing INVITE
    "semiuri": {200},
    "transports": {200},
    "mpart01": {405},  # MESSAGE
    "unreason": None,
    "noreason": None,
    # 3.1.2 invalid messages
    "badinv01": {400},
    "clerr": {400},
    "ncl": {400},
    "scalar02": {400},
    "scalarlg": None,
    "quotbal": {400},
    "ltgtruri": {400},
    "lwsruri": {400},
    "lwsstart": {400, 200},  # "could be liberal" -> 200 to the INVITE
    "trws": {400, 200},
    "escruri": {400, 200},
    "baddate": {400, 200},
    "regbadct": {400, 405},
    "badaspec": {400, 200},
    "baddn": {400},
    "badvers": {505},
    "mismatch01": {400},
    "mismatch02": {400, 501},
    "bigcode": None,
    # 3.2 transaction layer
    "badbranch": {400, 200},
    # 3.3 application layer
    "insuf": {400},
    "unkscm": {416},
    "novelsc": {416, 404},
    "unksm2": {405, 400},
    "bext01": {420},
    "invut": {415},
    "regaut01": {405},
    "multi01": {400},
    "mcl01": {400},
    "bcast": None,
    "zeromf": {200},  # an endpoint processes it as if Max-Forwards were still positive
    "cparam01": {405},
    "cparam02": {405},
    "regescrt": {405},
    "sdp01": {406},
    # 3.4 backward compatibility
    "inv2543": {200},
}

RFC5118: dict[str, set[int] | None] = {
    "ipv6-good": {405},  # valid REGISTER
    "ipv6-bad": {400},  # IPv6 reference without brackets
    "port-ambiguous": {405},
    "port-unambiguous": {405},
    "ipv6-bug-abnf-3-colons": {400},  # not an IPv6 address
    "ipv6-correct-abnf-2-colons": {200},
    "ipv6-in-sdp": {488},  # parsed; its only audio codec is G.726, which we do not offer
    "mult-ip-in-header": {481},  # valid BYE outside any dialog
    "mult-ip-in-sdp": {200},
    "ipv4-mapped-ipv6": {488},  # parsed; G.726 only
    "via-received-param-with-delim": {481},
    "via-received-param-no-delim": {200},
}

CASES = [("rfc4475", f"{k}.dat", v) for k, v in RFC4475.items()] + [
    ("rfc5118", k, v) for k, v in RFC5118.items()
]

PROBE = (
    "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKprobe{n}\r\n"
    "From: <sip:p@127.0.0.1>;tag=p\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: probe{n}\r\n"
    "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
)


def test_every_corpus_file_has_a_verdict() -> None:
    assert {p.stem for p in (SIP_DATA / "rfc4475").glob("*.dat")} == set(RFC4475)
    assert {p.name for p in (SIP_DATA / "rfc5118").iterdir()} == set(RFC5118)


async def test_torture_messages_get_the_rfc_answer() -> None:
    wrong: list[str] = []
    for n, (folder, name, expected) in enumerate(CASES):
        data = (SIP_DATA / folder / name).read_bytes()
        # a fresh server each: the corpus reuses branch values, which would make a later
        # message a retransmission of an earlier one (RFC 3261 17.2.3)
        async with running() as server, udp_peer() as peer:
            try:
                verdict = await _exchange(peer, server.port, data, n, expected)
            except TimeoutError:
                verdict = "no answer"
            if verdict:
                wrong.append(f"{name}: {verdict}")
    assert not wrong, "\n".join(wrong)


async def _exchange(
    peer: UdpPeer, port: int, data: bytes, n: int, expected: set[int] | None
) -> str:
    peer.send(data, port)
    if expected is None:
        peer.send(PROBE.format(n=n).encode(), port)
        answer = await peer.final(timeout=3)
        return "" if f"probe{n}".encode() in answer else f"answered: {answer[:40]!r}"
    answer = await peer.final(timeout=3)
    line = answer.split(b"\r\n")[0]
    return "" if status_of(answer) in expected else f"got {line!r}, RFC says {expected}"


@pytest.mark.parametrize("name", ["bext01"])
async def test_420_lists_the_unsupported_require_tokens(name: str) -> None:
    async with running() as server, udp_peer() as peer:
        peer.send((SIP_DATA / "rfc4475" / f"{name}.dat").read_bytes(), server.port)
        answer = await peer.final()
        assert b"Unsupported: nothingSupportsThis, nothingSupportsThisEither" in answer
