"""The demo group is a real group: many cities, six continents, local currencies and zones."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from rooms.adapters.seed import demo_rows
from rooms.adapters.seed_data import HOTELS
from rooms.adapters.tables import hotels, rates, room_types, rooms

pytestmark = pytest.mark.unit


def test_the_group_spans_six_continents_and_many_cities() -> None:
    assert len(HOTELS) >= 30
    assert len({hotel.city for hotel in HOTELS}) >= 20
    assert {hotel.continent for hotel in HOTELS} == {
        "Africa",
        "Asia",
        "Europe",
        "North America",
        "South America",
        "Oceania",
    }


def test_lome_and_paris_are_in_their_own_currency_and_zone() -> None:
    by_city = {hotel.city: hotel for hotel in HOTELS}
    assert (by_city["Lomé"].currency, by_city["Lomé"].time_zone) == ("XOF", "Africa/Lome")
    assert (by_city["Paris"].currency, by_city["Paris"].time_zone) == ("EUR", "Europe/Paris")


def test_every_time_zone_is_real_and_every_id_unique() -> None:
    for hotel in HOTELS:
        ZoneInfo(hotel.time_zone)
    rows = demo_rows()
    for table in (hotels, room_types, rooms, rates):
        ids = [row["id"] for row in rows[table]]
        assert len(ids) == len(set(ids)), table.name


def test_every_room_type_has_rooms_and_a_year_round_rate() -> None:
    rows = demo_rows()
    typed_rooms = {row["room_type_id"] for row in rows[rooms]}
    year_round = {
        row["room_type_id"]
        for row in rows[rates]
        if (row["start_month"], row["end_month"]) == (1, 12)
    }
    for room_type in rows[room_types]:
        assert room_type["id"] in typed_rooms
        assert room_type["id"] in year_round
