"""The change saga's pure core, with the booking it changes: both sagas are driven through the
pure transition, and the change's requests to its booking (and the booking's answers) are
carried between them as the broker would carry them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from contracts.base import Reply
from contracts.booking import CancelBooking, StartChange
from contracts.events import BookingChanged
from contracts.orchestrator import (
    ApplyChange,
    BookingLocked,
    BookingNotChangeable,
    LockBooking,
    ToBooking,
    UnlockBooking,
)
from contracts.reservations import (
    ChangeReservation,
    ReservationChanged,
    ReservationChangeReverted,
    RevertReservationChange,
)
from contracts.rooms import (
    BookingMoved,
    HoldExpired,
    HoldReleased,
    HoldRoom,
    MoveBooking,
    ReleaseHold,
    RoomHeld,
    RoomUnavailable,
)
from contracts.topology import Service
from contracts.values import NightlyPrice, Stay
from orchestrator.domain import reasons
from orchestrator.domain.definition import Retry
from orchestrator.domain.engine import new_change, transition
from orchestrator.domain.kinds import SAGAS
from orchestrator.domain.messages import (
    Asked,
    CancelRequested,
    DeadlinePassed,
    Decision,
    Incoming,
    OperatorCompensate,
    ReplyReceived,
    Started,
)
from orchestrator.domain.model import Phase, Saga, SagaState
from tests.unit.test_orchestrator_saga import STAY, T0, confirmed_run

pytestmark = pytest.mark.unit

REGISTRY = SAGAS.timed(timedelta(seconds=10), Retry(3, timedelta(seconds=1)))
NEW_STAY = Stay(
    check_in=STAY.check_in + timedelta(days=7), check_out=STAY.check_out + timedelta(days=8)
)
CHANGE_ID = "change-1"


def change_request(**overrides: object) -> StartChange:
    fields: dict[str, object] = {
        "idempotency_key": "change-key-0001",
        "booking_saga_id": "saga-1",
        "agency_id": "agency-1",
        "agent_id": "agent-1",
        "client_id": "client-1",
        "hotel_id": "hotel-lome",
        "room_type_id": "rt-suite",
        "stay": NEW_STAY,
        "guests": 3,
    }
    return StartChange.model_validate(fields | overrides)


def new_room_held() -> RoomHeld:
    prices = [
        NightlyPrice(night=NEW_STAY.check_in + timedelta(days=i), price=Decimal(80))
        for i in range(NEW_STAY.nights)
    ]
    return RoomHeld(
        hold_id="hold-2",
        hotel_id="hotel-lome",
        room_type_id="rt-suite",
        room_id="room-31",
        room_number="31",
        hotel_name="Hôtel du Golfe",
        room_type_name="Suite",
        stay=NEW_STAY,
        nightly_prices=prices,
        total=Decimal(80 * NEW_STAY.nights),
        currency="XOF",
        hold_expires_at=T0 + timedelta(minutes=15),
    )


@dataclass
class Pair:
    """A confirmed booking and a change of it, the change's requests delivered to the booking."""

    booking: Saga
    change: Saga
    now: datetime = T0
    decisions: list[Decision] = field(default_factory=list)
    booking_decisions: list[Decision] = field(default_factory=list)

    @classmethod
    def start(cls, request: StartChange | None = None) -> Pair:
        booking = confirmed_run().saga
        change = new_change(CHANGE_ID, request or change_request(), T0, REGISTRY)
        pair = cls(booking, change)
        pair.to_change(Started("start-change", StartChange.message_type))
        return pair

    def to_change(self, incoming: Incoming) -> Decision:
        decision = transition(self.change, incoming, self.now, REGISTRY)
        self.change = decision.saga
        self.decisions.append(decision)
        for command in decision.commands:
            if command.service == Service.ORCHESTRATOR:
                assert isinstance(command.command, ToBooking)
                self.to_booking(Asked(command.message_id, command.command, CHANGE_ID))
        return decision

    def to_booking(self, incoming: Incoming) -> Decision:
        decision = transition(self.booking, incoming, self.now, REGISTRY)
        self.booking = decision.saga
        self.booking_decisions.append(decision)
        for answer in decision.replies:
            assert answer.to_saga == CHANGE_ID
            self.to_change(ReplyReceived(answer.message_id, answer.reply, answer.causation_id))
        return decision

    def reply(self, reply: Reply) -> Decision:
        return self.to_change(ReplyReceived(str(uuid.uuid4()), reply))

    def sent(self) -> list[type]:
        """Every command the change sent to a participant (not to its booking), in order."""
        return [
            type(c.command)
            for d in self.decisions
            for c in d.commands
            if c.service != Service.ORCHESTRATOR
        ]

    def asked(self) -> list[type]:
        return [
            type(c.command)
            for d in self.decisions
            for c in d.commands
            if c.service == Service.ORCHESTRATOR
        ]

    def later(self, seconds: float) -> None:
        self.now = self.now + timedelta(seconds=seconds)


