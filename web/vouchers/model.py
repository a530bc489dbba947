"""What a voucher says, assembled from a booking's page (`GET /api/bookings/{id}`) in one
language: every value already written out as the reader reads it. Pure: the page and the
PDF only lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import Locale

from web.vouchers.formats import LOCALES, Lang, long_date, moment_in_zone, money, wall_clock
from web.vouchers.texts import counted, text


class NotConfirmed(ValueError):
    """Only a confirmed booking has a voucher."""


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Voucher:
    lang: Lang
    title: str
    intro: str
    code: Row
    rows: tuple[Row, ...]  # the guest, the hotel, the stay, the room
    times_note: str
    prices_heading: str
    prices_columns: Row  # the headings of the nights' table
    nights: tuple[Row, ...]  # each night and its price
    total: Row
    currency_note: str
    terms_heading: str
    terms: str


def voucher(booking: dict[str, Any], lang: Lang) -> Voucher:
    """The voucher of a confirmed booking as its page describes it."""
    reservation = booking.get("reservation")
    if booking.get("status") != "CONFIRMED" or not reservation:
        raise NotConfirmed(booking.get("status"))
    hotel: dict[str, Any] = booking.get("hotel") or {}
    currency = str(reservation.get("currency") or hotel.get("currency") or "")
    check_in = date.fromisoformat(booking["check_in"])
    check_out = date.fromisoformat(booking["check_out"])
    nights = [
        Row(_night(night["night"], lang), _money(night["price"], currency, lang))
        for night in booking.get("nightly_prices") or ()
    ]
    guest = booking.get("client_name") or booking.get("guest_name")
    return Voucher(
        lang=lang,
        title=text(lang, "title"),
        intro=text(lang, "intro"),
        code=Row(text(lang, "confirmation_code"), str(reservation["confirmation_code"])),
        rows=(
            Row(text(lang, "guest"), _given(guest)),
            Row(text(lang, "hotel"), _given(hotel.get("name") or booking.get("hotel_name"))),
            Row(text(lang, "address"), _address(hotel, lang)),
            Row(text(lang, "phone"), _given(hotel.get("phone"))),
            Row(text(lang, "stay"), _stay(check_in, check_out, lang)),
            Row(text(lang, "check_in"), _time(hotel, "check_in_time", check_in, lang)),
            Row(text(lang, "check_out"), _time(hotel, "check_out_time", check_out, lang)),
            Row(text(lang, "room_type"), _given(booking.get("room_type"))),
            Row(text(lang, "guests"), counted(lang, "guests", int(booking.get("guests") or 0))),
        ),
        times_note=text(lang, "times_note"),
        prices_heading=text(lang, "prices"),
        prices_columns=Row(text(lang, "night"), text(lang, "price")),
        nights=tuple(nights),
        total=Row(text(lang, "total"), _money(reservation.get("total"), currency, lang)),
        currency_note=text(lang, "currency_note", currency=currency),
        terms_heading=text(lang, "cancellation"),
        terms=terms_sentence(booking.get("cancellation") or {}, lang),
    )


def terms_sentence(cancellation: dict[str, Any], lang: Lang) -> str:
    code, params = cancellation.get("terms_code"), cancellation.get("terms_params") or {}
    if code is None:
        return text(lang, "terms.unknown")
    amount = _money(params.get("amount"), str(params.get("currency") or ""), lang)
    if code == "terms.free_until":
        until = datetime.fromisoformat(params["free_until"])
        free_until = moment_in_zone(until, params["time_zone"], lang)
        return text(lang, code, free_until=free_until, amount=amount)
    return text(lang, code, amount=amount)


def _stay(check_in: date, check_out: date, lang: Lang) -> str:
    dates = text(
        lang, "stay_value", check_in=long_date(check_in, lang), check_out=long_date(check_out, lang)
    )
    return f"{dates} ({counted(lang, 'nights', (check_out - check_in).days)})"


def _night(night: Any, lang: Lang) -> str:
    return long_date(date.fromisoformat(str(night)), lang)


def _time(hotel: dict[str, Any], field: str, day: date, lang: Lang) -> str:
    if not hotel.get(field) or not hotel.get("time_zone"):
        return text(lang, "not_given")
    moment = wall_clock(day, hotel[field], hotel["time_zone"], lang)
    return text(lang, f"{field.removesuffix('_time')}_value", time=moment)


def _address(hotel: dict[str, Any], lang: Lang) -> str:
    country = Locale.parse(LOCALES[lang]).territories.get(hotel.get("country") or "")
    parts = (hotel.get("address"), hotel.get("city"), country or hotel.get("country"))
    return ", ".join(str(part) for part in parts if part) or text(lang, "not_given")


def _money(amount: Any, currency: str, lang: Lang) -> str:
    if amount is None or not currency:
        return text(lang, "not_given")
    return money(Decimal(str(amount)), currency, lang)


def _given(value: Any) -> str:
    return str(value) if value else "—"
