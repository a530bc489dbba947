"""A booking's page (`GET /api/bookings/{id}`): its view as the person may see it, with the
nightly prices, the hotel, the cancellation terms and what happened, in codes. Pure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from web.booking_history import history_lines
from web.catalogue import hotel_card
from web.vouchers.terms import cancellation, terms_for


def booking_page(
    view: dict[str, Any], saga: dict[str, Any], hotel: dict[str, Any] | None, now: datetime
) -> dict[str, Any]:
    """`view`: the booking's view as shown to the person (names filled in); `saga`: the stored
    saga with its history; `hotel`: the booking's hotel in the catalogue, if it is there."""
    data = saga.get("data") or {}
    prices = [
        {"night": str(price["night"]), "price": str(price["price"])}
        for price in data.get("nightly_prices") or ()
    ]
    terms = None
    if hotel is not None and hotel.get("time_zone") and view.get("check_in"):
        currency = data.get("currency") or hotel.get("currency")
        terms = terms_for(hotel, date.fromisoformat(view["check_in"]), prices, currency)
    return view | {
        "nightly_prices": prices,
        "hotel": hotel_card(hotel),
        "cancellation": cancellation(terms, now),
        "history": history_lines(saga.get("history") or ()),
    }
