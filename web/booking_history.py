"""What happened to a booking, in plain words: the orchestrator's history of a booking saga
(every message in and out) as a few coded lines the apps translate. Pure, no I/O.

Only what changed the booking counts: the request, each step that succeeded, each undo, and the
outcome. Resends, duplicates, late or ignored replies and progress events are left out, and no
line carries personal data (a client's id, say): a room number and a confirmation code at most,
both in the booking's view already.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from web.bookings import reason_fields

STEP_NOTE = re.compile(r"^[a-z_]+$")  # an applied reply is noted with its step's name
REQUESTED = "booking requested"
CANCEL_REQUESTED = "cancellation requested"

# A reply that says a step succeeded: its code, and the payload field its one value comes from.
_SUCCEEDED: dict[str, tuple[str, str | None, str | None]] = {
    "rooms.RoomHeld.v1": ("history.room_held", "room", "room_number"),
    "clients.ClientVerified.v1": ("history.client_verified", None, None),
    "reservations.ReservationWritten.v1": ("history.reservation_written", None, None),
}
# A reply that says an undo was done, and the step it undid.
_UNDONE = {
    "rooms.HoldReleased.v1": "hold_room",
    "reservations.ReservationCancelled.v1": "write_reservation",
}


def history_lines(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The saga's history entries (oldest first) as `{at, code, params}` lines."""
    lines: list[dict[str, Any]] = []
    cancelling = False  # after a cancellation is asked for, a release is no undo
    for entry in entries:
        line = _line(entry, cancelling)
        if entry.get("direction") == "in" and entry.get("note") == CANCEL_REQUESTED:
            cancelling = True
        if line is not None:
            code, params = line
            lines.append({"at": _utc(entry["at"]), "code": code, "params": params})
    return lines


def _line(entry: Mapping[str, Any], cancelling: bool) -> tuple[str, dict[str, Any]] | None:
    direction, kind = entry.get("direction"), str(entry.get("message_type", ""))
    payload: Mapping[str, Any] = entry.get("payload") or {}
    note = str(entry.get("note") or "")
    if direction == "in":
        if kind == "booking.StartBooking.v1" and note == REQUESTED:
            return "history.requested", {}
        if not STEP_NOTE.match(note):
            return None  # a duplicate, a late reply or one to no step: nothing happened
        if kind in _SUCCEEDED:
            code, param, field = _SUCCEEDED[kind]
            return code, ({param: payload.get(field)} if param and field else {})
        if kind in _UNDONE and not cancelling:
            return "history.undone", {"step": _UNDONE[kind]}
        return None
    if direction != "out":
        return None
    if kind == "booking.BookingConfirmed.v1":
        return "history.confirmed", {"code": payload.get("confirmation_code")}
    if kind == "booking.BookingFailed.v1":
        reason = reason_fields(payload.get("reason"))
        return "history.failed", {"reason_code": reason["reason_code"], **reason["reason_params"]}
    if kind == "booking.BookingCancelled.v1":
        return "history.cancelled", {}
    if kind == "booking.BookingChanged.v1":
        return "history.changed", {}
    return None


def _utc(at: Any) -> str:
    instant = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
