"""The reservation handlers on the real MongoDB-protocol store (no broker)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from motor.motor_asyncio import AsyncIOMotorDatabase

from contracts.envelope import new_id
from contracts.reservations import (
    CancelReservation,
    ReservationCancelled,
    ReservationRejected,
    ReservationWritten,
    WriteReservation,
)
from reservations.adapters.repository import RESERVATIONS_COLLECTION, ReservationRepository
from reservations.domain.model import ReservationStatus
from reservations.handlers import (
    CANCELLED_BEFORE_WRITTEN,
    handle_cancel_reservation,
    handle_write_reservation,
)
from tests.integration.test_reservations_support import envelope_for, store, write_command

pytestmark = pytest.mark.integration
__all__ = ["store"]

Database = AsyncIOMotorDatabase[dict[str, Any]]
T = TypeVar("T")


async def write(
    store: Database, saga_id: str, command: WriteReservation | None = None, **kwargs: Any
) -> ReservationWritten | ReservationRejected:
    envelope = envelope_for(WriteReservation.message_type, saga_id)
    return await handle_write_reservation(command or write_command(), envelope, store, **kwargs)


async def cancel(store: Database, booking_saga_id: str) -> ReservationCancelled:
    command = CancelReservation(booking_saga_id=booking_saga_id, reason="client cancelled")
    envelope = envelope_for(CancelReservation.message_type)
    return await handle_cancel_reservation(command, envelope, store)


async def documents_of(store: Database, saga_id: str) -> list[dict[str, Any]]:
    return await store[RESERVATIONS_COLLECTION].find({"saga_id": saga_id}).to_list(None)


async def test_a_reservation_is_one_document_with_exact_prices_and_its_history(
    store: Database,
) -> None:
    saga_id = new_id()
    reply = await write(store, saga_id)

    assert isinstance(reply, ReservationWritten)
    (document,) = await documents_of(store, saga_id)
    assert document["_id"] == reply.reservation_id
    assert document["confirmation_code"] == reply.confirmation_code
    assert document["stay"] == {"check_in": "2027-03-10", "check_out": "2027-03-13", "nights": 3}
    assert [p["price"] for p in document["nightly_prices"]] == ["120.50", "99.99", "130.00"]
    assert document["total"] == "350.49" and document["currency"] == "XOF"
    assert document["hotel"] == {"id": "hotel-lome", "name": "Hôtel du Golfe, Lomé"}
    assert document["status"] == "CONFIRMED"
    assert [change["status"] for change in document["status_history"]] == ["CONFIRMED"]


async def test_a_retry_for_the_same_saga_finds_the_same_reservation(store: Database) -> None:
    saga_id = new_id()
    first = await write(store, saga_id)
    second = await write(store, saga_id)

    assert isinstance(first, ReservationWritten)
    assert second == first
    assert len(await documents_of(store, saga_id)) == 1


async def test_concurrent_retries_for_one_saga_write_one_document(store: Database) -> None:
    saga_id = new_id()
    replies = await asyncio.gather(*(write(store, saga_id) for _ in range(10)))

    assert len({(r.reservation_id, r.confirmation_code) for r in replies}) == 1  # type: ignore[union-attr]
    assert len(await documents_of(store, saga_id)) == 1


async def test_a_taken_confirmation_code_is_replaced_by_a_fresh_one(store: Database) -> None:
    taken = await write(store, new_id())
    assert isinstance(taken, ReservationWritten)
    codes = iter([taken.confirmation_code, taken.confirmation_code, "FRESH234"])

    reply = await write(store, new_id(), new_code=lambda: next(codes))

    assert isinstance(reply, ReservationWritten)
    assert reply.confirmation_code == "FRESH234"


async def gather_in_batches(jobs: Sequence[Callable[[], Awaitable[T]]], batch: int) -> list[T]:
    results: list[T] = []
    for start in range(0, len(jobs), batch):
        results += await asyncio.gather(*(job() for job in jobs[start : start + batch]))
    return results


async def test_a_thousand_concurrent_reservations_get_a_thousand_distinct_codes(
    store: Database,
) -> None:
    saga_ids = [new_id() for _ in range(1000)]
    jobs = [functools.partial(write, store, saga_id) for saga_id in saga_ids]

    replies = await gather_in_batches(jobs, batch=100)

    assert all(isinstance(reply, ReservationWritten) for reply in replies)
    codes = {reply.confirmation_code for reply in replies}  # type: ignore[union-attr]
    assert len(codes) == 1000
    # Read back with find, not distinct: nx-27017's distinct turns strings that look like
    # numbers ("23456789", "7E794279") into numbers.
    documents = store[RESERVATIONS_COLLECTION].find({}, {"confirmation_code": 1})
    stored = [document["confirmation_code"] async for document in documents]
    assert len(stored) == 1000 and set(stored) == codes


@pytest.mark.parametrize(
    ("overrides", "reason_fragment"),
    [
        ({"total": Decimal("350.48")}, "does not match the sum of the nightly prices"),
        ({"nightly_prices": write_command().nightly_prices[:2]}, "2 nightly prices for a stay"),
        (
            {"nightly_prices": [write_command().nightly_prices[0]] * 3},
            "exactly once",
        ),
    ],
    ids=["wrong-total", "missing-night", "repeated-night"],
)
async def test_an_inconsistent_request_is_rejected_and_writes_nothing(
    store: Database, overrides: dict[str, Any], reason_fragment: str
) -> None:
    saga_id = new_id()
    command = write_command().model_copy(update=overrides)

    reply = await write(store, saga_id, command)

    assert isinstance(reply, ReservationRejected)
    assert reason_fragment in reply.reason
    assert await documents_of(store, saga_id) == []


async def test_cancelling_appends_to_the_history_and_keeps_the_code(store: Database) -> None:
    saga_id = new_id()
    written = await write(store, saga_id)
    assert isinstance(written, ReservationWritten)

    first = await cancel(store, saga_id)
    again = await cancel(store, saga_id)

    assert first.reservation_id == again.reservation_id == written.reservation_id
    reservation = await ReservationRepository(store).by_saga(saga_id)
    assert reservation is not None
    assert reservation.status is ReservationStatus.CANCELLED
    assert reservation.confirmation_code == written.confirmation_code
    assert [(c.status, c.reason) for c in reservation.status_history] == [
        (ReservationStatus.CONFIRMED, None),
        (ReservationStatus.CANCELLED, "client cancelled"),
    ]
    assert reservation.updated_at >= reservation.created_at


async def test_concurrent_cancellations_record_one_cancellation(store: Database) -> None:
    saga_id = new_id()
    await write(store, saga_id)

    await asyncio.gather(*(cancel(store, saga_id) for _ in range(5)))

    (document,) = await documents_of(store, saga_id)
    assert [c["status"] for c in document["status_history"]] == ["CONFIRMED", "CANCELLED"]


async def test_cancelling_an_absent_reservation_succeeds(store: Database) -> None:
    saga_id = new_id()

    reply = await cancel(store, saga_id)

    assert reply == ReservationCancelled(booking_saga_id=saga_id, reservation_id=None)


async def test_a_write_arriving_after_its_cancellation_leaves_no_reservation_in_force(
    store: Database,
) -> None:
    saga_id = new_id()
    await cancel(store, saga_id)

    reply = await write(store, saga_id)
    retry = await write(store, saga_id)

    assert isinstance(reply, ReservationRejected) and reply.reason == CANCELLED_BEFORE_WRITTEN
    assert isinstance(retry, ReservationRejected)
    (document,) = await documents_of(store, saga_id)
    assert document["status"] == "CANCELLED"


async def test_a_retried_write_after_cancellation_is_rejected(store: Database) -> None:
    saga_id = new_id()
    await write(store, saga_id)
    await cancel(store, saga_id)

    reply = await write(store, saga_id)

    assert isinstance(reply, ReservationRejected)
    assert "cancelled" in reply.reason
