"""Availability: which rooms are free for every night of a stay, and the search offers."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rooms.domain.pricing import Quote


def free_rooms(room_ids: Iterable[str], occupied_room_ids: Collection[str]) -> list[str]:
    return [room_id for room_id in room_ids if room_id not in occupied_room_ids]


def candidate_order(free_room_ids: Sequence[str], rng: random.Random | None = None) -> list[str]:
    """Free rooms in the order a hold tries them.

    Shuffled so that concurrent holds on the same type spread over the free rooms instead
    of all racing for the first one.
    """
    ordered = list(free_room_ids)
    (rng or random).shuffle(ordered)
    return ordered


def free_counts(
    room_types_of_rooms: Mapping[str, str], occupied_room_ids: Collection[str]
) -> Counter[str]:
    """How many rooms of each type are free (room id -> its type, rooms taken on any night)."""
    return Counter(
        room_type_id
        for room_id, room_type_id in room_types_of_rooms.items()
        if room_id not in occupied_room_ids
    )


@dataclass(frozen=True)
class Offer:
    hotel_id: str
    room_type_id: str
    available: int
    quote: Quote


def within_budget(offer: Offer, max_price: Decimal | None) -> bool:
    """`max_price` bounds the highest nightly price of the stay."""
    if max_price is None:
        return True
    return all(price <= max_price for _, price in offer.quote.nightly_prices)


def sort_offers(offers: Iterable[Offer], by_price: bool) -> list[Offer]:
    if by_price:
        return sorted(offers, key=lambda o: (o.quote.total, o.hotel_id, o.room_type_id))
    return sorted(offers, key=lambda o: (o.hotel_id, o.room_type_id))
