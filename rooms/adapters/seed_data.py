# ruff: noqa: E501, RUF001
"""The demo group: real cities on six continents, each hotel in its own currency and zone.

Columns: id, name, address, city, country, continent, time zone, currency, stars,
base nightly price of a standard room (local currency), high-season months, phone (the
country's own way of writing it, with its calling code), check-in from and check-out until
(in the hotel's zone), free cancellation until so many hours before check-in.
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
    phone: str
    check_in_time: str  # in the hotel's zone
    check_out_time: str
    free_cancellation_hours: int


NORTH_SUMMER = (6, 8)
SOUTH_SUMMER = (12, 2)
DRY_SEASON = (11, 3)

# A table reads best one hotel per line.
# fmt: off
HOTELS: tuple[SeedHotel, ...] = tuple(
    SeedHotel(*row[:9], Decimal(row[9]), *row[10:])
    for row in (
        ("lome-lagune", "Hôtel de la Lagune", "12 Boulevard du Mono", "Lomé", "TG", "Africa", "Africa/Lome", "XOF", 4, "65000", DRY_SEASON, "+228 22 21 45 67", "14:00", "11:00", 48),
        ("lome-sarakawa", "Sarakawa Beach", "Boulevard du Mono 1", "Lomé", "TG", "Africa", "Africa/Lome", "XOF", 5, "98000", DRY_SEASON, "+228 22 27 65 90", "14:00", "12:00", 72),
        ("dakar-almadies", "Almadies Ocean", "Route des Almadies", "Dakar", "SN", "Africa", "Africa/Dakar", "XOF", 4, "72000", DRY_SEASON, "+221 33 869 12 34", "14:00", "11:00", 48),
        ("lagos-ikoyi", "Ikoyi Court", "4 Bourdillon Road", "Lagos", "NG", "Africa", "Africa/Lagos", "NGN", 4, "185000", DRY_SEASON, "+234 1 463 0250", "14:00", "12:00", 48),
        ("nairobi-karura", "Karura Lodge", "Limuru Road 220", "Nairobi", "KE", "Africa", "Africa/Nairobi", "KES", 4, "21000", NORTH_SUMMER, "+254 20 712 3456", "14:00", "10:30", 48),
        ("capetown-bay", "Table Bay Rooms", "3 Dock Road", "Cape Town", "ZA", "Africa", "Africa/Johannesburg", "ZAR", 5, "3900", SOUTH_SUMMER, "+27 21 419 2233", "14:00", "11:00", 72),
        ("marrakesh-riad", "Riad des Jardins", "Derb Sidi Bouamar 9", "Marrakesh", "MA", "Africa", "Africa/Casablanca", "MAD", 4, "1600", (3, 5), "+212 524 38 91 20", "14:00", "12:00", 48),
        ("cairo-nile", "Nile Terrace", "1113 Corniche El Nil", "Cairo", "EG", "Africa", "Africa/Cairo", "EGP", 5, "6500", DRY_SEASON, "+20 2 2795 1234", "15:00", "12:00", 48),
        ("paris-lumiere", "Hôtel Lumière", "18 Rue de Rivoli", "Paris", "FR", "Europe", "Europe/Paris", "EUR", 4, "210", NORTH_SUMMER, "+33 1 42 60 18 18", "15:00", "11:00", 48),
        ("paris-montmartre", "Montmartre Atelier", "7 Rue Lepic", "Paris", "FR", "Europe", "Europe/Paris", "EUR", 3, "145", NORTH_SUMMER, "+33 1 46 06 72 19", "15:00", "11:00", 24),
        ("london-thames", "Thames Wharf", "22 Bankside", "London", "GB", "Europe", "Europe/London", "GBP", 4, "230", NORTH_SUMMER, "+44 20 7946 0812", "15:00", "11:00", 48),
        ("berlin-spree", "Spree Quartier", "Friedrichstraße 101", "Berlin", "DE", "Europe", "Europe/Berlin", "EUR", 4, "150", (5, 9), "+49 30 2093 5512", "15:00", "11:00", 24),
        ("lisbon-alfama", "Casa Alfama", "Rua de São Miguel 5", "Lisbon", "PT", "Europe", "Europe/Lisbon", "EUR", 3, "120", NORTH_SUMMER, "+351 218 862 145", "15:00", "11:00", 48),
        ("zurich-see", "Seehof Zürich", "Utoquai 41", "Zurich", "CH", "Europe", "Europe/Zurich", "CHF", 5, "340", (12, 2), "+41 44 256 78 90", "15:00", "11:00", 72),
        ("istanbul-bosphorus", "Bosphorus House", "Çırağan Caddesi 32", "Istanbul", "TR", "Europe", "Europe/Istanbul", "TRY", 4, "5200", NORTH_SUMMER, "+90 212 326 45 67", "14:00", "12:00", 48),
        ("tokyo-ginza", "Ginza Kaede", "4-6-1 Ginza, Chuo", "Tokyo", "JP", "Asia", "Asia/Tokyo", "JPY", 4, "28000", (3, 4), "+81 3-3562-1234", "15:00", "11:00", 72),
        ("tokyo-shinjuku", "Shinjuku Skyline", "2-7-2 Nishishinjuku", "Tokyo", "JP", "Asia", "Asia/Tokyo", "JPY", 3, "17500", (3, 4), "+81 3-3344-5678", "15:00", "10:00", 48),
        ("singapore-marina", "Marina Quay", "10 Bayfront Avenue", "Singapore", "SG", "Asia", "Asia/Singapore", "SGD", 5, "420", (12, 1), "+65 6688 1234", "15:00", "12:00", 72),
        ("mumbai-marine", "Marine Drive Residency", "135 Netaji Subhash Road", "Mumbai", "IN", "Asia", "Asia/Kolkata", "INR", 4, "11500", DRY_SEASON, "+91 22 6632 5757", "14:00", "12:00", 48),
        ("dubai-creek", "Creekside Dubai", "Baniyas Road 7", "Dubai", "AE", "Asia", "Asia/Dubai", "AED", 5, "890", DRY_SEASON, "+971 4 222 7171", "15:00", "12:00", 72),
        ("bangkok-chao", "Chao Phraya Residence", "48 Charoen Krung Road", "Bangkok", "TH", "Asia", "Asia/Bangkok", "THB", 4, "4200", DRY_SEASON, "+66 2 266 1234", "14:00", "12:00", 48),
        ("newyork-hudson", "Hudson Yards Inn", "500 W 33rd Street", "New York", "US", "North America", "America/New_York", "USD", 4, "320", (9, 12), "+1 212-555-0147", "16:00", "11:00", 48),
        ("sanfrancisco-bay", "Bay Bridge Hotel", "88 Embarcadero", "San Francisco", "US", "North America", "America/Los_Angeles", "USD", 4, "290", (6, 10), "+1 415-555-0183", "16:00", "11:00", 48),
        ("vancouver-harbour", "Harbour Lights", "1000 Canada Place", "Vancouver", "CA", "North America", "America/Vancouver", "CAD", 4, "260", NORTH_SUMMER, "+1 604-555-0126", "15:00", "11:00", 48),
        ("mexico-reforma", "Reforma Plaza", "Paseo de la Reforma 325", "Mexico City", "MX", "North America", "America/Mexico_City", "MXN", 4, "2900", DRY_SEASON, "+52 55 5208 1234", "15:00", "12:00", 48),
        ("saopaulo-paulista", "Paulista Suites", "Avenida Paulista 1578", "São Paulo", "BR", "South America", "America/Sao_Paulo", "BRL", 4, "620", SOUTH_SUMMER, "+55 11 3251-4477", "14:00", "12:00", 48),
        ("buenosaires-palermo", "Palermo Soho House", "Honduras 4800", "Buenos Aires", "AR", "South America", "America/Argentina/Buenos_Aires", "ARS", 4, "180000", SOUTH_SUMMER, "+54 11 4831-2290", "14:00", "10:00", 48),
        ("lima-miraflores", "Miraflores Cliff", "Malecón de la Reserva 1035", "Lima", "PE", "South America", "America/Lima", "PEN", 4, "480", SOUTH_SUMMER, "+51 1 445 6789", "14:00", "12:00", 48),
        ("bogota-candelaria", "La Candelaria Casa", "Calle 12B 2-58", "Bogotá", "CO", "South America", "America/Bogota", "COP", 3, "390000", (12, 1), "+57 601 341 2233", "15:00", "12:00", 24),
        ("sydney-harbour", "Circular Quay Hotel", "61 Macquarie Street", "Sydney", "AU", "Oceania", "Australia/Sydney", "AUD", 5, "380", SOUTH_SUMMER, "+61 2 9256 4000", "15:00", "10:00", 72),
        ("melbourne-yarra", "Yarra Lanes", "15 Flinders Lane", "Melbourne", "AU", "Oceania", "Australia/Melbourne", "AUD", 4, "290", SOUTH_SUMMER, "+61 3 9654 2211", "14:00", "10:00", 48),
        ("auckland-waitemata", "Waitematā Wharf", "147 Quay Street", "Auckland", "NZ", "Oceania", "Pacific/Auckland", "NZD", 4, "310", SOUTH_SUMMER, "+64 9 309 7711", "15:00", "10:00", 48),
        ("fiji-nadi", "Denarau Reef", "Denarau Island", "Nadi", "FJ", "Oceania", "Pacific/Fiji", "FJD", 4, "520", (5, 10), "+679 675 0777", "14:00", "11:00", 72),
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
