"""scrypt password hashes: round trip, refusal, malformed input, parameters."""

from __future__ import annotations

import pytest

from telephony.auth.errors import WeakPassword
from telephony.auth.passwords import (
    DUMMY_HASH,
    hash_password,
    hash_password_async,
    needs_rehash,
    verify_password,
    verify_password_async,
)


def test_round_trip_and_salted() -> None:
    a, b = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert a != b and a.startswith("scrypt$14$8$1$")
    assert verify_password("s3cret-pass", a)
    assert not verify_password("s3cret-pasS", a)
    assert not needs_rehash(a) and needs_rehash("scrypt$10$8$1$x$y")


@pytest.mark.parametrize("encoded", ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AA$AA",
                                     "scrypt$14$8$1$!!$AA"])
def test_malformed_hashes_never_verify(encoded: str) -> None:
    assert not verify_password("anything", encoded)


def test_dummy_hash_matches_nothing() -> None:
    assert not verify_password("", DUMMY_HASH) and not verify_password("password", DUMMY_HASH)


def test_weak_passwords_refused() -> None:
    with pytest.raises(WeakPassword):
        hash_password("short")
    with pytest.raises(WeakPassword):
        hash_password("x" * 2000)


async def test_async_versions_run_off_the_loop() -> None:
    encoded = await hash_password_async("another-pass")
    assert await verify_password_async("another-pass", encoded)
