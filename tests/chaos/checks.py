"""The invariants of one scenario, as pure functions over what the stores hold after it and
what the agents saw. No I/O: `facts` reads the stores, these judge them."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from contracts.sagas import TERMINAL_STATES
from tests.bench.checks import Sold

ENDED = frozenset(str(state) for state in TERMINAL_STATES)
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{24,}\b")
POSITION = re.compile(r"\bline \d+ column \d+")
REASON_CHARACTERS = 160


@dataclass
class Booking:
    """One booking as its agent saw it."""

    booking_id: str
    kind: str
    submitted_at: float  # monotonic
    accepted: bool = False  # a 202 came back
    seen: str | None = None  # the end its stream showed, if any
    ended_at: float | None = None  # monotonic, when the end was seen
    retries: int = 0  # submits or streams tried again after an error
    error: str | None = None  # the last error, if it ended without an end
    change_id: str | None = None  # a change of the confirmed booking the agent asked for
    change_accepted: bool = False
    change_seen: str | None = None  # the end the change's stream showed, if any


@dataclass(frozen=True)
class Saga:
    saga_id: str
    state: str
    failure_reason: str | None = None
    kind: str = "booking"  # or "change"
    stay: tuple[date, date] | None = None  # check-in and check-out, as the saga holds them


@dataclass(frozen=True)
class Hold:
    hold_id: str
    saga_id: str
    status: str  # HELD, CONFIRMED, RELEASED, EXPIRED


@dataclass(frozen=True)
class Night:
    """A room_nights row: the night is taken by that hold."""

    room_id: str
    night: date
    hold_id: str


@dataclass(frozen=True)
class Reservation:
    saga_id: str
    status: str
    room_id: str
    check_in: date
    check_out: date

    def nights(self) -> list[date]:
        return Sold(self.saga_id, self.room_id, self.check_in, self.check_out).nights()


@dataclass(frozen=True)
class Stores:
    """What the stores hold once the scenario has settled."""

    sagas: Sequence[Saga]
    holds: Sequence[Hold]
    nights: Sequence[Night]
    reservations: Sequence[Reservation]

    def state_of(self) -> dict[str, str]:
        return {saga.saga_id: saga.state for saga in self.sagas}


def states(stores: Stores, kind: str = "booking") -> Counter[str]:
    return Counter(saga.state for saga in stores.sagas if saga.kind == kind)


def open_sagas(stores: Stores) -> list[str]:
    """Sagas neither ended nor STUCK: still in flight."""
    return [s.saga_id for s in stores.sagas if s.state not in ENDED and s.state != "STUCK"]


def doubled_nights(stores: Stores) -> list[tuple[str, date]]:
    """Room-nights two live bookings claim: confirmed reservations claim their nights, and
    every room_nights row claims its night for its hold's saga (or for the hold itself when
    no hold row names a saga)."""
    saga_of_hold = {hold.hold_id: hold.saga_id for hold in stores.holds}
    claims: defaultdict[tuple[str, date], set[str]] = defaultdict(set)
    for reservation in _confirmed(stores.reservations):
        for night in reservation.nights():
            claims[(reservation.room_id, night)].add(reservation.saga_id)
    for row in stores.nights:
        claims[(row.room_id, row.night)].add(saga_of_hold.get(row.hold_id, f"hold {row.hold_id}"))
    return sorted(key for key, sagas in claims.items() if len(sagas) > 1)


def unheld_nights(stores: Stores) -> list[tuple[str, date]]:
    """Nights of a confirmed reservation the rooms store holds for nobody: sold, yet free to
    be sold again."""
    taken = {(row.room_id, row.night) for row in stores.nights}
    return sorted(
        (reservation.room_id, night)
        for reservation in _confirmed(stores.reservations)
        for night in reservation.nights()
        if (reservation.room_id, night) not in taken
    )


def holds_left_behind(stores: Stores) -> dict[str, list[str]]:
    """Holds that keep a room with no booking to show for it, by why (hold ids)."""
    holds = {hold.hold_id: hold for hold in stores.holds}
    state = stores.state_of()
    taking = {row.hold_id for row in stores.nights}
    return {
        "nights of no hold": sorted(taking - holds.keys()),
        "nights of a hold not confirmed": sorted(
            hold_id for hold_id in taking & holds.keys() if holds[hold_id].status != "CONFIRMED"
        ),
        "still HELD": sorted(hold.hold_id for hold in stores.holds if hold.status == "HELD"),
        "confirmed for a booking not confirmed": sorted(
            hold.hold_id
            for hold in stores.holds
            if hold.status == "CONFIRMED" and state.get(hold.saga_id) != "CONFIRMED"
        ),
    }


def left_behind_count(left: dict[str, list[str]]) -> int:
    return len({hold_id for hold_ids in left.values() for hold_id in hold_ids})


def reservations_without_booking(stores: Stores) -> list[str]:
    """Confirmed reservations whose saga is not CONFIRMED (or not there at all)."""
    state = stores.state_of()
    return sorted(
        r.saga_id for r in _confirmed(stores.reservations) if state.get(r.saga_id) != "CONFIRMED"
    )


def bookings_without_reservation(stores: Stores) -> list[str]:
    """CONFIRMED sagas without exactly one confirmed reservation."""
    per_saga = Counter(r.saga_id for r in _confirmed(stores.reservations))
    return sorted(
        saga.saga_id
        for saga in stores.sagas
        if saga.kind == "booking" and saga.state == "CONFIRMED" and per_saga[saga.saga_id] != 1
    )


def stays_disagreeing(stores: Stores) -> list[str]:
    """CONFIRMED bookings whose stay is not their confirmed reservation's (a change applied
    on one side only)."""
    reserved = {(r.saga_id): (r.check_in, r.check_out) for r in _confirmed(stores.reservations)}
    return sorted(
        saga.saga_id
        for saga in stores.sagas
        if saga.kind == "booking"
        and saga.state == "CONFIRMED"
        and saga.saga_id in reserved
        and saga.stay != reserved[saga.saga_id]
    )


@dataclass(frozen=True)
class AgentView:
    """What the agents saw, against the store."""

    submitted: int
    accepted: int
    refused: list[str] = field(default_factory=list)  # never accepted, not in the store
    unseen: list[str] = field(default_factory=list)  # no end seen by the agent
    lost: list[str] = field(default_factory=list)  # accepted, no end seen, not in the store
    told_wrong: list[str] = field(default_factory=list)  # the end seen is not the store's


def agent_view(bookings: Sequence[Booking], stores: Stores) -> AgentView:
    state = stores.state_of()
    stored = state.keys()
    return AgentView(
        submitted=len(bookings),
        accepted=sum(1 for b in bookings if b.accepted or b.booking_id in stored),
        refused=[b.booking_id for b in bookings if not b.accepted and b.booking_id not in stored],
        unseen=[b.booking_id for b in bookings if b.seen is None],
        lost=[
            b.booking_id
            for b in bookings
            if b.seen is None and b.accepted and b.booking_id not in stored
        ]
        + [
            b.change_id
            for b in bookings
            if b.change_id
            and b.change_accepted
            and b.change_seen is None
            and b.change_id not in stored
        ],
        told_wrong=[
            b.booking_id for b in bookings if b.seen in ENDED and state.get(b.booking_id) != b.seen
        ]
        + [
            b.change_id
            for b in bookings
            if b.change_id and b.change_seen in ENDED and state.get(b.change_id) != b.change_seen
        ],
    )


def recovery_seconds(bookings: Iterable[Booking], fault_ended: float) -> float | None:
    """From the fault's end to the first confirmation an agent saw after it."""
    after = [
        b.ended_at
        for b in bookings
        if b.seen == "CONFIRMED" and b.ended_at is not None and b.ended_at >= fault_ended
    ]
    return round(min(after) - fault_ended, 1) if after else None


