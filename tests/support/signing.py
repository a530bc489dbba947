"""The test run's service key: what the platform's processes and the tests that play one of
its services sign with.

`SERVICE_KEY` from the environment if it is set, else a fresh random key made on first use and
put into the environment, so every settings object, child process and helper of the run shares
it. A forger's key is any other.
"""

from __future__ import annotations

import os
import secrets

from infra.messaging.signing import MessageSigner

SERVICE_KEY_VARIABLE = "SERVICE_KEY"


def new_key() -> str:
    return secrets.token_urlsafe(32)


def service_key() -> str:
    """The run's key (set in the environment on first use)."""
    return os.environ.setdefault(SERVICE_KEY_VARIABLE, new_key())


def service_signer() -> MessageSigner:
    """Signs as one of the platform's services."""
    return MessageSigner(service_key())


def forger_signer() -> MessageSigner:
    """Signs with a well-formed key that is not the platform's."""
    return MessageSigner(new_key())
