"""Changes of a reservation (`ChangeReservation`, `RevertReservationChange`) on the real
MongoDB-protocol store: new versions of one document, resends, reverts, and a revert that
overtakes its change; and once through the broker to the running service and its HTTP API."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import aio_pika
import pytest
from motor.motor_asyncio import AsyncIOMotorDatabase

from contracts.base import Command
from contracts.envelope import Envelope, new_id
from contracts.reservations import (
    CancelReservation,
    ChangeReservation,
    ReservationChanged,
    ReservationChangeReverted,
    ReservationRejected,
    ReservationWritten,
    RevertReservationChange,
    WriteReservation,
)
from contracts.topology import Service, Topology
from contracts.values import NightlyPrice, Stay
from infra.messaging.codec import Outgoing
from reservations.adapters.repository import RESERVATIONS_COLLECTION, ReservationRepository
from reservations.changes import (
    CANCELLED_NOT_CHANGED,
    CHANGE_WITHDRAWN,
    NO_RESERVATION,
    handle_change_reservation,
    handle_revert_reservation_change,
)
from reservations.domain.model import PastVersion, Replacement, Reservation, ReservationStatus
from reservations.handlers import handle_cancel_reservation, handle_write_reservation
from tests.integration.test_reservations_support import (
    RunningService,
    envelope_for,
    service,
    store,
    write_command,
)
from tests.support.observer import send_command, watch_replies

pytestmark = pytest.mark.integration
__all__ = ["service", "store"]

Database = AsyncIOMotorDatabase[dict[str, Any]]

NEW_PRICES = (Decimal("140.00"), Decimal("150.25"))


def change_command(
    booking_saga_id: str,
    check_in: date = date(2027, 4, 2),
    prices: tuple[Decimal, ...] = NEW_PRICES,
    **overrides: Any,
) -> ChangeReservation:
    fields: dict[str, Any] = {
        "booking_saga_id": booking_saga_id,
        "room_type_id": "rt-suite",
        "room_type_name": "Suite",
        "room_id": "room-501",
        "room_number": "501",
        "stay": Stay(check_in=check_in, check_out=check_in + timedelta(days=len(prices))),
        "guests": 3,
        "nightly_prices": [
            NightlyPrice(night=check_in + timedelta(days=i), price=price)
            for i, price in enumerate(prices)
        ],
        "total": sum(prices, Decimal(0)),
        "currency": "XOF",
    }
    return ChangeReservation(**(fields | overrides))


async def book(store: Database) -> tuple[str, ReservationWritten]:
    booking_saga_id = new_id()
    envelope = envelope_for(WriteReservation.message_type, booking_saga_id)
    written = await handle_write_reservation(write_command(), envelope, store)
    assert isinstance(written, ReservationWritten)
    return booking_saga_id, written


async def change(
    store: Database, change_id: str, command: ChangeReservation
) -> ReservationChanged | ReservationRejected:
    """One delivery of the change saga's command: a new message id each time, as a resend."""
    envelope = envelope_for(ChangeReservation.message_type, change_id)
    return await handle_change_reservation(command, envelope, store)


async def revert(
    store: Database, change_id: str, booking_saga_id: str, reason: str = "room not moved"
) -> ReservationChangeReverted:
    command = RevertReservationChange(booking_saga_id=booking_saga_id, reason=reason)
    envelope = envelope_for(RevertReservationChange.message_type, change_id)
    return await handle_revert_reservation_change(command, envelope, store)


async def cancel(store: Database, booking_saga_id: str) -> None:
    command = CancelReservation(booking_saga_id=booking_saga_id, reason="client cancelled")
    await handle_cancel_reservation(command, envelope_for(CancelReservation.message_type), store)


async def reservation_of(store: Database, booking_saga_id: str) -> Reservation:
    reservation = await ReservationRepository(store).by_saga(booking_saga_id)
    assert reservation is not None
    return reservation


async def document_of(store: Database, booking_saga_id: str) -> dict[str, Any]:
    (document,) = (
        await store[RESERVATIONS_COLLECTION].find({"saga_id": booking_saga_id}).to_list(None)
    )
    return document


def terms(reservation: Reservation | PastVersion) -> tuple[Any, ...]:
    """What a change changes: room, stay, guests, prices, total, currency."""
    return (
        reservation.room,
        reservation.check_in,
        reservation.check_out,
        reservation.guests,
        reservation.nightly_prices,
        reservation.total,
        reservation.currency,
    )


