"""What the HTTP API returns: reservations as JSON, amounts as exact decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from reservations.domain.model import PastVersion, Replacement, Reservation, ReservationStatus


class HotelView(BaseModel):
    id: str
    name: str


class RoomView(BaseModel):
    room_type_id: str
    room_type_name: str
    room_id: str
    room_number: str


class StayView(BaseModel):
    check_in: date
    check_out: date
    nights: int


class NightPriceView(BaseModel):
    night: date
    price: Decimal


class StatusChangeView(BaseModel):
    status: ReservationStatus
    at: datetime
    reason: str | None


class PastVersionView(BaseModel):
    """A version the reservation had before a change, or the revert of one, replaced it."""

    version: int
    room: RoomView
    stay: StayView
    guests: int
    nightly_prices: list[NightPriceView]
    total: Decimal
    currency: str
    replaced_by: str  # the change (its saga id)
    replacement: Replacement
    replaced_at: datetime
    reason: str | None

    @classmethod
    def of(cls, past: PastVersion) -> PastVersionView:
        return cls(
            version=past.version,
            room=RoomView(**vars(past.room)),
            stay=StayView(check_in=past.check_in, check_out=past.check_out, nights=past.nights),
            guests=past.guests,
            nightly_prices=[NightPriceView(**vars(price)) for price in past.nightly_prices],
            total=past.total,
            currency=past.currency,
            replaced_by=past.replaced_by,
            replacement=past.replacement,
            replaced_at=past.replaced_at,
            reason=past.reason,
        )


class ReservationView(BaseModel):
    id: str
    confirmation_code: str
    saga_id: str
    client_id: str
    agency_id: str
    hotel: HotelView
    room: RoomView
    stay: StayView
    guests: int
    nightly_prices: list[NightPriceView]
    total: Decimal
    currency: str
    status: ReservationStatus
    status_history: list[StatusChangeView]
    created_at: datetime
    updated_at: datetime
    version: int
    changed_by: str | None  # the change (its saga id) that wrote this version, if one did
    history: list[PastVersionView]  # the versions before this one, oldest first

    @classmethod
    def of(cls, reservation: Reservation) -> ReservationView:
        return cls(
            id=reservation.reservation_id,
            confirmation_code=reservation.confirmation_code,
            saga_id=reservation.saga_id,
            client_id=reservation.client_id,
            agency_id=reservation.agency_id,
            hotel=HotelView(id=reservation.hotel.hotel_id, name=reservation.hotel.name),
            room=RoomView(**vars(reservation.room)),
            stay=StayView(
                check_in=reservation.check_in,
                check_out=reservation.check_out,
                nights=reservation.nights,
            ),
            guests=reservation.guests,
            nightly_prices=[NightPriceView(**vars(price)) for price in reservation.nightly_prices],
            total=reservation.total,
            currency=reservation.currency,
            status=reservation.status,
            status_history=[StatusChangeView(**vars(c)) for c in reservation.status_history],
            created_at=reservation.created_at,
            updated_at=reservation.updated_at,
            version=reservation.version,
            changed_by=reservation.changed_by,
            history=[PastVersionView.of(past) for past in reservation.history],
        )


class ReservationPage(BaseModel):
    items: list[ReservationView]
    total: int
    limit: int
    offset: int
