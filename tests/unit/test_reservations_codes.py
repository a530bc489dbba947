"""Confirmation codes and the document form of a reservation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.reservations import ReservationWritten
from reservations.adapters.documents import from_document, to_document
from reservations.domain.confirmation_code import ALPHABET, new_confirmation_code, normalise_code
from reservations.domain.rules import new_reservation
from tests.integration.test_reservations_support import write_command

pytestmark = pytest.mark.unit


def test_codes_fit_the_reply_contract_and_avoid_look_alike_characters() -> None:
    codes = [new_confirmation_code() for _ in range(2000)]

    assert all(re.fullmatch(r"[A-Z2-9]{8}", code) for code in codes)
    assert not set("".join(codes)) & set("01OIL")
    assert len(set(codes)) == len(codes)
    ReservationWritten(reservation_id="r", confirmation_code=codes[0])  # validates


def test_the_alphabet_is_every_unambiguous_capital_and_digit() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert set(ALPHABET) == set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def test_a_typed_code_is_normalised() -> None:
    assert normalise_code("  k7m3qx9b ") == "K7M3QX9B"


def test_a_reservation_survives_its_document_form_exactly() -> None:
    now = datetime(2027, 1, 5, 9, 30, 12, 345000, tzinfo=UTC)
    command = write_command(prices=(Decimal("100"), Decimal("0.10"), Decimal("12345678.99")))
    reservation = new_reservation(command, "saga-1", "res-1", "K7M3QX9B", now).cancelled(
        "hold expired", now + timedelta(minutes=5)
    )

    document = to_document(reservation)

    assert [p["price"] for p in document["nightly_prices"]] == ["100", "0.10", "12345678.99"]
    assert document["total"] == "12345779.09"
    assert from_document(document) == reservation
