# ruff: noqa: E501, RUF001
"""The demo group: real cities on six continents, each hotel in its own currency and zone.

Columns: id, name, address, city, country, continent, time zone, currency, stars,
base nightly price of a standard room (local currency), high-season months.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class SeedHotel(NamedTuple):
    id: str
    name: str
    address: str
    city: str
    country: str
    continent: str
    time_zone: str
    currency: str
    stars: int
    base_price: Decimal
    high_season: tuple[int, int]


NORTH_SUMMER = (6, 8)
SOUTH_SUMMER = (12, 2)
DRY_SEASON = (11, 3)

# A table reads best one hotel per line.
# fmt: off
HOTELS: tuple[SeedHotel, ...] = tuple(
    SeedHotel(*row[:9], Decimal(row[9]), row[10])
    for row in (
        ("lome-lagune", "Hôtel de la Lagune", "12 Boulevard du Mono", "Lomé", "TG", "Africa", "Africa/Lome", "XOF", 4, "65000", DRY_SEASON),
        ("lome-sarakawa", "Sarakawa Beach", "Boulevard du Mono 1", "Lomé", "TG", "Africa", "Africa/Lome", "XOF", 5, "98000", DRY_SEASON),
        ("dakar-almadies", "Almadies Ocean", "Route des Almadies", "Dakar", "SN", "Africa", "Africa/Dakar", "XOF", 4, "72000", DRY_SEASON),
        ("lagos-ikoyi", "Ikoyi Court", "4 Bourdillon Road", "Lagos", "NG", "Africa", "Africa/Lagos", "NGN", 4, "185000", DRY_SEASON),
        ("nairobi-karura", "Karura Lodge", "Limuru Road 220", "Nairobi", "KE", "Africa", "Africa/Nairobi", "KES", 4, "21000", NORTH_SUMMER),
        ("capetown-bay", "Table Bay Rooms", "3 Dock Road", "Cape Town", "ZA", "Africa", "Africa/Johannesburg", "ZAR", 5, "3900", SOUTH_SUMMER),
        ("marrakesh-riad", "Riad des Jardins", "Derb Sidi Bouamar 9", "Marrakesh", "MA", "Africa", "Africa/Casablanca", "MAD", 4, "1600", (3, 5)),
        ("cairo-nile", "Nile Terrace", "1113 Corniche El Nil", "Cairo", "EG", "Africa", "Africa/Cairo", "EGP", 5, "6500", DRY_SEASON),
        ("paris-lumiere", "Hôtel Lumière", "18 Rue de Rivoli", "Paris", "FR", "Europe", "Europe/Paris", "EUR", 4, "210", NORTH_SUMMER),
        ("paris-montmartre", "Montmartre Atelier", "7 Rue Lepic", "Paris", "FR", "Europe", "Europe/Paris", "EUR", 3, "145", NORTH_SUMMER),
        ("london-thames", "Thames Wharf", "22 Bankside", "London", "GB", "Europe", "Europe/London", "GBP", 4, "230", NORTH_SUMMER),
        ("berlin-spree", "Spree Quartier", "Friedrichstraße 101", "Berlin", "DE", "Europe", "Europe/Berlin", "EUR", 4, "150", (5, 9)),
        ("lisbon-alfama", "Casa Alfama", "Rua de São Miguel 5", "Lisbon", "PT", "Europe", "Europe/Lisbon", "EUR", 3, "120", NORTH_SUMMER),
        ("zurich-see", "Seehof Zürich", "Utoquai 41", "Zurich", "CH", "Europe", "Europe/Zurich", "CHF", 5, "340", (12, 2)),
        ("istanbul-bosphorus", "Bosphorus House", "Çırağan Caddesi 32", "Istanbul", "TR", "Europe", "Europe/Istanbul", "TRY", 4, "5200", NORTH_SUMMER),
        ("tokyo-ginza", "Ginza Kaede", "4-6-1 Ginza, Chuo", "Tokyo", "JP", "Asia", "Asia/Tokyo", "JPY", 4, "28000", (3, 4)),
        ("tokyo-shinjuku", "Shinjuku Skyline", "2-7-2 Nishishinjuku", "Tokyo", "JP", "Asia", "Asia/Tokyo", "JPY", 3, "17500", (3, 4)),
        ("singapore-marina", "Marina Quay", "10 Bayfront Avenue", "Singapore", "SG", "Asia", "Asia/Singapore", "SGD", 5, "420", (12, 1)),
        ("mumbai-marine", "Marine Drive Residency", "135 Netaji Subhash Road", "Mumbai", "IN", "Asia", "Asia/Kolkata", "INR", 4, "11500", DRY_SEASON),
        ("dubai-creek", "Creekside Dubai", "Baniyas Road 7", "Dubai", "AE", "Asia", "Asia/Dubai", "AED", 5, "890", DRY_SEASON),
        ("bangkok-chao", "Chao Phraya Residence", "48 Charoen Krung Road", "Bangkok", "TH", "Asia", "Asia/Bangkok", "THB", 4, "4200", DRY_SEASON),
        ("newyork-hudson", "Hudson Yards Inn", "500 W 33rd Street", "New York", "US", "North America", "America/New_York", "USD", 4, "320", (9, 12)),
        ("sanfrancisco-bay", "Bay Bridge Hotel", "88 Embarcadero", "San Francisco", "US", "North America", "America/Los_Angeles", "USD", 4, "290", (6, 10)),
        ("vancouver-harbour", "Harbour Lights", "1000 Canada Place", "Vancouver", "CA", "North America", "America/Vancouver", "CAD", 4, "260", NORTH_SUMMER),
        ("mexico-reforma", "Reforma Plaza", "Paseo de la Reforma 325", "Mexico City", "MX", "North America", "America/Mexico_City", "MXN", 4, "2900", DRY_SEASON),
        ("saopaulo-paulista", "Paulista Suites", "Avenida Paulista 1578", "São Paulo", "BR", "South America", "America/Sao_Paulo", "BRL", 4, "620", SOUTH_SUMMER),
        ("buenosaires-palermo", "Palermo Soho House", "Honduras 4800", "Buenos Aires", "AR", "South America", "America/Argentina/Buenos_Aires", "ARS", 4, "180000", SOUTH_SUMMER),
        ("lima-miraflores", "Miraflores Cliff", "Malecón de la Reserva 1035", "Lima", "PE", "South America", "America/Lima", "PEN", 4, "480", SOUTH_SUMMER),
        ("bogota-candelaria", "La Candelaria Casa", "Calle 12B 2-58", "Bogotá", "CO", "South America", "America/Bogota", "COP", 3, "390000", (12, 1)),
        ("sydney-harbour", "Circular Quay Hotel", "61 Macquarie Street", "Sydney", "AU", "Oceania", "Australia/Sydney", "AUD", 5, "380", SOUTH_SUMMER),
        ("melbourne-yarra", "Yarra Lanes", "15 Flinders Lane", "Melbourne", "AU", "Oceania", "Australia/Melbourne", "AUD", 4, "290", SOUTH_SUMMER),
        ("auckland-waitemata", "Waitematā Wharf", "147 Quay Street", "Auckland", "NZ", "Oceania", "Pacific/Auckland", "NZD", 4, "310", SOUTH_SUMMER),
        ("fiji-nadi", "Denarau Reef", "Denarau Island", "Nadi", "FJ", "Oceania", "Pacific/Fiji", "FJD", 4, "520", (5, 10)),
    )
)
# fmt: on


class SeedRoomType(NamedTuple):
    suffix: str
    name: str
    capacity: int
    beds: str
    amenities: tuple[str, ...]
    rooms: int
    price_factor: Decimal


# fmt: off
ROOM_TYPES: tuple[SeedRoomType, ...] = (
    SeedRoomType("single", "Single", 1, "1 single", ("wifi", "desk"), 4, Decimal("0.75")),
    SeedRoomType("double", "Standard Double", 2, "1 queen", ("wifi", "desk", "tv"), 8, Decimal("1")),
    SeedRoomType("twin", "Twin", 2, "2 singles", ("wifi", "tv"), 6, Decimal("1")),
    SeedRoomType("family", "Family Room", 4, "1 king, 2 singles", ("wifi", "tv", "minibar"), 4, Decimal("1.6")),
    SeedRoomType("suite", "Suite", 3, "1 king, 1 sofa bed", ("wifi", "tv", "minibar", "bathtub", "view"), 2, Decimal("2.5")),
)
# fmt: on
