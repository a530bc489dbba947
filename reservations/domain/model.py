"""A reservation: the booking's record, with its status and the history of that status."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class ReservationStatus(StrEnum):
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class StatusChange:
    status: ReservationStatus
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class HotelSnapshot:
    """The hotel as it was when booked, so a later rename does not rewrite the record."""

    hotel_id: str
    name: str


@dataclass(frozen=True)
class RoomSnapshot:
    room_type_id: str
    room_type_name: str
    room_id: str
    room_number: str


@dataclass(frozen=True)
class NightPrice:
    night: date
    price: Decimal


@dataclass(frozen=True)
class Reservation:
    reservation_id: str
    confirmation_code: str
    saga_id: str
    client_id: str
    agency_id: str
    hotel: HotelSnapshot
    room: RoomSnapshot
    check_in: date
    check_out: date
    guests: int
    nightly_prices: tuple[NightPrice, ...]
    total: Decimal
    currency: str
    status: ReservationStatus
    status_history: tuple[StatusChange, ...]
    created_at: datetime
    updated_at: datetime

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def cancelled(self, reason: str, at: datetime) -> Reservation:
        """This reservation cancelled; cancelling a cancelled one changes nothing."""
        if self.status is ReservationStatus.CANCELLED:
            return self
        change = StatusChange(ReservationStatus.CANCELLED, at, reason)
        return replace(
            self,
            status=ReservationStatus.CANCELLED,
            status_history=(*self.status_history, change),
            updated_at=at,
        )
