"""The booking saga's pure core over every path: success, each refusal, cancellation, replays."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.base import Reply
from contracts.booking import CancelBooking, SagaProgressed, StartBooking
from contracts.clients import ClientRejected, ClientVerified, VerifyClient
from contracts.events import BookingCancelled, BookingConfirmed, BookingFailed
from contracts.reservations import (
    CancelReservation,
    ReservationCancelled,
    ReservationRejected,
    ReservationWritten,
    WriteReservation,
)
from contracts.rooms import (
    BookingReleased,
    ConfirmHold,
    HoldConfirmed,
    HoldExpired,
    HoldReleased,
    HoldRoom,
    ReleaseBooking,
    ReleaseHold,
    RoomHeld,
    RoomUnavailable,
)
from contracts.values import NightlyPrice, Stay
from orchestrator.domain import reasons
from orchestrator.domain.booking import BOOKINGS
from orchestrator.domain.definition import Retry
from orchestrator.domain.engine import new_booking, transition
from orchestrator.domain.messages import (
    CancelRequested,
    Decision,
    Incoming,
    ReplyReceived,
    Started,
)
from orchestrator.domain.model import Saga, SagaState

pytestmark = pytest.mark.unit

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
STAY = Stay(check_in=date(2027, 4, 10), check_out=date(2027, 4, 12))
REGISTRY = BOOKINGS.timed(timedelta(seconds=10), Retry(3, timedelta(seconds=1)))


def start_request() -> StartBooking:
    return StartBooking(
        idempotency_key="key-0001-abcd",
        agency_id="agency-1",
        agent_id="agent-1",
        client_id="client-1",
        hotel_id="hotel-lome",
        room_type_id="rt-double",
        stay=STAY,
        guests=2,
    )


def room_held() -> RoomHeld:
    prices = [
        NightlyPrice(night=STAY.check_in + timedelta(days=i), price=Decimal(50)) for i in (0, 1)
    ]
    return RoomHeld(
        hold_id="hold-1",
        hotel_id="hotel-lome",
        room_type_id="rt-double",
        room_id="room-12",
        room_number="12",
        hotel_name="Hôtel du Golfe",
        room_type_name="Double",
        stay=STAY,
        nightly_prices=prices,
        total=Decimal(100),
        currency="XOF",
        hold_expires_at=T0 + timedelta(minutes=15),
    )


RESERVATION_WRITTEN = ReservationWritten(reservation_id="res-1", confirmation_code="ABCD2345")


@dataclass
class Run:
    """Drives one saga through the pure transition, keeping every decision."""

    saga: Saga
    now: datetime = T0
    decisions: list[Decision] = field(default_factory=list)

    @classmethod
    def start(cls, version: int | None = None) -> Run:
        saga = new_booking("saga-1", start_request(), T0, REGISTRY)
        if version is not None:
            saga = Saga(**{**saga.__dict__, "definition_version": version})
        run = cls(saga)
        run.apply(Started(message_id="start-msg"))
        return run

    def apply(self, incoming: Incoming) -> Decision:
        decision = transition(self.saga, incoming, self.now, REGISTRY)
        self.saga = decision.saga
        self.decisions.append(decision)
        return decision

    def reply(self, reply: Reply, message_id: str | None = None) -> Decision:
        return self.apply(ReplyReceived(message_id or str(uuid.uuid4()), reply))

    @property
    def last(self) -> Decision:
        return self.decisions[-1]

    def sent(self) -> list[type]:
        return [type(c.command) for c in self.last.commands]

    def all_sent(self) -> list[type]:
        return [type(c.command) for d in self.decisions for c in d.commands]

    def public_events(self) -> list[object]:
        return [e.event for d in self.decisions for e in d.events if e.public_name]

    def states(self) -> list[str]:
        progressed = [e.event for d in self.decisions for e in d.events]
        return [e.state for e in progressed if isinstance(e, SagaProgressed)]


def confirmed_run(version: int | None = None) -> Run:
    run = Run.start(version)
    run.reply(room_held())
    run.reply(ClientVerified(client_id="client-1"))
    run.reply(RESERVATION_WRITTEN)
    run.reply(HoldConfirmed(hold_id="hold-1"))
    return run


def test_a_booking_holds_and_verifies_in_parallel_then_reserves_and_confirms() -> None:
    run = Run.start()
    assert run.sent() == [HoldRoom, VerifyClient]
    assert run.saga.state == SagaState.PENDING and run.saga.definition_version == 4

    run.reply(room_held())
    assert run.saga.state == SagaState.ROOM_HELD and run.sent() == []
    run.reply(ClientVerified(client_id="client-1"))
    assert run.saga.state == SagaState.CLIENT_VERIFIED and run.sent() == [WriteReservation]
    write = run.last.commands[0].command
    assert isinstance(write, WriteReservation)
    assert (write.room_id, write.total, write.currency) == ("room-12", Decimal(100), "XOF")

    run.reply(RESERVATION_WRITTEN)
    assert run.saga.state == SagaState.RESERVED and run.sent() == [ConfirmHold]
    run.reply(HoldConfirmed(hold_id="hold-1"))

    assert run.saga.state == SagaState.CONFIRMED
    assert run.saga.next_deadline_at is None
    assert run.states() == ["PENDING", "ROOM_HELD", "CLIENT_VERIFIED", "RESERVED", "CONFIRMED"]
    [confirmed] = run.public_events()
    assert isinstance(confirmed, BookingConfirmed)
    assert (confirmed.booking_id, confirmed.confirmation_code) == ("saga-1", "ABCD2345")
    assert run.last.events[-1].public_name == "confirmed"


def test_a_verification_answered_first_waits_for_the_hold() -> None:
    run = Run.start()
    run.reply(ClientVerified(client_id="client-1"))
    assert run.saga.state == SagaState.PENDING and run.sent() == []
    run.reply(room_held())
    assert run.saga.state == SagaState.CLIENT_VERIFIED and run.sent() == [WriteReservation]


def test_no_free_room_fails_with_nothing_to_undo() -> None:
    run = Run.start()
    run.reply(RoomUnavailable(reason="no_room_free", detail="all taken"))
    assert run.saga.state == SagaState.COMPENSATING
    run.reply(ClientVerified(client_id="client-1"))

    assert run.saga.state == SagaState.FAILED
    assert run.saga.failure_reason == "No room of this type is free for these dates."
    assert run.all_sent() == [HoldRoom, VerifyClient]
    [failed] = run.public_events()
    assert isinstance(failed, BookingFailed) and failed.reason == run.saga.failure_reason


@pytest.mark.parametrize(
    ("rejection", "reason"),
    [("unknown", "The client is unknown."), ("blocked", "The client is blocked.")],
)
def test_a_rejected_client_releases_the_hold(rejection: str, reason: str) -> None:
    run = Run.start()
    run.reply(room_held())
    run.reply(ClientRejected(client_id="client-1", reason=rejection))  # type: ignore[arg-type]
    assert run.saga.state == SagaState.COMPENSATING and run.sent() == [ReleaseHold]
    release = run.last.commands[0].command
    assert isinstance(release, ReleaseHold) and release.reason == reason

    run.reply(HoldReleased(hold_id="hold-1"))
    assert run.saga.state == SagaState.FAILED and run.saga.failure_reason == reason
    assert run.states()[-2:] == ["COMPENSATING", "FAILED"]


def test_a_client_rejected_before_the_hold_answers_waits_then_releases_it() -> None:
    run = Run.start()
    run.reply(ClientRejected(client_id="client-1", reason="blocked"))
    assert run.saga.state == SagaState.COMPENSATING and run.sent() == []

    run.reply(room_held())
    assert run.sent() == [ReleaseHold]
    run.reply(HoldReleased(hold_id="hold-1"))
    assert run.saga.state == SagaState.FAILED
    assert run.saga.failure_reason == "The client is blocked."


def test_a_rejected_reservation_releases_the_hold() -> None:
    run = Run.start()
    run.reply(room_held())
    run.reply(ClientVerified(client_id="client-1"))
    run.reply(ReservationRejected(reason="the stay overlaps a closure"))
    assert run.sent() == [ReleaseHold]
    run.reply(HoldReleased(hold_id="hold-1"))
    assert run.saga.state == SagaState.FAILED
    assert run.saga.failure_reason == (
        "The reservation could not be written: the stay overlaps a closure."
    )


def test_a_hold_expired_at_confirmation_cancels_the_reservation_then_releases() -> None:
    run = Run.start()
    run.reply(room_held())
    run.reply(ClientVerified(client_id="client-1"))
    run.reply(RESERVATION_WRITTEN)
    run.reply(HoldExpired(hold_id="hold-1", detail="lapsed"))
    assert run.saga.state == SagaState.COMPENSATING and run.sent() == [CancelReservation]
    run.reply(ReservationCancelled(booking_saga_id="saga-1", reservation_id="res-1"))
    assert run.sent() == [ReleaseHold]
    run.reply(HoldReleased(hold_id="hold-1"))

    assert run.saga.state == SagaState.FAILED
    assert run.saga.failure_reason == reasons.HOLD_EXPIRED
    assert ReleaseBooking not in run.all_sent()  # an expired hold was never confirmed


def test_a_duplicate_reply_changes_nothing_and_is_recorded() -> None:
    run = Run.start()
    run.reply(room_held(), message_id="reply-1")
    before = run.saga
    decision = run.reply(room_held(), message_id="reply-1")

    assert decision.saga == before
    assert (decision.commands, decision.events) == ((), ())
    assert [h.note for h in decision.history] == ["duplicate message, ignored"]


def test_a_late_reply_for_a_decided_step_changes_nothing() -> None:
    run = confirmed_run()
    before = run.saga
    decision = run.reply(ReservationWritten(reservation_id="res-2", confirmation_code="ZZZZ2345"))
    assert decision.saga == before and decision.commands == ()
    assert "late reply" in (decision.history[0].note or "")

    failed = Run.start()
    failed.reply(RoomUnavailable(reason="no_room_free", detail="x"))
    failed.reply(ClientVerified(client_id="client-1"))
    outcome = failed.saga
    failed.reply(room_held())  # a different answer to the already refused hold
    assert failed.saga == outcome and failed.saga.state == SagaState.FAILED


def test_a_repeated_start_starts_nothing_new() -> None:
    run = Run.start()
    decision = run.apply(Started(message_id="another-copy"))
    assert decision.commands == () and decision.history[0].note == "booking already started"
    assert run.apply(Started(message_id="start-msg")).commands == ()


def test_an_in_flight_saga_finishes_under_the_version_it_started_with() -> None:
    run = Run.start(version=1)  # started before hold and verify ran in parallel
    assert run.sent() == [HoldRoom]
    run.reply(room_held())
    assert run.sent() == [VerifyClient]
    run.reply(ClientVerified(client_id="client-1"))
    run.reply(RESERVATION_WRITTEN)
    run.reply(HoldConfirmed(hold_id="hold-1"))
    assert run.saga.state == SagaState.CONFIRMED and run.saga.definition_version == 1
    assert Run.start().saga.definition_version == 4


def test_a_version_3_booking_cancelled_in_flight_releases_its_nights_as_version_3_did() -> None:
    run = confirmed_run(version=3)
    request = CancelBooking(booking_saga_id="saga-1", requested_by="agent-1", reason="Plans")
    run.apply(CancelRequested("cancel-msg", request))
    run.reply(ReservationCancelled(booking_saga_id="saga-1", reservation_id="res-1"))
    assert run.sent() == [ReleaseBooking]
    run.reply(BookingReleased(booking_saga_id="saga-1"))
    assert run.saga.state == SagaState.CANCELLED and run.saga.definition_version == 3


def test_a_confirmed_booking_is_cancelled_in_the_same_saga() -> None:
    run = confirmed_run()
    request = CancelBooking(
        booking_saga_id="saga-1", requested_by="agent-1", reason="Plans changed"
    )
    run.apply(CancelRequested("cancel-msg", request))
    assert run.saga.state == SagaState.CANCELLING and run.sent() == [CancelReservation]
    run.reply(ReservationCancelled(booking_saga_id="saga-1", reservation_id="res-1"))
    assert run.sent() == [ReleaseHold]  # the undo of every step, last first, as on a failure
    run.reply(HoldReleased(hold_id="hold-1"))

    assert run.saga.state == SagaState.CANCELLED
    cancelled = run.public_events()[-1]
    assert isinstance(cancelled, BookingCancelled) and cancelled.reason == "Plans changed"
    assert run.last.events[-1].public_name == "cancelled"


def test_only_a_confirmed_booking_can_be_cancelled() -> None:
    run = Run.start()
    request = CancelBooking(booking_saga_id="saga-1", requested_by="agent-1", reason="No")
    decision = run.apply(CancelRequested("cancel-msg", request))
    assert decision.commands == () and run.saga.state == SagaState.PENDING
    assert "only a confirmed booking" in (decision.history[0].note or "")


def test_saga_data_holds_ids_and_prices_but_no_personal_data() -> None:
    data = confirmed_run().saga.data.model_dump()
    assert data["client_id"] == "client-1"
    assert not {"name", "first_name", "last_name", "email", "phone"} & set(data)
