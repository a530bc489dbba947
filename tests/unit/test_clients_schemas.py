"""What the HTTP API accepts when a client is created or blocked."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from clients.domain.model import DocumentType
from clients.entrypoints.schemas import BlockIn, NewClientIn

pytestmark = pytest.mark.unit

VALID: dict[str, Any] = {
    "first_name": " Amara ",
    "last_name": "Diallo",
    "email": "Amara.Diallo@Example.org",
    "phone": "+221 77 123 45 67",
    "nationality": "sn",
}


def test_a_valid_client_is_normalized() -> None:
    details = NewClientIn.model_validate(VALID).details()
    assert (details.first_name, details.phone, details.nationality) == (
        "Amara",
        "+221771234567",
        "SN",
    )
    assert details.email == "Amara.Diallo@Example.org"
    assert details.document_type is None and details.document_number is None


def test_a_document_comes_with_both_its_type_and_number() -> None:
    with_document = VALID | {"document_type": "passport", "document_number": "a1234567"}
    details = NewClientIn.model_validate(with_document).details()
    assert (details.document_type, details.document_number) == (DocumentType.PASSPORT, "A1234567")
    for half in ({"document_type": "passport"}, {"document_number": "A1234567"}):
        with pytest.raises(ValidationError, match="must be given together"):
            NewClientIn.model_validate(VALID | half)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": 42}, "first_name"),
        ({"first_name": None}, "first_name"),
        ({"last_name": ["Diallo"]}, "last_name"),
        ({"email": "x" * 100_000}, "email"),
        ({"first_name": "A" * 100_000}, "first_name"),
        ({"phone": 221771234567}, "phone"),
        ({"nationality": "XX"}, "nationality"),
        ({"document_type": "library_card", "document_number": "1"}, "document_type"),
        ({"loyalty_tier": "gold"}, "loyalty_tier"),
    ],
)
def test_wrong_types_huge_values_and_unknown_fields_are_refused(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        NewClientIn.model_validate(VALID | change)
    assert field in {str(error["loc"][0]) for error in refused.value.errors()}


def test_a_block_needs_a_reason() -> None:
    assert BlockIn.model_validate({"reason": "  chargeback   pending "}).reason == (
        "chargeback pending"
    )
    for bad in ({}, {"reason": "   "}, {"reason": "r" * 501}, {"reason": 7}, {"why": "x"}):
        with pytest.raises(ValidationError):
            BlockIn.model_validate(bad)
