"""Availability: free rooms, search offers, budget and sorting."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from rooms.domain.availability import (
    Offer,
    candidate_order,
    free_counts,
    free_rooms,
    sort_offers,
    within_budget,
)
from rooms.domain.pricing import Quote

pytestmark = pytest.mark.unit


def offer(hotel_id: str, total: str, nightly: tuple[str, ...] = ("1",)) -> Offer:
    prices = tuple((date(2027, 1, 1 + i), Decimal(p)) for i, p in enumerate(nightly))
    return Offer(hotel_id, f"{hotel_id}-double", 1, Quote(prices, Decimal(total), "EUR"))


def test_a_room_taken_on_any_night_is_not_free() -> None:
    assert free_rooms(["r1", "r2", "r3"], {"r2"}) == ["r1", "r3"]


def test_free_rooms_are_counted_per_type() -> None:
    types_of_rooms = {"a1": "a", "a2": "a", "b1": "b", "c1": "c"}
    counts = free_counts(types_of_rooms, {"a2", "c1"})
    assert counts["a"] == 1 and counts["b"] == 1 and counts["c"] == 0


def test_candidates_are_every_free_room_once_in_some_order() -> None:
    order = candidate_order(["r1", "r2", "r3", "r4"], random.Random(7))
    assert sorted(order) == ["r1", "r2", "r3", "r4"]


def test_max_price_bounds_every_nightly_price() -> None:
    cheap = offer("h1", "200", ("100", "100"))
    one_dear_night = offer("h2", "210", ("90", "120"))
    assert within_budget(cheap, Decimal("100"))
    assert not within_budget(one_dear_night, Decimal("100"))
    assert within_budget(one_dear_night, None)


def test_offers_sort_by_total_or_by_hotel() -> None:
    offers = [offer("h2", "300"), offer("h1", "500"), offer("h3", "100")]
    assert [o.hotel_id for o in sort_offers(offers, by_price=True)] == ["h3", "h2", "h1"]
    assert [o.hotel_id for o in sort_offers(offers, by_price=False)] == ["h1", "h2", "h3"]
