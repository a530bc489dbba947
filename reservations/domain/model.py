"""A reservation: the booking's record, with its status and the history of that status.

A change of the booking (other dates, another room type, another number of guests) writes a
new version of the same reservation: same id, same confirmation code, `version` one more, and
the version it replaced kept in `history`. Undoing a change (`reverted`) is a version too: the
one before the change, written again, so the history only ever grows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class ReservationStatus(StrEnum):
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class StatusChange:
    status: ReservationStatus
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class HotelSnapshot:
    """The hotel as it was when booked, so a later rename does not rewrite the record."""

    hotel_id: str
    name: str


@dataclass(frozen=True)
class RoomSnapshot:
    room_type_id: str
    room_type_name: str
    room_id: str
    room_number: str


@dataclass(frozen=True)
class NightPrice:
    night: date
    price: Decimal


class Replacement(StrEnum):
    """What ended a version: a change wrote the next one, or the change that made it was
    reverted and the version before it was written again."""

    CHANGE = "CHANGE"
    REVERT = "REVERT"


@dataclass(frozen=True)
class PastVersion:
    """A version of a reservation as it was until `replaced_at`: what the booking was then."""

    version: int
    room: RoomSnapshot
    check_in: date
    check_out: date
    guests: int
    nightly_prices: tuple[NightPrice, ...]
    total: Decimal
    currency: str
    replaced_by: str  # the change (its saga id) whose change, or revert, replaced it
    replacement: Replacement
    replaced_at: datetime
    reason: str | None = None  # why the change was reverted; None for a change

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


class ChangeNotReversible(ValueError):
    """The history does not hold the version a change replaced (a corrupt document)."""


@dataclass(frozen=True)
class Reservation:
    reservation_id: str
    confirmation_code: str
    saga_id: str
    client_id: str
    agency_id: str
    hotel: HotelSnapshot
    room: RoomSnapshot
    check_in: date
    check_out: date
    guests: int
    nightly_prices: tuple[NightPrice, ...]
    total: Decimal
    currency: str
    status: ReservationStatus
    status_history: tuple[StatusChange, ...]
    created_at: datetime
    updated_at: datetime
    version: int = 1
    # The change (its saga id) whose change wrote this version; None for the version the
    # booking wrote, and for a version written by a revert.
    changed_by: str | None = None
    history: tuple[PastVersion, ...] = ()  # the versions before this one, oldest first

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def version_written_by(self, change_id: str) -> int | None:
        """The version that change `change_id` wrote, current or past; None if it wrote none."""
        if self.changed_by == change_id:
            return self.version
        for past in self.history:
            if past.replaced_by == change_id and past.replacement is Replacement.CHANGE:
                return past.version + 1
        return None

    def changed(
        self,
        change_id: str,
        room: RoomSnapshot,
        check_in: date,
        check_out: date,
        guests: int,
        nightly_prices: tuple[NightPrice, ...],
        total: Decimal,
        currency: str,
        at: datetime,
    ) -> Reservation:
        """The next version, written by change `change_id`; the current one goes to the
        history. A change that already wrote a version changes nothing more."""
        if self.version_written_by(change_id) is not None:
            return self
        return replace(
            self,
            room=room,
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            nightly_prices=nightly_prices,
            total=total,
            currency=currency,
            version=self.version + 1,
            changed_by=change_id,
            history=(*self.history, self._past(change_id, Replacement.CHANGE, at, None)),
            updated_at=at,
        )

    def reverted(self, change_id: str, reason: str, at: datetime) -> Reservation:
        """The next version equal to the one before change `change_id`, if that change wrote
        the current version; otherwise (reverted already, never made, or changed again since)
        this reservation unchanged. The status stays as it is."""
        if self.changed_by != change_id:
            return self
        before = self.history[-1] if self.history else None
        if (
            before is None
            or before.replaced_by != change_id
            or before.replacement is not Replacement.CHANGE
            or before.version != self.version - 1
        ):
            raise ChangeNotReversible(
                f"reservation {self.reservation_id} version {self.version} was written by "
                f"change {change_id}, but its history does not hold the version before it"
            )
        return replace(
            self,
            room=before.room,
            check_in=before.check_in,
            check_out=before.check_out,
            guests=before.guests,
            nightly_prices=before.nightly_prices,
            total=before.total,
            currency=before.currency,
            version=self.version + 1,
            changed_by=None,
            history=(*self.history, self._past(change_id, Replacement.REVERT, at, reason)),
            updated_at=at,
        )

    def _past(
        self, replaced_by: str, replacement: Replacement, at: datetime, reason: str | None
    ) -> PastVersion:
        return PastVersion(
            version=self.version,
            room=self.room,
            check_in=self.check_in,
            check_out=self.check_out,
            guests=self.guests,
            nightly_prices=self.nightly_prices,
            total=self.total,
            currency=self.currency,
            replaced_by=replaced_by,
            replacement=replacement,
            replaced_at=at,
            reason=reason,
        )

    def cancelled(self, reason: str, at: datetime) -> Reservation:
        """This reservation cancelled; cancelling a cancelled one changes nothing."""
        if self.status is ReservationStatus.CANCELLED:
            return self
        change = StatusChange(ReservationStatus.CANCELLED, at, reason)
        return replace(
            self,
            status=ReservationStatus.CANCELLED,
            status_history=(*self.status_history, change),
            updated_at=at,
        )
