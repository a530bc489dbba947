# ruff: noqa: RUF001 (French typography: its apostrophe is meant)
"""A confirmed booking's voucher through the public API on the running platform: the PDF, read
back by a real PDF text extractor (pypdf), and the printable page say the confirmation code,
the guest, the hotel's address and phone, the stay, the check-in and check-out times in the
hotel's zone, the total in the hotel's currency and the cancellation terms, in French and in
English; a booking that is not confirmed has none, and nobody else's voucher is reachable."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.e2e.agent_client import AgentClient, stay
from tests.support.platform import Platform

pytestmark = pytest.mark.e2e


async def confirmed(agent: AgentClient, hotel_id: str, offset_days: int) -> dict[str, Any]:
    check_in, check_out = stay(offset_days)
    offers = await agent.availability(check_in, check_out, hotel_id=hotel_id, guests=2)
    response = await agent.book_offer(offers[0], await agent.new_client(), check_in, check_out, 2)
    assert response.status_code == 202, response.text
    booking = await agent.outcome(response.json()["booking_id"])
    assert booking["status"] == "CONFIRMED", booking
    return booking


async def pdf_text(agent: AgentClient, booking_id: str, lang: str) -> str:
    response = await agent.http.get(
        f"/api/bookings/{booking_id}/voucher.pdf", params={"lang": lang}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return plain(" ".join(page.extract_text() for page in reader.pages))


def plain(text: str) -> str:
    """Every kind of space (no-break ones included) as one plain space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def offset(day: date, at: str, zone: str) -> str:
    moment = datetime.combine(day, time.fromisoformat(at), ZoneInfo(zone))
    minutes = int(moment.utcoffset().total_seconds()) // 60  # type: ignore[union-attr]
    return f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def euros(amount: Decimal, lang: str) -> str:
    english = f"{amount:,.2f}"
    if lang == "en":
        return f"€{english}"
    return english.replace(",", " ").replace(".", ",") + " €"


async def test_the_voucher_pdf_says_everything_the_hotel_needs_in_french_and_english(
    agent: AgentClient,
) -> None:
    booking = await confirmed(agent, "paris-lumiere", 420)
    page = await agent.booking(booking["booking_id"])
    code = booking["reservation"]["confirmation_code"]
    total = Decimal(booking["reservation"]["total"])
    check_in = date.fromisoformat(booking["check_in"])
    check_out = date.fromisoformat(booking["check_out"])
    arrival_zone = f"Europe/Paris, {offset(check_in, '15:00', 'Europe/Paris')}"
    departure_zone = f"Europe/Paris, {offset(check_out, '11:00', 'Europe/Paris')}"

    french = await pdf_text(agent, booking["booking_id"], "fr")
    english = await pdf_text(agent, booking["booking_id"], "en")

    for text in (french, english):
        assert code in text
        assert page["client_name"] in text
        assert "18 Rue de Rivoli, Paris, France" in text
        assert "+33 1 42 60 18 18" in text
        assert "Hôtel Lumière" in text
    assert "Bon d’échange" in french
    assert f"à partir de 15:00 ({arrival_zone})" in french
    assert f"jusqu’à 11:00 ({departure_zone})" in french
    assert f"Total {euros(total, 'fr')}" in french
    assert "Annulation gratuite jusqu’au " in french and "première nuit" in french
    assert "Booking voucher" in english
    assert f"from 15:00 ({arrival_zone})" in english
    assert f"until 11:00 ({departure_zone})" in english
    assert f"Total {euros(total, 'en')}" in english
    assert "Free cancellation until " in english and "the first night" in english
    assert "Check-in" not in french and "Arrivée" not in english


async def test_a_voucher_in_west_african_francs_shows_the_cfa_franc(agent: AgentClient) -> None:
    booking = await confirmed(agent, "lome-lagune", 421)
    total = Decimal(booking["reservation"]["total"])
    assert total == total.to_integral_value(), "CFA francs have no cents"

    french = await pdf_text(agent, booking["booking_id"], "fr")
    english = await pdf_text(agent, booking["booking_id"], "en")

    assert f"Total {int(total):,} F CFA".replace(",", " ") in french
    assert f"Total F CFA {int(total):,}" in english
    assert "+228 22 21 45 67" in french and "Lomé, Togo" in french
    assert "(Africa/Lome, UTC+00:00)" in english


async def test_the_printable_voucher_is_a_page_of_its_own(agent: AgentClient) -> None:
    booking = await confirmed(agent, "paris-montmartre", 422)

    response = await agent.http.get(
        f"/api/bookings/{booking['booking_id']}/voucher", params={"lang": "fr"}
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src" not in response.headers["content-security-policy"]
    html = response.text
    assert '<html lang="fr">' in html and "@media print" in html
    assert booking["reservation"]["confirmation_code"] in html
    assert "+33 1 46 06 72 19" in html and "7 Rue Lepic" in html


async def test_only_a_confirmed_booking_has_a_voucher_and_only_for_those_who_see_it(
    agent: AgentClient, platform: Platform
) -> None:
    check_in, check_out = stay(423)
    offers = await agent.availability(check_in, check_out, hotel_id="paris-lumiere", guests=2)
    submitted = await agent.book_offer(offers[0], "no-such-client", check_in, check_out, 2)
    failed = await agent.outcome(submitted.json()["booking_id"])
    booking = await confirmed(agent, "paris-lumiere", 424)

    refused = [
        await agent.http.get(f"/api/bookings/{failed['booking_id']}/{path}")
        for path in ("voucher", "voucher.pdf")
    ]
    async with AgentClient.signed_in(platform.url("web"), "dakar.agent1", "agent-demo") as other:
        hidden = await other.http.get(f"/api/bookings/{booking['booking_id']}/voucher.pdf")
    async with AgentClient.signed_in(platform.url("web"), "hotels.paris", "hotel-demo") as hotel:
        for_the_hotel = await hotel.http.get(f"/api/bookings/{booking['booking_id']}/voucher")
    english = await agent.http.get(f"/api/bookings/{booking['booking_id']}/voucher")
    unknown_language = await agent.http.get(
        f"/api/bookings/{booking['booking_id']}/voucher", params={"lang": "de"}
    )

    assert failed["status"] == "FAILED"
    for answer in refused:
        assert answer.status_code == 409, answer.text
        assert answer.json()["code"] == "voucher.not_confirmed"
        assert answer.json()["params"] == {"status": "FAILED"}
    assert hidden.status_code == 404 and hidden.json()["code"] == "booking.not_found"
    assert for_the_hotel.status_code == 200, "a hotel manager sees the booking, and its guest"
    assert '<html lang="en">' in english.text, "English unless asked otherwise"
    assert unknown_language.status_code == 422
