"""The availability search across the group: free rooms per room type, priced."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncConnection

from rooms.adapters import catalogue, occupancy
from rooms.adapters.catalogue import SellableType
from rooms.domain.availability import Offer, free_counts, sort_offers, within_budget
from rooms.domain.destinations import Place
from rooms.domain.pricing import NotPriced, quote
from rooms.domain.stays import StayRejected, check_dates, today_at


@dataclass(frozen=True)
class AvailabilityQuery:
    where: catalogue.SearchFilter
    check_in: date
    check_out: date
    max_price: Decimal | None = None
    sort_by_price: bool = False
    place: Place = field(default_factory=Place)


class UnknownDestination(LookupError):
    """No hotel of the group is in the place searched (not the same as all of it sold out)."""

    def __init__(self, destination: str) -> None:
        super().__init__(f"No hotel of the group in {destination}.")
        self.destination = destination


class StayRefused(ValueError):
    """The stay cannot be searched at all (checked against the hotels it would match)."""

    def __init__(self, rejected: StayRejected) -> None:
        super().__init__(rejected.detail)
        self.rejected = rejected


@dataclass(frozen=True)
class Found:
    sellable: SellableType
    offer: Offer


async def search(
    db: AsyncConnection, query: AvailabilityQuery, now: datetime, max_nights: int
) -> list[Found]:
    """The offers for the stay, cheapest or by hotel. Raises `UnknownDestination` when no
    hotel of the group is in the place asked for, `StayRefused` when none of those matching
    can take the stay; a place whose hotels are full gives no offers."""
    where = replace(query.where, in_place=query.place.holds if query.place.asked else None)
    found = await catalogue.sellable_types(db, where, query.check_in, query.check_out)
    if query.place.asked and not found.place_known:
        raise UnknownDestination(query.place.asked)
    bookable = _bookable(found.types, query, now, max_nights)
    room_types_of_rooms = await catalogue.room_types_of_rooms(
        db, [s.room_type.id for s in bookable]
    )
    occupied = await occupancy.occupied_room_ids(
        db, list(room_types_of_rooms), query.check_in, query.check_out
    )
    counts = free_counts(room_types_of_rooms, occupied)
    by_type = {s.room_type.id: s for s in bookable}
    offers = []
    for sellable in bookable:
        try:
            priced = quote(
                sellable.rates,
                query.check_in,
                query.check_out,
                sellable.hotel.currency,
                sellable.night_prices,
            )
        except NotPriced:
            continue
        offer = Offer(
            sellable.hotel.id, sellable.room_type.id, counts[sellable.room_type.id], priced
        )
        if offer.available and within_budget(offer, query.max_price):
            offers.append(offer)
    return [Found(by_type[o.room_type_id], o) for o in sort_offers(offers, query.sort_by_price)]


def _bookable(
    sellables: list[SellableType], query: AvailabilityQuery, now: datetime, max_nights: int
) -> list[SellableType]:
    """The types whose hotel can take this stay; refuse the search if none of them can."""
    bookable, refusals = [], []
    for sellable in sellables:
        hotel_today = today_at(sellable.hotel.time_zone, now)
        rejected = check_dates(query.check_in, query.check_out, hotel_today, max_nights)
        if rejected is None:
            bookable.append(sellable)
        else:
            refusals.append(rejected)
    if refusals and not bookable:
        raise StayRefused(refusals[0])
    return bookable


def refusal_of_dates(check_in: date, check_out: date, max_nights: int) -> StayRejected | None:
    """What is wrong with the dates whatever the hotel (arrival is judged per hotel)."""
    return check_dates(check_in, check_out, date.min, max_nights)
