"""Dates, times and money as a voucher says them, per locale (CLDR data through Babel), the way
the apps' Intl formats do. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_currency, get_currency_symbol

Lang = Literal["en", "fr"]
LOCALES: dict[Lang, str] = {"en": "en_GB", "fr": "fr_FR"}
_AT: dict[Lang, str] = {"en": " at ", "fr": " à "}  # a day and its time
NO_BREAK = "\u00a0"


def money(amount: Decimal, currency: str, lang: Lang) -> str:
    """`€210.00`, `65 000 F CFA`: the currency's own digits (none for XOF or JPY)."""
    locale = LOCALES[lang]
    text = format_currency(amount, currency, locale=locale)
    # CLDR's currency spacing, which Babel leaves out: a symbol ending in a letter ("F CFA",
    # "NGN") is kept apart from the digits, as Intl.NumberFormat does.
    symbol = get_currency_symbol(currency, locale)
    rest = text.removeprefix(symbol)
    if rest != text and symbol[-1:].isalpha() and rest[:1].isdigit():
        return symbol + NO_BREAK + rest
    return text


def long_date(day: date, lang: Lang) -> str:
    """`Friday, 22 January 2027`, `vendredi 22 janvier 2027`."""
    return format_date(day, "full", locale=LOCALES[lang])


def clock(moment: time, lang: Lang) -> str:
    return format_time(moment, "short", locale=LOCALES[lang])


def zone_label(zone: str, at: datetime) -> str:
    """`Europe/Paris, UTC+01:00`: the zone's name and its offset at that moment."""
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{zone}, UTC{sign}{hours:02d}:{rest:02d}"


def wall_clock(day: date, hh_mm: str, zone: str, lang: Lang) -> str:
    """A hotel's time on a day of a stay with its zone: `15:00 (Europe/Paris, UTC+01:00)`."""
    moment = local_moment(day, hh_mm, zone)
    return f"{clock(moment.time(), lang)} ({zone_label(zone, moment)})"


def moment_in_zone(instant: datetime, zone: str, lang: Lang) -> str:
    """`Wednesday, 20 January 2027 at 15:00 (Europe/Paris, UTC+01:00)`."""
    local = instant.astimezone(ZoneInfo(zone))
    day = long_date(local.date(), lang)
    return f"{day}{_AT[lang]}{clock(local.time(), lang)} ({zone_label(zone, local)})"


def local_moment(day: date, hh_mm: str, zone: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hh_mm), ZoneInfo(zone))


def utc_now() -> datetime:
    return datetime.now(UTC)
