"""Signed caller identity tokens (telephony/auth/identity_token.py): HS256 compact JWTs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from telephony.auth.identity_token import IdentityTokenError, issue, verify


def test_a_token_round_trips_and_is_a_standard_hs256_jwt() -> None:
    token = issue("s3cret", "+15550100002", ttl_s=60, now=1000.0)
    assert verify("s3cret", token, now=1030.0) == "+15550100002"
    head, body, sig = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(head + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(base64.urlsafe_b64decode(body + "==")) == {"sub": "+15550100002", "exp": 1060}
    mac = hmac.new(b"s3cret", f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert sig == base64.urlsafe_b64encode(mac).rstrip(b"=").decode()  # any JWT library agrees


@pytest.mark.parametrize("why", ["wrong secret", "expired", "tampered", "no secret", "garbage"])
def test_anything_but_a_valid_token_is_refused(why: str) -> None:
    token = issue("s3cret", "+15550100002", ttl_s=60, now=1000.0)
    head, body, sig = token.split(".")
    forged = base64.urlsafe_b64encode(b'{"sub":"+15550100001","exp":9999999999}').rstrip(b"=").decode()
    secret, candidate, now = {
        "wrong secret": ("other", token, 1001.0),
        "expired": ("s3cret", token, 1060.0),
        "tampered": ("s3cret", f"{head}.{forged}.{sig}", 1001.0),
        "no secret": ("", token, 1001.0),
        "garbage": ("s3cret", "not-a-token", 1001.0),
    }[why]
    with pytest.raises(IdentityTokenError):
        verify(secret, candidate, now=now)
