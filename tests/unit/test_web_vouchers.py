# ruff: noqa: RUF001 (French typography: its apostrophe is meant)
"""The voucher's pure parts: the cancellation terms (time zones, changes of the clocks), money,
dates and zones per locale, the voucher's content in each language, and its page and PDF."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from web.vouchers.formats import money, wall_clock, zone_label
from web.vouchers.html import voucher_page
from web.vouchers.model import NotConfirmed, voucher
from web.vouchers.pdf import voucher_pdf
from web.vouchers.terms import (
    FIRST_NIGHT_CHARGED,
    FREE_UNTIL,
    cancellation,
    free_until,
    terms_for,
)

pytestmark = pytest.mark.unit
NBSP, NNBSP = "\u00a0", "\u202f"
LOME = {
    "id": "lome-lagune",
    "name": "Hôtel de la Lagune",
    "address": "12 Boulevard du Mono",
    "city": "Lomé",
    "country": "TG",
    "phone": "+228 22 21 45 67",
    "time_zone": "Africa/Lome",
    "currency": "XOF",
    "check_in_time": "14:00",
    "check_out_time": "11:00",
    "free_cancellation_hours": 48,
}
PRICES = [{"night": "2027-01-23", "price": "74750"}, {"night": "2027-01-22", "price": "65000"}]


def booking(**changes: Any) -> dict[str, Any]:
    terms = terms_for(LOME, date(2027, 1, 22), PRICES, "XOF")
    return {
        "status": "CONFIRMED",
        "reservation": {"confirmation_code": "K7M3QX9B", "total": "139750", "currency": "XOF"},
        "hotel": LOME,
        "check_in": "2027-01-22",
        "check_out": "2027-01-24",
        "nightly_prices": sorted(PRICES, key=lambda p: p["night"]),
        "client_name": "Ama Mensah",
        "room_type": "Standard Double",
        "guests": 2,
        "cancellation": cancellation(terms, datetime(2026, 12, 1, tzinfo=UTC)),
    } | changes


def test_free_cancellation_ends_so_many_hours_before_check_in_in_the_hotels_zone() -> None:
    until = free_until(date(2027, 7, 10), "15:00", "Europe/Paris", 48)
    assert until.isoformat() == "2027-07-08T15:00:00+02:00"
    tokyo = free_until(date(2027, 1, 5), "15:00", "Asia/Tokyo", 72)
    assert tokyo.isoformat() == "2027-01-02T15:00:00+09:00"


def test_the_hours_are_real_hours_across_a_change_of_the_clocks() -> None:
    # Paris moves to summer time on 28 March 2027: 48 hours before 15:00 on the 29th is 14:00
    # on the 27th, still winter time.
    until = free_until(date(2027, 3, 29), "15:00", "Europe/Paris", 48)
    assert until.isoformat() == "2027-03-27T14:00:00+01:00"


def test_before_the_deadline_cancelling_is_free_after_it_the_first_night_is_charged() -> None:
    terms = terms_for(LOME, date(2027, 1, 22), PRICES, "XOF")
    before, after = datetime(2027, 1, 20, 13, 59, tzinfo=UTC), datetime(2027, 1, 20, 14, tzinfo=UTC)

    assert cancellation(terms, before) == {
        "free_until": "2027-01-20T14:00:00+00:00",
        "terms_code": FREE_UNTIL,
        "terms_params": {
            "free_until": "2027-01-20T14:00:00+00:00",
            "time_zone": "Africa/Lome",
            "amount": "65000",  # the first night, whatever order the prices came in
            "currency": "XOF",
        },
    }
    assert cancellation(terms, after)["terms_code"] == FIRST_NIGHT_CHARGED
    assert cancellation(terms, after)["terms_params"] == {"amount": "65000", "currency": "XOF"}
    assert cancellation(None, after) == {"free_until": None, "terms_code": None, "terms_params": {}}


def test_money_is_written_as_each_locale_writes_it() -> None:
    assert money(Decimal("65000"), "XOF", "fr") == f"65{NNBSP}000{NBSP}F{NNBSP}CFA"
    assert money(Decimal("65000"), "XOF", "en") == f"F{NNBSP}CFA{NBSP}65,000"
    assert money(Decimal("210.5"), "EUR", "fr") == f"210,50{NBSP}€"
    assert money(Decimal("210.5"), "EUR", "en") == "€210.50"
    assert money(Decimal("28000"), "JPY", "en") == "JP¥28,000"
    assert money(Decimal("185000"), "NGN", "en") == f"NGN{NBSP}185,000.00"


def test_a_time_says_its_zone_and_that_days_offset() -> None:
    assert zone_label("Europe/Paris", datetime(2027, 1, 1, tzinfo=UTC)) == "Europe/Paris, UTC+01:00"
    assert zone_label("Europe/Paris", datetime(2027, 7, 1, tzinfo=UTC)) == "Europe/Paris, UTC+02:00"
    assert zone_label("Asia/Kolkata", datetime(2027, 7, 1, tzinfo=UTC)).endswith("UTC+05:30")
    assert zone_label("America/St_Johns", datetime(2027, 1, 1, tzinfo=UTC)).endswith("-03:30")
    summer = wall_clock(date(2027, 7, 1), "15:00", "America/New_York", "en")
    assert summer == "15:00 (America/New_York, UTC-04:00)"


def test_the_voucher_says_everything_in_french() -> None:
    made = voucher(booking(), "fr")

    rows = {row.label: row.value for row in made.rows}
    assert (made.title, made.code.value) == ("Bon d’échange", "K7M3QX9B")
    assert rows["Client"] == "Ama Mensah"
    assert rows["Adresse"] == "12 Boulevard du Mono, Lomé, Togo"
    assert rows["Séjour"] == "du vendredi 22 janvier 2027 au dimanche 24 janvier 2027 (2 nuits)"
    assert rows["Arrivée"] == "à partir de 14:00 (Africa/Lome, UTC+00:00)"
    assert rows["Départ"] == "jusqu’à 11:00 (Africa/Lome, UTC+00:00)"
    assert rows["Voyageurs"] == "2 personnes"
    assert [n.label for n in made.nights] == ["vendredi 22 janvier 2027", "samedi 23 janvier 2027"]
    assert made.total.value == f"139{NNBSP}750{NBSP}F{NNBSP}CFA"
    assert made.terms == (
        "Annulation gratuite jusqu’au mercredi 20 janvier 2027 à 14:00 (Africa/Lome, "
        f"UTC+00:00). Passé ce délai, la première nuit (65{NNBSP}000{NBSP}F{NNBSP}CFA) est "
        "facturée."
    )


def test_the_voucher_says_everything_in_english_and_counts_one_night_as_one() -> None:
    made = voucher(booking(check_out="2027-01-23", guests=1), "en")

    rows = {row.label: row.value for row in made.rows}
    assert rows["Stay"] == "Friday, 22 January 2027 to Saturday, 23 January 2027 (1 night)"
    assert rows["Guests"] == "1 person"
    assert made.terms.startswith("Free cancellation until Wednesday, 20 January 2027 at 14:00")


def test_a_booking_that_is_not_confirmed_has_no_voucher() -> None:
    for status in ("FAILED", "CANCELLED", "PENDING"):
        with pytest.raises(NotConfirmed):
            voucher(booking(status=status), "en")
    with pytest.raises(NotConfirmed):
        voucher(booking(reservation=None), "en")


def test_the_page_escapes_what_people_typed_and_prints_on_its_own() -> None:
    page = voucher_page(voucher(booking(client_name="<script>alert(1)</script>"), "fr"))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert '<html lang="fr">' in page and "@media print" in page and "K7M3QX9B" in page


def test_the_pdf_holds_every_letter_and_currency_sign_it_was_given() -> None:
    guest = "Ольга Çelik-Nguyễn"
    made = voucher(booking(client_name=guest), "fr")

    content = voucher_pdf(made)

    assert content.startswith(b"%PDF-")
    text = re.sub(r"[\s\u00a0\u202f]+", " ", PdfReader(io.BytesIO(content)).pages[0].extract_text())
    assert guest in text and "K7M3QX9B" in text and "Total 139 750 F CFA" in text
    assert "+228 22 21 45 67" in text and "Conditions d’annulation" in text
