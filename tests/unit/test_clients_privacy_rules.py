"""Who reads a client's full personal data, and what the masked view keeps (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from clients.domain.model import ClientDetails, DocumentType, register
from clients.domain.privacy import (
    Access,
    AgencyLink,
    LinkReason,
    mask_document,
    mask_email,
    mask_phone,
    masked,
    read_reason,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
REGISTERED = AgencyLink("agency-lome", LinkReason.REGISTERED, None, NOW)
BOOKED = AgencyLink("agency-paris", LinkReason.BOOKING, "b-42", NOW)
DETAILS = ClientDetails(
    "Zephyrine",
    "Quillfeather",
    "zephyrine.quillfeather@example.org",
    "+33698765432",
    "FR",
    DocumentType.PASSPORT,
    "QX7781234",
)


def test_operators_read_every_client_as_head_office() -> None:
    assert read_reason("operator", "head-office", []) == "head office"


def test_an_agency_that_registered_the_client_reads_them() -> None:
    assert read_reason("agent", "agency-lome", [REGISTERED, BOOKED]) == "registered by the agency"
    assert read_reason("agency_manager", "agency-lome", [REGISTERED]) == "registered by the agency"


def test_an_agency_with_a_confirmed_booking_reads_them_and_says_which() -> None:
    assert read_reason("agent", "agency-paris", [REGISTERED, BOOKED]) == "the agency's booking b-42"


def test_any_other_agency_or_role_does_not() -> None:
    assert read_reason("agent", "agency-tokyo", [REGISTERED, BOOKED]) is None
    assert read_reason("agent", "agency-tokyo", []) is None
    assert read_reason("hotel_manager", "agency-lome", [REGISTERED]) is None
    assert read_reason("", "agency-lome", [REGISTERED]) is None


def test_the_masked_view_keeps_names_and_hides_contact_data_and_the_document() -> None:
    client = register("c1", DETAILS, NOW, "agency-lome")
    view = masked(client).details
    assert (view.first_name, view.last_name, view.nationality) == (
        "Zephyrine",
        "Quillfeather",
        "FR",
    )
    assert view.email == "z•••@e•••.org"
    assert view.phone == "+33•••32"
    assert view.document_type is DocumentType.PASSPORT
    assert view.document_number == "•••34"
    for secret in ("quillfeather@", "example", "9876543", "QX77", "7781"):
        assert secret not in f"{view.email} {view.phone} {view.document_number}"


def test_masks_never_tell_a_length() -> None:
    assert mask_email("a@b.co") == "a•••@b•••.co"
    assert mask_email("a.very.long.local.part@sub.domain.example.com") == "a•••@s•••.com"
    assert mask_phone("+4915123456789") == "+49•••89"
    assert mask_document("K1234567") == "•••67"


def test_a_client_without_a_document_stays_without_one() -> None:
    details = ClientDetails("Yuki", "Tanaka", "yuki@example.jp", "+819012345678", "JP")
    assert masked(register("c2", details, NOW)).details.document_number is None
    assert Access("masked") is Access.MASKED
