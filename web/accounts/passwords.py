"""Passwords: hashed with Argon2id (argon2-cffi), checked off the event loop, and judged.

argon2-cffi's defaults are RFC 9106's second recommended profile (time cost 3, 64 MiB,
4 lanes): memory-hard, so a stolen table is slow to attack on GPUs. A hash takes tens of
milliseconds of CPU, so it runs in a worker thread and never stalls the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 200
HASHER = PasswordHasher()


@dataclass(frozen=True)
class Weakness:
    """Why a password is refused: its code, the English sentence, the values the text needs."""

    code: str
    detail: str
    params: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail


def weakness(password: str, username: str) -> Weakness | None:
    """Why `password` is refused for `username`, or None if it is taken."""
    if len(password) < MIN_LENGTH:
        return Weakness(
            "password.too_short",
            f"A password has at least {MIN_LENGTH} characters.",
            {"min_length": MIN_LENGTH},
        )
    if len(password) > MAX_LENGTH:
        return Weakness(
            "password.too_long",
            f"A password has at most {MAX_LENGTH} characters.",
            {"max_length": MAX_LENGTH},
        )
    if username.lower() in password.lower():
        return Weakness("password.has_username", "A password must not contain the username.")
    if len(set(password)) < 4:
        return Weakness(
            "password.too_few_characters",
            "A password needs more than three different characters.",
            {"min_different": 4},
        )
    return None


async def hashed(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


@cache
def _unknown_user_hash() -> str:
    return HASHER.hash("a password no account has")


def _matches(password_hash: str | None, password: str) -> tuple[bool, bool]:
    try:
        HASHER.verify(password_hash or _unknown_user_hash(), password)
    except (VerificationError, InvalidHashError):
        return False, False
    return password_hash is not None, password_hash is not None and HASHER.check_needs_rehash(
        password_hash
    )


async def matches(password_hash: str | None, password: str) -> tuple[bool, bool]:
    """Whether `password` matches, and whether its hash should be renewed (parameters raised
    since). Without a hash (no such user) a hash is still checked, so the answer takes as long
    and says nothing about which usernames exist."""
    return await asyncio.to_thread(_matches, password_hash, password)
