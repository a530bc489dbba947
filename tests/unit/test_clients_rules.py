"""The clients service's pure rules: normalization, validation and verification outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clients.domain import rules
from clients.domain.countries import ISO_3166_ALPHA2
from clients.domain.model import (
    ClientDetails,
    ClientStatus,
    block,
    register,
    unblock,
    verification_reply,
)
from contracts.clients import ClientRejected, ClientVerified

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
DETAILS = ClientDetails("Kofi", "Mensah", "kofi@example.com", "+22890112233", "TG")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+1 (415) 555-0123", "+14155550123"),
        ("+228.90.11.22.33", "+22890112233"),
        ("+6834002", "+6834002"),
        ("+228 90 11 22 33", "+22890112233"),
        ("+228\u00a090\u00a011\u00a022\u00a033", "+22890112233"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("+44 20/7946\u20130958", "+442079460958"),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw: str, expected: str) -> None:
    assert rules.normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["0612345678", "+0612345678", "+1234", "+1234567890123456", "+33 6 12 AB 56 78", "", "+",
     "00", "call me", "+228 90 11 22 33 ext 4"],
)  # fmt: skip
def test_a_phone_number_that_is_not_e164_is_refused_without_repeating_it(raw: str) -> None:
    with pytest.raises(rules.InvalidValue, match=r"E\.164") as refused:
        rules.normalize_phone(raw)
    assert refused.value.code == "phone_invalid" and refused.value.params == {}
    assert len(raw) < 5 or raw not in str(refused.value)


@pytest.mark.parametrize(
    "raw", ["ada@example.com", "Ada.Lovelace+hotels@Example.co.uk", "zoë@exämple.de"]
)
def test_valid_email_addresses_are_kept_as_entered(raw: str) -> None:
    assert rules.normalize_email(f"  {raw} ") == raw


@pytest.mark.parametrize(
    "raw",
    ["ada", "ada@", "@example.com", "ada@example", "ada@@example.com", "ada lovelace@x.org",
     "ada@exa mple.com", "ada..l@example.com", "a" * 250 + "@example.com", "ada@-x.com"],
)  # fmt: skip
def test_malformed_email_addresses_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        rules.normalize_email(raw)


def test_addresses_differing_only_by_case_share_one_key() -> None:
    assert rules.email_key("Ada.Lovelace@Example.COM") == rules.email_key(
        "ada.lovelace@example.com"
    )


def test_nationality_is_checked_against_the_real_iso_list() -> None:
    assert len(ISO_3166_ALPHA2) == 249
    assert rules.normalize_country(" tg ") == "TG"
    for code in ("FR", "JP", "BR", "NZ", "SS", "AQ"):
        assert rules.normalize_country(code) == code
    for not_a_code in ("XX", "UK", "EU", "XK", "FRA", "F", "", "12"):
        with pytest.raises(ValueError, match="ISO 3166-1"):
            rules.normalize_country(not_a_code)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Jean-Luc  ", "Jean-Luc"), ("Mary  Ann", "Mary Ann"), ("O'Brien", "O'Brien"), ("李", "李")],
)
def test_names_are_trimmed_and_keep_any_script(raw: str, expected: str) -> None:
    assert rules.normalize_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "1234", "Ada\x00", "Ada\u200b", "x" * 101])
def test_blank_control_or_letterless_or_overlong_names_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        rules.normalize_name(raw)


def test_document_numbers_are_upper_cased_and_checked() -> None:
    assert rules.normalize_document_number(" ab 12-34 ") == "AB 12-34"
    for bad in ("", "-AB", "AB#12", "A" * 41):
        with pytest.raises(ValueError):
            rules.normalize_document_number(bad)


def test_search_folds_case_and_accents_on_both_sides() -> None:
    stored = rules.search_text("Chloé", "Müller", "Chloe.Muller@Example.fr")
    for word in rules.search_terms("CHLOE müller example.FR"):
        assert word in stored


def test_only_an_active_client_is_verified() -> None:
    assert verification_reply("c1", ClientStatus.ACTIVE) == ClientVerified(client_id="c1")
    assert verification_reply("c1", ClientStatus.BLOCKED) == ClientRejected(
        client_id="c1", reason="blocked"
    )
    assert verification_reply("c1", None) == ClientRejected(client_id="c1", reason="unknown")


def test_blocking_keeps_the_reason_and_unblocking_clears_it() -> None:
    client = register("c1", DETAILS, NOW)
    assert client.status is ClientStatus.ACTIVE and client.created_at == client.updated_at
    later = NOW + timedelta(hours=1)
    blocked = block(client, "chargeback under review", later)
    assert (blocked.status, blocked.blocked_reason, blocked.updated_at) == (
        ClientStatus.BLOCKED,
        "chargeback under review",
        later,
    )
    restored = unblock(blocked, later + timedelta(hours=1))
    assert restored.status is ClientStatus.ACTIVE and restored.blocked_reason is None
    assert restored.created_at == NOW