def test_a_change_moves_the_booking_to_new_dates_and_room_type() -> None:
    pair = Pair.start()
    before = pair.booking.data
    assert pair.asked() == [LockBooking] and pair.sent() == [HoldRoom]
    assert pair.booking.data.locked_by == CHANGE_ID
    assert pair.change.data.before is not None and pair.change.data.before.stay == STAY

    pair.reply(new_room_held())
    assert pair.sent() == [HoldRoom, ChangeReservation]
    pair.reply(ReservationChanged(reservation_id="res-1", confirmation_code="ABCD2345", version=2))
    assert pair.sent()[-1] is MoveBooking
    pair.reply(BookingMoved(booking_saga_id="saga-1", hold_id="hold-1"))

    assert pair.asked() == [LockBooking, ApplyChange]
    assert pair.change.state == SagaState.CONFIRMED
    after = pair.booking.data
    assert pair.booking.state == SagaState.CONFIRMED
    assert (after.stay, after.room_type_id, after.room_number, after.guests) == (
        NEW_STAY,
        "rt-suite",
        "31",
        3,
    )
    assert after.total == Decimal(80 * NEW_STAY.nights) and before.total == Decimal(100)
    assert after.confirmation_code == before.confirmation_code
    assert after.hold_id == before.hold_id  # the booking's hold now owns the new nights
    assert (after.locked_by, after.changes) == (None, (CHANGE_ID,))
    [changed] = [e.event for d in pair.booking_decisions for e in d.events if e.public_name]
    assert isinstance(changed, BookingChanged) and changed.stay == NEW_STAY


def test_new_nights_already_sold_leave_the_booking_exactly_as_it_was() -> None:
    pair = Pair.start()
    before = pair.booking

    pair.reply(RoomUnavailable(reason="no_room_free", detail="all taken"))

    assert pair.change.state == SagaState.FAILED
    assert pair.change.failure_reason == reasons.room_unavailable(
        RoomUnavailable(reason="no_room_free", detail="x")
    )
    assert pair.asked() == [LockBooking, UnlockBooking]
    assert ChangeReservation not in pair.sent() and MoveBooking not in pair.sent()
    assert pair.booking.data == before.data.model_copy(update={"locked_by": None})
    assert pair.booking.data.locked_by is None


def test_a_booking_being_changed_cannot_be_cancelled_nor_changed_twice() -> None:
    pair = Pair.start()
    cancel = CancelBooking(booking_saga_id="saga-1", requested_by="agent-1", reason="no")
    pair.to_booking(CancelRequested("cancel-1", cancel))
    assert pair.booking.state == SagaState.CONFIRMED and pair.booking.phase == Phase.FORWARD

    second = transition(
        pair.booking,
        Asked("lock-2", LockBooking(
            booking_saga_id="saga-1", agency_id="agency-1", client_id="client-1",
            hotel_id="hotel-lome",
        ), "change-2"),
        T0,
        REGISTRY,
    )  # fmt: skip
    [refusal] = second.replies
    assert isinstance(refusal.reply, BookingNotChangeable)
    assert refusal.reply.reason == "Another change of this booking is under way."


def test_a_change_of_another_agency_is_refused_and_holds_nothing_for_long() -> None:
    pair = Pair.start(change_request(agency_id="agency-2"))

    assert pair.booking.data.locked_by is None
    # The hold went out with the lock (they run together): it may have happened, so it is undone.
    pair.reply(new_room_held())
    assert pair.sent() == [HoldRoom, ReleaseHold]
    pair.reply(HoldReleased(hold_id="hold-2"))
    assert pair.change.state == SagaState.FAILED
    assert pair.change.failure_reason == "The booking belongs to another agency."
    assert UnlockBooking not in pair.asked()  # a refused lock holds nothing to undo


def test_a_lapsed_hold_at_the_swap_undoes_the_change_last_step_first() -> None:
    pair = Pair.start()
    pair.reply(new_room_held())
    pair.reply(ReservationChanged(reservation_id="res-1", confirmation_code="ABCD2345", version=2))

    pair.reply(HoldExpired(hold_id="hold-2", detail="lapsed"))

    assert pair.change.state == SagaState.COMPENSATING
    assert pair.sent()[-1] is RevertReservationChange
    pair.reply(ReservationChangeReverted(booking_saga_id="saga-1", version=3))
    assert pair.sent()[-1] is ReleaseHold
    pair.reply(HoldReleased(hold_id="hold-2"))
    assert pair.asked()[-1] is UnlockBooking
    assert pair.change.state == SagaState.FAILED
    assert pair.change.failure_reason == reasons.CHANGE_HOLD_EXPIRED
    assert pair.booking.data.stay == STAY and pair.booking.data.locked_by is None


def test_past_the_swap_the_change_never_gives_up_and_shows_stuck() -> None:
    pair = Pair.start()
    pair.reply(new_room_held())
    pair.reply(ReservationChanged(reservation_id="res-1", confirmation_code="ABCD2345", version=2))
    moves = pair.sent().count(MoveBooking)
    for _ in range(12):  # the rooms service is down for a long while
        pair.later(40)
        pair.to_change(DeadlinePassed())
    assert pair.change.state == SagaState.STUCK and pair.change.phase == Phase.FORWARD
    assert pair.sent().count(MoveBooking) > moves + 3
    assert RevertReservationChange not in pair.sent()

    refused = pair.to_change(OperatorCompensate("op-1"))
    assert refused.saga.phase == Phase.FORWARD  # an operator cannot undo it either

    pair.reply(BookingMoved(booking_saga_id="saga-1", hold_id="hold-1"))
    assert pair.change.state == SagaState.CONFIRMED
    assert pair.booking.data.stay == NEW_STAY


def test_resent_requests_get_the_same_answers() -> None:
    pair = Pair.start()
    lock = next(c for d in pair.decisions for c in d.commands if isinstance(c.command, LockBooking))
    assert isinstance(lock.command, LockBooking)
    again = pair.to_booking(Asked("lock-resent", lock.command, CHANGE_ID))
    [answer] = again.replies
    assert isinstance(answer.reply, BookingLocked)
    assert pair.booking.data.locked_by == CHANGE_ID

    copy = transition(pair.booking, Asked("lock-resent", lock.command, CHANGE_ID), T0, REGISTRY)
    assert copy.replies == ()  # the same message again: its answer is already in the outbox
