"""Password hashing with scrypt (stdlib, memory-hard); verification in constant time.

Encoded as `scrypt$<log2 n>$<r>$<p>$<salt b64>$<hash b64>` so parameters can grow
later (`needs_rehash`). Hashing costs ~50 ms and 16 MiB: call the async versions
from the event loop, they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets

from telephony.auth.errors import WeakPassword

LOG2_N, R, P = 14, 8, 1
KEY_BYTES = 32
SALT_BYTES = 16
MIN_LENGTH = 8
MAX_LENGTH = 1024
MAXMEM_BYTES = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=1 << log2_n, r=r, p=p,
                          maxmem=MAXMEM_BYTES, dklen=KEY_BYTES)


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"password must have at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, LOG2_N, R, P)
    return f"scrypt${LOG2_N}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, log2_n, r, p, salt, key = encoded.split("$")
        if scheme != "scrypt" or len(password) > MAX_LENGTH:
            return False
        got = _derive(password, _unb64(salt), int(log2_n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, _unb64(key))


def needs_rehash(encoded: str) -> bool:
    return not encoded.startswith(f"scrypt${LOG2_N}${R}${P}$")


# verified against when the user does not exist, so timing does not reveal names
DUMMY_HASH = "scrypt$14$8$1$AAAAAAAAAAAAAAAAAAAAAA$" + _b64(bytes(KEY_BYTES))


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password: str, encoded: str) -> bool:
    return await asyncio.to_thread(verify_password, password, encoded)
