"""A mixed flood against a SIP server, as its own process (so it does not share the server's
event loop): INVITEs with fresh Call-IDs, garbage datagrams, RTP from strangers onto the RTP
port range, PROTOS c07 cases, and TCP connections that send junk or stall.

    python -m tests.telephony.sip_flood SIP_PORT TCP_PORT RTP_MIN RTP_MAX SECONDS PROTOS_TGZ

Sources are 127.0.0.2-127.0.0.9 (other hosts to the server). Prints what it sent as JSON."""

from __future__ import annotations

import json
import os
import random
import socket
import struct
import sys
import tarfile
import time


def _invite(n: int, host: str, port: int) -> bytes:
    sdp = f"v=0\r\no=f 1 1 IN IP4 {host}\r\ns=-\r\nc=IN IP4 {host}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
    return (f"INVITE sip:service@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {host}:{port};branch=z9hG4bKf{n}\r\n"
            f"From: <sip:flood@{host}>;tag=f{n}\r\nTo: <sip:service@127.0.0.1>\r\nCall-ID: flood{n}\r\n"
            f"CSeq: 1 INVITE\r\nContact: <sip:flood@{host}:{port}>\r\nMax-Forwards: 70\r\n"
            f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}").encode()


def _protos(path: str, limit: int) -> list[bytes]:
    cases: list[bytes] = []
    with tarfile.open(path) as tar:
        for member in tar:
            file = tar.extractfile(member) if member.isfile() else None
            if file is not None:
                size_text, _, rest = file.read().partition(b" ")
                cases.append(rest[: int(size_text)])
            if len(cases) >= limit:
                break
    return cases


def main() -> None:
    sip_port, tcp_port, rtp_min, rtp_max, seconds = (int(a) for a in sys.argv[1:6])
    protos = _protos(sys.argv[6], 2000)
    socks = []
    for i in range(2, 10):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((f"127.0.0.{i}", 0))
        sock.setblocking(False)
        socks.append(sock)
    sent = {"invite": 0, "garbage": 0, "rtp": 0, "protos": 0, "tcp": 0, "bytes": 0}
    rng = random.Random(15)
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        for _ in range(20):  # ~20 datagrams per 10 ms: ~2,000/s, what 2 shared cores allow
            n += 1
            sock = socks[n % len(socks)]
            host, port = sock.getsockname()
            kind = n % 4
            if kind == 0:
                data, target, key = _invite(n, host, port), sip_port, "invite"
            elif kind == 1:
                data, target, key = os.urandom(rng.randrange(1, 1400)), sip_port, "garbage"
            elif kind == 2:
                payload = struct.pack("!BBHII", 0x80, 0, rng.randrange(65536), rng.randrange(2**32),
                                      rng.randrange(2**32)) + os.urandom(160)  # fmt: skip
                data, target, key = payload, rng.randrange(rtp_min, rtp_max + 1) & ~1, "rtp"
            else:
                case = protos[n % len(protos)]
                for tag, value in ((b"<To>", b"service@127.0.0.1"), (b"<From>", b"protos@127.0.0.9"),
                                   (b"<From-Address>", host.encode()), (b"<From-IP>", host.encode()),
                                   (b"<Local-Port>", str(port).encode()), (b"<Branch-ID>", str(n).encode()),
                                   (b"<Call-ID>", f"p{n}".encode()), (b"<CSeq>", b"1")):  # fmt: skip
                    case = case.replace(tag, value)
                body = case.partition(b"\r\n\r\n")[2]
                data = case.replace(b"<Content-Length>", str(len(body)).encode())
                target, key = sip_port, "protos"
            try:
                sock.sendto(data, ("127.0.0.1", target))
                sent[key] += 1
                sent["bytes"] += len(data)
            except (BlockingIOError, OSError):
                pass
        if tcp_port and n % 400 == 0:  # a TCP peer sending junk, then leaving a half message
            try:
                with socket.create_connection(("127.0.0.1", tcp_port), timeout=1) as tcp:
                    tcp.sendall(os.urandom(2000) + b"\r\n\r\nINVITE sip:x SIP/2.0\r\nContent-Length: 10")
                    sent["tcp"] += 1
            except OSError:
                pass
        time.sleep(0.01)
    print(json.dumps(sent))


if __name__ == "__main__":
    main()
