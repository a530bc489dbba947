"""Public booking events: CloudEvents 1.0 (structured JSON), ids only, no personal data."""

from __future__ import annotations

from typing import ClassVar, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.base import Event
from contracts.values import CurrencyCode, EntityId, Money, Stay

CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"


class PublicEvent(Event):
    """An event other systems subscribe to, published on `booking.<public_name>`."""

    public_name: ClassVar[str]


class BookingConfirmed(PublicEvent):
    message_type = "booking.BookingConfirmed.v1"
    public_name: ClassVar[str] = "confirmed"  # its routing key is `booking.confirmed`

    booking_id: EntityId
    reservation_id: EntityId
    confirmation_code: str
    client_id: EntityId
    agency_id: EntityId
    hotel_id: EntityId
    room_type_id: EntityId
    stay: Stay
    total: Money
    currency: CurrencyCode


class BookingFailed(PublicEvent):
    message_type = "booking.BookingFailed.v1"
    public_name: ClassVar[str] = "failed"  # its routing key is `booking.failed`

    booking_id: EntityId
    agency_id: EntityId
    hotel_id: EntityId
    reason: str = Field(max_length=500)


class BookingCancelled(PublicEvent):
    message_type = "booking.BookingCancelled.v1"
    public_name: ClassVar[str] = "cancelled"  # its routing key is `booking.cancelled`

    booking_id: EntityId
    agency_id: EntityId
    hotel_id: EntityId
    reason: str = Field(max_length=500)


class BookingChanged(PublicEvent):
    """A confirmed booking now has other dates, another room type or another number of
    guests; its confirmation code is the same."""

    message_type = "booking.BookingChanged.v1"
    public_name: ClassVar[str] = "changed"  # its routing key is `booking.changed`

    booking_id: EntityId
    change_id: EntityId
    agency_id: EntityId
    hotel_id: EntityId
    room_type_id: EntityId
    stay: Stay
    guests: int
    total: Money
    currency: CurrencyCode


PUBLIC_EVENTS: tuple[type[PublicEvent], ...] = (
    BookingConfirmed,
    BookingFailed,
    BookingCancelled,
    BookingChanged,
)

DataT = TypeVar("DataT", bound=Event)


class CloudEvent(BaseModel, Generic[DataT]):
    """The structured-mode CloudEvents 1.0 wrapper of a public event."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str
    type: str
    subject: str
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: DataT
