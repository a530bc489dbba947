"""Message signatures: the same message verifies, any change to what decides its effect does not,
and the services refuse to start without a proper service key."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from contracts.envelope import SIGNATURE_HEADER, Envelope
from contracts.rooms import ReleaseHold
from infra.messaging.codec import Outgoing
from infra.messaging.signing import MessageSigner
from infra.settings import CommonSettings, describe, load_settings
from orchestrator.settings import OrchestratorSettings
from rooms.settings import RoomsSettings

pytestmark = pytest.mark.unit

KEY = "k" * 32
OTHER_KEY = "o" * 32
ENVELOPE = Envelope.new(ReleaseHold.message_type, "saga-1", causation_id="cause-1").model_copy(
    update={"sequence": 7}
)
BODY = ReleaseHold(reason="client rejected").model_dump_json().encode()


def test_the_same_message_verifies_and_its_signature_is_64_hex_digits() -> None:
    signature = MessageSigner(KEY).sign(ENVELOPE, BODY)
    assert len(signature) == 64 and int(signature, 16) >= 0
    assert MessageSigner(KEY).verify(ENVELOPE, BODY, signature)
    assert MessageSigner(KEY).verify(ENVELOPE, BODY, signature.encode()), "a bytes header too"
    # A resend from the outbox or the inbox is rebuilt from the stored row: identical.
    assert MessageSigner(KEY).sign(ENVELOPE.model_copy(), bytes(BODY)) == signature


@pytest.mark.parametrize(
    "changed",
    [
        {"message_id": "another-id"},
        {"saga_id": "saga-2"},
        {"message_type": "rooms.ConfirmHold.v1"},
        {"sequence": 8},
        {"sequence": None},
        {"causation_id": "cause-2"},
        {"causation_id": None},
    ],
    ids=lambda changed: next(iter(changed)) + "=" + str(next(iter(changed.values()))),
)
def test_a_changed_id_saga_type_sequence_or_causation_fails(changed: dict[str, Any]) -> None:
    signature = MessageSigner(KEY).sign(ENVELOPE, BODY)
    assert not MessageSigner(KEY).verify(ENVELOPE.model_copy(update=changed), BODY, signature)


def test_a_changed_body_fails_even_by_one_byte() -> None:
    signature = MessageSigner(KEY).sign(ENVELOPE, BODY)
    assert not MessageSigner(KEY).verify(ENVELOPE, BODY + b" ", signature)
    assert not MessageSigner(KEY).verify(ENVELOPE, BODY.replace(b"client", b"agent "), signature)


def test_fields_cannot_be_shifted_into_one_another() -> None:
    signer = MessageSigner(KEY)
    one = Envelope.new("rooms.ReleaseHold.v1", "ab", causation_id=None)
    shifted = one.model_copy(update={"message_id": one.message_id + "a", "saga_id": "b"})
    assert not signer.verify(shifted, BODY, signer.sign(one, BODY))


@pytest.mark.parametrize(
    "signature",
    [None, "", "0" * 64, 42, ["x"], "é" * 64, b"\xff" * 64],
    ids=["missing", "empty", "zeros", "int", "list", "non-ascii", "non-utf8-bytes"],
)
def test_a_missing_or_wrong_signature_fails(signature: object) -> None:
    assert not MessageSigner(KEY).verify(ENVELOPE, BODY, signature)


def test_another_key_fails() -> None:
    forged = MessageSigner(OTHER_KEY).sign(ENVELOPE, BODY)
    assert not MessageSigner(KEY).verify(ENVELOPE, BODY, forged)


def test_a_short_key_is_refused_and_the_key_never_shows() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        MessageSigner("k" * 31)
    assert KEY not in repr(MessageSigner(KEY))


def test_the_signature_goes_in_its_header() -> None:
    outgoing = Outgoing(ENVELOPE, BODY)
    signature = MessageSigner(KEY).sign(ENVELOPE, BODY)
    assert outgoing.amqp_properties(signature)["headers"][SIGNATURE_HEADER] == signature
    assert SIGNATURE_HEADER not in outgoing.amqp_properties()["headers"]


@pytest.mark.parametrize("settings_class", [RoomsSettings, OrchestratorSettings])
def test_a_service_refuses_to_start_without_a_service_key_and_says_why(
    settings_class: type[CommonSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SERVICE_KEY", raising=False)
    with pytest.raises(ValidationError) as missing:
        settings_class()
    with pytest.raises(SystemExit, match="cannot start:\nSERVICE_KEY is not set"):
        load_settings(settings_class)
    monkeypatch.setenv("SERVICE_KEY", "too-short")
    with pytest.raises(ValidationError) as short:
        settings_class()
    assert describe(missing.value).startswith("SERVICE_KEY is not set: ")
    assert describe(short.value).startswith("SERVICE_KEY is too short: ")
    for error in (missing.value, short.value):
        assert "at least 32 characters" in describe(error)
    assert "too-short" not in describe(short.value)


def test_settings_hide_the_key_and_sign_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_KEY", KEY)
    settings = RoomsSettings()
    assert KEY not in repr(settings) and KEY not in str(settings.model_dump())
    signature = MessageSigner(KEY).sign(ENVELOPE, BODY)
    assert settings.message_signer().verify(ENVELOPE, BODY, signature)
