"""What the HTTP API returns: reservations as JSON, amounts as exact decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from reservations.domain.model import Reservation, ReservationStatus


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
        )


class ReservationPage(BaseModel):
    items: list[ReservationView]
    total: int
    limit: int
    offset: int
