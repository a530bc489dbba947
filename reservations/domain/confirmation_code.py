"""Confirmation codes an agent can read over the phone without confusion."""

from __future__ import annotations

import secrets

# Upper-case letters and digits without the look-alikes 0/O, 1/I/L.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8


def new_confirmation_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(text: str) -> str:
    """An agent may type a code in lower case or with spaces around it."""
    return text.strip().upper()
