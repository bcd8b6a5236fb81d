"""Test certificates made at test time (no private key is ever committed) and baresip over
TCP/TLS with SRTP."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.telephony.sip_helpers import PEERS


def make_certificate(directory: Path, name: str = "hotline") -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files in ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    key_path.chmod(0o600)
    return cert_path, key_path


def baresip_conf(
    tmp: Path, mic: Path, listen_port: int, transport: str, mediaenc: str = "", ca: Path | None = None
) -> tuple[Path, Path]:
    """A baresip config dir (SIP over ``transport``, ``mediaenc`` e.g. "srtp-mand") and its
    recording dir."""
    conf, rec = tmp / "conf", tmp / "rec"
    conf.mkdir()
    rec.mkdir()
    text = (PEERS / "baresip" / "config.template").read_text()
    text = text.replace("@MIC_WAV@", str(mic)).replace("@REC_DIR@", str(rec))
    text = text.replace("127.0.0.1:5062", f"127.0.0.1:{listen_port}")
    text += f"sip_trans_def\t\t{transport}\n"
    if ca is not None:
        text += f"sip_cafile\t\t{ca}\n"
    if mediaenc:
        text += "module\t\t\tsrtp.so\n"
    (conf / "config").write_text(text)
    account = (PEERS / "baresip" / "accounts").read_text().strip()
    account = account.replace("<sip:tester@127.0.0.1>", f"<sip:tester@127.0.0.1;transport={transport}>")
    if mediaenc:
        account += f";mediaenc={mediaenc}"
    (conf / "accounts").write_text(account + "\n")
    return conf, rec