def reason(text: str | None) -> str:
    """A reason to group by: ids replaced, kept short."""
    text = ID.sub("<id>", (text or "(no reason)").strip())
    return POSITION.sub("line N column N", text)[:REASON_CHARACTERS]


def _confirmed(reservations: Iterable[Reservation]) -> list[Reservation]:
    return [r for r in reservations if r.status == "CONFIRMED"]


# The numbers a scenario is judged by; any of them above zero breaks it.
BREAKING = (
    "lost",
    "told_wrong",
    "open",
    "doubled",
    "unheld",
    "holds_left_behind",
    "reservations_without_booking",
    "bookings_without_reservation",
    "stay_disagrees",
    "stuck_after_retry",
)


def judge(
    bookings: Sequence[Booking], settled: Stores, final: Stores, fault_ended: float
) -> dict[str, object]:
    """A scenario's figures: outcomes as the platform left them (`settled`), the invariants
    once the operator has retried every STUCK saga (`final`), with examples of what broke."""
    seen = agent_view(bookings, final)
    ended = states(settled)
    left = holds_left_behind(final)
    doubled, unheld = doubled_nights(final), unheld_nights(final)
    orphans, missing = reservations_without_booking(final), bookings_without_reservation(final)
    disagreeing = stays_disagreeing(final)
    changes = states(settled, "change")
    figures: dict[str, object] = {
        "submitted": seen.submitted,
        "accepted": seen.accepted,
        "refused": len(seen.refused),
        "no_end_seen": len(seen.unseen),
        "agent_retries": sum(b.retries for b in bookings),
        "confirmed": ended["CONFIRMED"],
        "failed": ended["FAILED"],
        "cancelled": ended["CANCELLED"],
        "stuck": ended["STUCK"] + changes["STUCK"],
        "changes_asked": sum(1 for b in bookings if b.change_id),
        "changes_confirmed": changes["CONFIRMED"],
        "changes_failed": changes["FAILED"],
        "stuck_reasons": dict(
            Counter(reason(s.failure_reason) for s in settled.sagas if s.state == "STUCK")
        ),
        "failure_reasons": dict(
            Counter(reason(s.failure_reason) for s in settled.sagas if s.state == "FAILED")
        ),
        "stuck_after_retry": states(final)["STUCK"] + states(final, "change")["STUCK"],
        "open": len(open_sagas(final)),
        "lost": len(seen.lost),
        "told_wrong": len(seen.told_wrong),
        "doubled": len(doubled),
        "unheld": len(unheld),
        "holds_left_behind": left_behind_count(left),
        "holds_left_behind_by_why": {why: len(ids) for why, ids in left.items() if ids},
        "reservations_without_booking": len(orphans),
        "bookings_without_reservation": len(missing),
        "stay_disagrees": len(disagreeing),
        "recovery_seconds": recovery_seconds(bookings, fault_ended),
    }
    figures["examples"] = {
        name: [str(item) for item in items[:5]]
        for name, items in (
            ("lost", seen.lost),
            ("told_wrong", seen.told_wrong),
            ("open", open_sagas(final)),
            ("doubled", doubled),
            ("unheld", unheld),
            ("holds_left_behind", sorted({i for ids in left.values() for i in ids})),
            ("reservations_without_booking", orphans),
            ("bookings_without_reservation", missing),
            ("stay_disagrees", disagreeing),
        )
        if items
    }
    return figures


def broken(figures: dict[str, object]) -> list[str]:
    """The invariants a scenario broke; a scenario that could not run breaks them all."""
    if figures.get("error"):
        return ["error"]
    return [name for name in BREAKING if _count(figures.get(name)) > 0]


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0