async def test_a_change_writes_version_2_of_the_same_reservation_keeping_version_1(
    store: Database,
) -> None:
    booking_saga_id, written = await book(store)
    before = await reservation_of(store, booking_saga_id)
    change_id = new_id()

    reply = await change(store, change_id, change_command(booking_saga_id))

    assert reply == ReservationChanged(
        reservation_id=written.reservation_id,
        confirmation_code=written.confirmation_code,
        version=2,
    )
    document = await document_of(store, booking_saga_id)
    assert document["_id"] == written.reservation_id
    assert document["confirmation_code"] == written.confirmation_code
    assert document["version"] == 2 and document["changed_by"] == change_id
    assert document["stay"] == {"check_in": "2027-04-02", "check_out": "2027-04-04", "nights": 2}
    assert [p["price"] for p in document["nightly_prices"]] == ["140.00", "150.25"]
    assert document["total"] == "290.25" and document["guests"] == 3
    assert document["room"]["room_number"] == "501"
    assert document["hotel"] == {"id": "hotel-lome", "name": "Hôtel du Golfe, Lomé"}
    assert document["status"] == "CONFIRMED"
    (past,) = document["history"]
    assert past["version"] == 1
    assert past["stay"] == {"check_in": "2027-03-10", "check_out": "2027-03-13", "nights": 3}
    assert [p["price"] for p in past["nightly_prices"]] == ["120.50", "99.99", "130.00"]
    assert past["total"] == "350.49" and past["currency"] == "XOF" and past["guests"] == 2
    assert past["room"]["room_number"] == "204"
    assert (past["replaced_by"], past["replacement"], past["reason"]) == (
        change_id,
        "CHANGE",
        None,
    )

    after = await reservation_of(store, booking_saga_id)
    assert terms(after.history[0]) == terms(before)
    assert after.created_at == before.created_at and after.updated_at >= before.updated_at
    assert after.status_history == before.status_history


async def test_a_resent_change_answers_the_same_version_and_writes_nothing_more(
    store: Database,
) -> None:
    booking_saga_id, _ = await book(store)
    change_id = new_id()
    command = change_command(booking_saga_id)

    first = await change(store, change_id, command)
    resends = [await change(store, change_id, command) for _ in range(2)]
    concurrent = await asyncio.gather(*(change(store, change_id, command) for _ in range(5)))

    assert isinstance(first, ReservationChanged) and first.version == 2
    assert all(reply == first for reply in (*resends, *concurrent))
    reservation = await reservation_of(store, booking_saga_id)
    assert reservation.version == 2 and len(reservation.history) == 1


async def test_concurrent_first_deliveries_of_a_change_write_one_version(
    store: Database,
) -> None:
    booking_saga_id, _ = await book(store)
    change_id = new_id()

    replies = await asyncio.gather(
        *(change(store, change_id, change_command(booking_saga_id)) for _ in range(8))
    )

    assert all(reply == replies[0] for reply in replies)
    assert isinstance(replies[0], ReservationChanged) and replies[0].version == 2
    reservation = await reservation_of(store, booking_saga_id)
    assert reservation.version == 2 and len(reservation.history) == 1


async def test_a_revert_writes_version_3_equal_to_version_1_and_keeps_all_history(
    store: Database,
) -> None:
    booking_saga_id, written = await book(store)
    original = await reservation_of(store, booking_saga_id)
    change_id = new_id()
    await change(store, change_id, change_command(booking_saga_id))

    reply = await revert(store, change_id, booking_saga_id, reason="the new room was taken")
    again = await revert(store, change_id, booking_saga_id)

    assert reply == ReservationChangeReverted(booking_saga_id=booking_saga_id, version=3)
    assert again == reply
    reverted = await reservation_of(store, booking_saga_id)
    assert reverted.reservation_id == written.reservation_id
    assert reverted.confirmation_code == written.confirmation_code
    assert reverted.version == 3 and reverted.changed_by is None
    assert terms(reverted) == terms(original)
    assert reverted.status is ReservationStatus.CONFIRMED
    assert [(p.version, p.replaced_by, p.replacement, p.reason) for p in reverted.history] == [
        (1, change_id, Replacement.CHANGE, None),
        (2, change_id, Replacement.REVERT, "the new room was taken"),
    ]
    assert reverted.history[1].room.room_number == "501"

    late = await change(store, change_id, change_command(booking_saga_id))
    assert late == ReservationRejected(reason=CHANGE_WITHDRAWN)
    assert (await reservation_of(store, booking_saga_id)).version == 3


async def test_a_revert_that_overtakes_its_change_withdraws_it_for_good(store: Database) -> None:
    booking_saga_id, _ = await book(store)
    document = await document_of(store, booking_saga_id)
    change_id = new_id()

    reverted = await revert(store, change_id, booking_saga_id)
    late = await change(store, change_id, change_command(booking_saga_id))
    resent = await change(store, change_id, change_command(booking_saga_id))

    assert reverted == ReservationChangeReverted(booking_saga_id=booking_saga_id, version=1)
    assert isinstance(late, ReservationRejected)
    assert late.reason.startswith("the change was withdrawn")
    assert resent == late
    assert await document_of(store, booking_saga_id) == document, "untouched"


