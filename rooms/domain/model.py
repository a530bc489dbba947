"""The catalogue as the domain sees it: plain values read from the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Continent(StrEnum):
    AFRICA = "Africa"
    ASIA = "Asia"
    EUROPE = "Europe"
    NORTH_AMERICA = "North America"
    SOUTH_AMERICA = "South America"
    OCEANIA = "Oceania"


class HoldStatus(StrEnum):
    HELD = "HELD"
    CONFIRMED = "CONFIRMED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"
    # A change's hold whose nights were handed to the booking it changed (MoveBooking): it
    # owns no nights any more, and nothing can be done to it.
    MOVED = "MOVED"
    # Not a guest's hold: the hotel took the nights off sale (maintenance, stop-sell). It owns
    # its nights until the hotel reopens them; no saga command, sweep or release frees them.
    CLOSED = "CLOSED"


@dataclass(frozen=True)
class Hotel:
    id: str
    name: str
    city: str
    country: str
    time_zone: str
    currency: str


@dataclass(frozen=True)
class RoomType:
    id: str
    hotel_id: str
    name: str
    capacity: int


@dataclass(frozen=True)
class Rate:
    """A nightly rate for the months `start_month`..`end_month` (inclusive, may wrap the year).

    The narrowest season covering a night wins, so a year-round base rate and a summer
    rate can sit side by side.
    """

    start_month: int
    end_month: int
    weekday_price: Decimal
    weekend_price: Decimal

    def covers(self, night: date) -> bool:
        if self.start_month <= self.end_month:
            return self.start_month <= night.month <= self.end_month
        return night.month >= self.start_month or night.month <= self.end_month

    @property
    def months(self) -> int:
        return (self.end_month - self.start_month) % 12 + 1
