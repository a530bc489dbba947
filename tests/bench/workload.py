"""The benchmark's workload: what each agent asks for next, the same for every system.

About 90% bookable stays spread over the whole group, 5% for clients nobody registered (the
hold is taken, then released: the compensation path) and 5% contention, many agents after
the same few room-nights. Pure: a seeded random source, no I/O.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from rooms.adapters.seed_data import HOTELS, ROOM_TYPES

Kind = Literal["spread", "unknown_client", "contention"]
KINDS: tuple[Kind, ...] = ("spread", "unknown_client", "contention")
SHARES: tuple[float, ...] = (0.90, 0.05, 0.05)

# Many agents after the same nights: each target is a room type with 2 to 4 rooms.
HOT_TARGETS: tuple[tuple[str, str, int, int], ...] = (
    ("paris-lumiere", "suite", 21, 2),
    ("lome-lagune", "family", 14, 3),
    ("tokyo-ginza", "single", 30, 1),
)


@dataclass(frozen=True)
class BookingRequest:
    """One agent's booking: ids as the public API takes them, and the workload share."""

    booking_key: str  # the agent's idempotency key; systems derive their booking id from it
    kind: Kind
    client_id: str
    hotel_id: str
    room_type_id: str
    check_in: date
    check_out: date
    guests: int = 1

    def api_body(self) -> dict[str, object]:
        """The body of `POST /api/bookings` for this booking."""
        return {
            "client_id": self.client_id,
            "hotel_id": self.hotel_id,
            "room_type_id": self.room_type_id,
            "check_in": self.check_in.isoformat(),
            "check_out": self.check_out.isoformat(),
            "guests": self.guests,
        }

    @property
    def nights(self) -> list[date]:
        days = (self.check_out - self.check_in).days
        return [self.check_in + timedelta(days=n) for n in range(days)]


class Workload:
    def __init__(self, client_ids: Sequence[str], seed: int = 20261122, today: date | None = None):
        if not client_ids:
            raise ValueError("the workload needs registered clients")
        self._clients = list(client_ids)
        self._random = random.Random(seed)
        self._today = today or date.today()
        self._hotel_ids = [hotel.id for hotel in HOTELS]
        self._type_suffixes = [kind.suffix for kind in ROOM_TYPES]
        self._type_weights = [kind.rooms for kind in ROOM_TYPES]
        known = {hotel.id for hotel in HOTELS}
        for hotel_id, *_ in HOT_TARGETS:
            if hotel_id not in known:
                raise ValueError(f"hot target {hotel_id} is not a hotel of the group")

    def next(self) -> BookingRequest:
        kind = self._random.choices(KINDS, SHARES)[0]
        key = uuid.UUID(int=self._random.getrandbits(128), version=4).hex
        if kind == "contention":
            hotel_id, suffix, offset, nights = self._random.choice(HOT_TARGETS)
            check_in = self._today + timedelta(days=offset)
            return BookingRequest(
                key,
                kind,
                self._random.choice(self._clients),
                hotel_id,
                f"{hotel_id}-{suffix}",
                check_in,
                check_in + timedelta(days=nights),
            )
        hotel_id = self._random.choice(self._hotel_ids)
        suffix = self._random.choices(self._type_suffixes, self._type_weights)[0]
        # From two days out, so the stay is in the future in every hotel's time zone.
        check_in = self._today + timedelta(days=self._random.randint(2, 364))
        client_id = (
            str(uuid.UUID(int=self._random.getrandbits(128), version=4))
            if kind == "unknown_client"
            else self._random.choice(self._clients)
        )
        return BookingRequest(
            key,
            kind,
            client_id,
            hotel_id,
            f"{hotel_id}-{suffix}",
            check_in,
            check_in + timedelta(days=self._random.randint(1, 4)),
        )