async def test_a_change_that_wrote_while_its_revert_looked_undoes_itself(
    store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The revert marked the change withdrawn after the change checked the mark, and read the
    reservation before the change wrote: the change sees the mark after its write."""
    booking_saga_id, _ = await book(store)
    original = await reservation_of(store, booking_saga_id)
    change_id = new_id()
    assert await revert(store, change_id, booking_saga_id) == ReservationChangeReverted(
        booking_saga_id=booking_saga_id, version=1
    )
    checks = iter([False])  # the change's first look, before the revert's mark
    real_check = ReservationRepository.is_change_withdrawn

    async def check(self: ReservationRepository, change_id: str) -> bool:
        first = next(checks, None)
        return first if first is not None else await real_check(self, change_id)

    monkeypatch.setattr(ReservationRepository, "is_change_withdrawn", check)

    reply = await change(store, change_id, change_command(booking_saga_id))

    assert reply == ReservationRejected(reason=CHANGE_WITHDRAWN)
    reservation = await reservation_of(store, booking_saga_id)
    assert reservation.version == 3 and terms(reservation) == terms(original)
    assert [p.replacement for p in reservation.history] == [
        Replacement.CHANGE,
        Replacement.REVERT,
    ]


async def test_a_change_racing_its_revert_never_stays_in_force(store: Database) -> None:
    for _ in range(5):
        booking_saga_id, _ = await book(store)
        original = await reservation_of(store, booking_saga_id)
        change_id = new_id()

        changed, reverted = await asyncio.gather(
            change(store, change_id, change_command(booking_saga_id)),
            revert(store, change_id, booking_saga_id),
        )

        reservation = await reservation_of(store, booking_saga_id)
        assert terms(reservation) == terms(original)
        assert reservation.changed_by is None
        assert reservation.version in (1, 3)
        assert isinstance(reverted, ReservationChangeReverted)
        if isinstance(changed, ReservationChanged):  # the change wrote first, the revert undid it
            assert reverted.version == 3


async def test_reverting_a_change_never_made_succeeds_and_changes_nothing(store: Database) -> None:
    booking_saga_id, _ = await book(store)
    document = await document_of(store, booking_saga_id)

    reply = await revert(store, new_id(), booking_saga_id)
    absent = await revert(store, new_id(), new_id())

    assert reply == ReservationChangeReverted(booking_saga_id=booking_saga_id, version=1)
    assert absent.version is None
    assert await document_of(store, booking_saga_id) == document


async def test_a_second_change_builds_on_the_first_and_a_late_resend_of_the_first_is_answered(
    store: Database,
) -> None:
    booking_saga_id, _ = await book(store)
    first_id, second_id = new_id(), new_id()
    first = await change(store, first_id, change_command(booking_saga_id))
    second = await change(
        store, second_id, change_command(booking_saga_id, check_in=date(2027, 5, 1), guests=1)
    )

    late_resend = await change(store, first_id, change_command(booking_saga_id))

    assert isinstance(first, ReservationChanged) and first.version == 2
    assert isinstance(second, ReservationChanged) and second.version == 3
    assert late_resend == first
    reservation = await reservation_of(store, booking_saga_id)
    assert (reservation.version, reservation.changed_by) == (3, second_id)
    assert (reservation.check_in, reservation.guests) == (date(2027, 5, 1), 1)
    assert [(p.version, p.replaced_by) for p in reservation.history] == [
        (1, first_id),
        (2, second_id),
    ]


async def test_a_cancelled_reservation_is_not_changed(store: Database) -> None:
    booking_saga_id, _ = await book(store)
    await cancel(store, booking_saga_id)
    document = await document_of(store, booking_saga_id)

    reply = await change(store, new_id(), change_command(booking_saga_id))

    assert reply == ReservationRejected(reason=CANCELLED_NOT_CHANGED)
    assert await document_of(store, booking_saga_id) == document


async def test_a_booking_without_a_reservation_is_not_changed(store: Database) -> None:
    booking_saga_id = new_id()

    reply = await change(store, new_id(), change_command(booking_saga_id))

    assert reply == ReservationRejected(reason=NO_RESERVATION)


@pytest.mark.parametrize(
    ("overrides", "reason_fragment"),
    [
        ({"total": Decimal("290.24")}, "does not match the sum of the nightly prices"),
        ({"nightly_prices": change_command("b").nightly_prices[:1]}, "1 nightly prices for"),
        ({"nightly_prices": [change_command("b").nightly_prices[0]] * 2}, "exactly once"),
    ],
    ids=["wrong-total", "missing-night", "repeated-night"],
)
async def test_an_inconsistent_change_is_rejected_and_writes_nothing(
    store: Database, overrides: dict[str, Any], reason_fragment: str
) -> None:
    booking_saga_id, _ = await book(store)
    document = await document_of(store, booking_saga_id)
    command = change_command(booking_saga_id).model_copy(update=overrides)

    reply = await change(store, new_id(), command)

    assert isinstance(reply, ReservationRejected)
    assert reason_fragment in reply.reason
    assert await document_of(store, booking_saga_id) == document


async def test_a_cancellation_racing_a_change_loses_neither(store: Database) -> None:
    for _ in range(5):
        booking_saga_id, _ = await book(store)
        change_id = new_id()

        changed, _ = await asyncio.gather(
            change(store, change_id, change_command(booking_saga_id)),
            cancel(store, booking_saga_id),
        )

        reservation = await reservation_of(store, booking_saga_id)
        assert reservation.status is ReservationStatus.CANCELLED
        if isinstance(changed, ReservationChanged):
            assert (reservation.version, reservation.changed_by) == (2, change_id)
            assert reservation.check_in == date(2027, 4, 2)
        else:
            assert changed == ReservationRejected(reason=CANCELLED_NOT_CHANGED)
            assert reservation.version == 1 and reservation.history == ()


async def test_a_document_stored_before_versions_reads_as_version_1_and_changes(
    store: Database,
) -> None:
    booking_saga_id, written = await book(store)
    await store[RESERVATIONS_COLLECTION].update_one(
        {"saga_id": booking_saga_id}, {"$unset": {"version": "", "changed_by": "", "history": ""}}
    )
    old = await document_of(store, booking_saga_id)
    assert not {"version", "changed_by", "history"} & old.keys()

    reservation = await reservation_of(store, booking_saga_id)
    assert (reservation.version, reservation.changed_by, reservation.history) == (1, None, ())

    change_id = new_id()
    reply = await change(store, change_id, change_command(booking_saga_id))

    assert reply == ReservationChanged(
        reservation_id=written.reservation_id,
        confirmation_code=written.confirmation_code,
        version=2,
    )
    changed = await reservation_of(store, booking_saga_id)
    assert [(p.version, p.check_in) for p in changed.history] == [(1, date(2027, 3, 10))]


async def test_a_document_stored_before_versions_can_still_be_cancelled(store: Database) -> None:
    booking_saga_id, _ = await book(store)
    await store[RESERVATIONS_COLLECTION].update_one(
        {"saga_id": booking_saga_id}, {"$unset": {"version": "", "changed_by": "", "history": ""}}
    )

    await cancel(store, booking_saga_id)

    assert (await reservation_of(store, booking_saga_id)).status is ReservationStatus.CANCELLED


async def test_a_change_and_its_revert_through_the_broker_show_in_the_http_api(
    amqp_url: str,
    topology: Topology,
    service: RunningService,
    broker_connection: aio_pika.abc.AbstractRobustConnection,
) -> None:
    booking_saga_id, change_id = new_id(), new_id()

    async def send(command: Command, saga_id: str) -> None:
        message = Outgoing.of(command, Envelope.new(command.message_type, saga_id))
        await send_command(broker_connection, topology, str(Service.RESERVATIONS), message)

    async with watch_replies(amqp_url, topology) as replies:
        await send(write_command(), booking_saga_id)
        await replies.wait_for(1, timeout=30)
        await send(change_command(booking_saga_id), change_id)
        await replies.wait_for(2, timeout=30)
        changed_view = (await service.http.get("/reservations", params={"limit": 1})).json()
        await send(
            RevertReservationChange(booking_saga_id=booking_saga_id, reason="undo"), change_id
        )
        written, changed, reverted = await replies.wait_for(3, timeout=30)

    assert [reply.type for reply in (written, changed, reverted)] == [
        ReservationWritten.message_type,
        ReservationChanged.message_type,
        ReservationChangeReverted.message_type,
    ]
    code = ReservationWritten.model_validate_json(written.body).confirmation_code
    assert json.loads(changed.body)["version"] == 2
    assert json.loads(reverted.body) == {"booking_saga_id": booking_saga_id, "version": 3}
    (at_version_2,) = changed_view["items"]
    assert (at_version_2["version"], at_version_2["changed_by"]) == (2, change_id)
    assert at_version_2["stay"]["check_in"] == "2027-04-02"
    assert [p["version"] for p in at_version_2["history"]] == [1]

    view = (await service.http.get(f"/reservations/by-code/{code}")).json()
    assert (view["version"], view["changed_by"]) == (3, None)
    assert view["stay"] == {"check_in": "2027-03-10", "check_out": "2027-03-13", "nights": 3}
    assert [(p["version"], p["replacement"], p["reason"]) for p in view["history"]] == [
        (1, "CHANGE", None),
        (2, "REVERT", "undo"),
    ]
    assert view["history"][1]["total"] == "290.25"
