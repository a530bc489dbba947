"""The reservations collection, the sagas whose reservation was cancelled, and the changes
that were withdrawn.

The booking path only inserts: the unique `saga_id` index makes a second write for the same
saga fail, and the writer then reads the first one back. Cancellations, changes and reverts
replace the document on condition that it still has the version and status they read
(`replace`), so of two concurrent writers one applies and the other reads again and decides
again: two cancellations never both apply, and a change is never lost under a cancellation.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from reservations.adapters.documents import Document, from_document, to_document
from reservations.domain.model import Reservation, ReservationStatus

RESERVATIONS_COLLECTION = "reservations"
CANCELLED_SAGAS_COLLECTION = "cancelled_sagas"
WITHDRAWN_CHANGES_COLLECTION = "withdrawn_changes"

RESERVATION_INDEXES = (
    IndexModel("saga_id", unique=True, name="saga_id_unique"),
    IndexModel("confirmation_code", unique=True, name="confirmation_code_unique"),
    IndexModel("client_id", name="client_id"),
    IndexModel("hotel.id", name="hotel_id"),
    IndexModel("status", name="status"),
    IndexModel("stay.check_in", name="check_in"),
)
LISTING_ORDER = [("stay.check_in", ASCENDING), ("_id", ASCENDING)]
# Each lost race of `replace` means another write of the same reservation applied; so many in
# a row mean something else is wrong (the message fails, and the broker delivers it again).
MAX_WRITE_ATTEMPTS = 10


class ConcurrentWrites(RuntimeError):
    pass


@dataclass(frozen=True)
class ReservationQuery:
    client_id: str | None = None
    hotel_id: str | None = None
    status: ReservationStatus | None = None
    check_in_from: date | None = None
    check_in_to: date | None = None

    def as_filter(self) -> dict[str, Any]:
        conditions: dict[str, Any] = {}
        if self.client_id is not None:
            conditions["client_id"] = self.client_id
        if self.hotel_id is not None:
            conditions["hotel.id"] = self.hotel_id
        if self.status is not None:
            conditions["status"] = str(self.status)
        check_in: dict[str, str] = {}
        if self.check_in_from is not None:
            check_in["$gte"] = self.check_in_from.isoformat()
        if self.check_in_to is not None:
            check_in["$lte"] = self.check_in_to.isoformat()
        if check_in:
            conditions["stay.check_in"] = check_in
        return conditions


@dataclass(frozen=True)
class Page:
    items: list[Reservation]
    total: int


class ReservationRepository:
    def __init__(self, database: AsyncIOMotorDatabase[Document]) -> None:
        self._reservations = database[RESERVATIONS_COLLECTION]
        self._cancelled_sagas = database[CANCELLED_SAGAS_COLLECTION]
        self._withdrawn_changes = database[WITHDRAWN_CHANGES_COLLECTION]

    async def ensure_indexes(self) -> None:
        await self._reservations.create_indexes(list(RESERVATION_INDEXES))

    async def insert(self, reservation: Reservation) -> None:
        """Raises DuplicateKeyError when the saga already has one, or the code is taken."""
        await self._reservations.insert_one(to_document(reservation))

    async def by_id(self, reservation_id: str) -> Reservation | None:
        return await self._find_one({"_id": reservation_id})

    async def by_code(self, confirmation_code: str) -> Reservation | None:
        return await self._find_one({"confirmation_code": confirmation_code})

    async def by_saga(self, saga_id: str) -> Reservation | None:
        return await self._find_one({"saga_id": saga_id})

    async def search(self, query: ReservationQuery, limit: int, offset: int) -> Page:
        conditions = query.as_filter()
        cursor = self._reservations.find(conditions).sort(LISTING_ORDER).skip(offset).limit(limit)
        items = [from_document(document) async for document in cursor]
        return Page(items, await self._reservations.count_documents(conditions))

    async def replace(self, reservation: Reservation, read: Reservation) -> bool:
        """Store `reservation` in place of `read`, the stored one it was made from, if the
        store still has `read`'s version and status; False if another writer got there first."""
        result = await self._reservations.replace_one(
            {
                "_id": read.reservation_id,
                "status": str(read.status),
                "version": _version_condition(read.version),
            },
            to_document(reservation),
        )
        return result.matched_count == 1

    async def mark_saga_cancelled(self, saga_id: str, at: datetime) -> None:
        with contextlib.suppress(DuplicateKeyError):
            await self._cancelled_sagas.insert_one({"_id": saga_id, "cancelled_at": at})

    async def is_saga_cancelled(self, saga_id: str) -> bool:
        return await self._cancelled_sagas.find_one({"_id": saga_id}, {"_id": 1}) is not None

    async def mark_change_withdrawn(
        self, change_id: str, booking_saga_id: str, reason: str, at: datetime
    ) -> None:
        """Withdraw a change for good: written once, before its revert looks at anything."""
        with contextlib.suppress(DuplicateKeyError):
            await self._withdrawn_changes.insert_one(
                {
                    "_id": change_id,
                    "booking_saga_id": booking_saga_id,
                    "reason": reason,
                    "withdrawn_at": at,
                }
            )

    async def is_change_withdrawn(self, change_id: str) -> bool:
        return await self._withdrawn_changes.find_one({"_id": change_id}, {"_id": 1}) is not None

    async def _find_one(self, conditions: dict[str, Any]) -> Reservation | None:
        document = await self._reservations.find_one(conditions)
        return None if document is None else from_document(document)


def _version_condition(version: int) -> int | dict[str, Any]:
    # Documents stored before reservations had versions have no `version`: they are version 1.
    return {"$in": [1, None]} if version == 1 else version
