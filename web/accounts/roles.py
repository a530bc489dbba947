"""Who a signed-in person is, and what their role lets them see and do. Pure rules, no I/O.

- **agent**: books for their agency, and sees the bookings they made.
- **agency manager**: an agent who also sees all of the agency's bookings and manages its
  agents (creates them, disables and enables them).
- **hotel manager**: runs one or more hotels (rates, closures, the calendar) and sees those
  hotels' bookings, with the guest's name and no other personal data.
- **operator**: head office; sees everything, runs sagas and dead letters, agencies and users.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from infra.actor import Actor

HEAD_OFFICE = "head-office"  # the agency named to other services for people of no agency


class Role(StrEnum):
    AGENT = "agent"
    AGENCY_MANAGER = "agency_manager"
    HOTEL_MANAGER = "hotel_manager"
    OPERATOR = "operator"


AGENCY_ROLES = frozenset({Role.AGENT, Role.AGENCY_MANAGER})


@dataclass(frozen=True)
class User:
    """A signed-in person, as their session was found in the accounts store."""

    username: str
    role: Role
    agency_id: str | None = None
    hotel_ids: frozenset[str] = field(default_factory=frozenset)
    display_name: str = ""
    token_id: str = ""
    expires_at: float = 0.0  # epoch seconds

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    @property
    def books(self) -> bool:
        """Books rooms and registers clients for an agency."""
        return self.role in AGENCY_ROLES and self.agency_id is not None

    @property
    def agency(self) -> str:
        """The agency of someone who books (see `books`)."""
        if self.agency_id is None:
            raise ValueError(f"{self.username} belongs to no agency")
        return self.agency_id

    @property
    def manages_hotels(self) -> bool:
        return self.role is Role.HOTEL_MANAGER

    def acting(self) -> dict[str, str]:
        """The headers naming this person to a service that decides per person (clients)."""
        return Actor(self.username, str(self.role), self.agency_id or HEAD_OFFICE).headers()


def may_see_booking(user: User, data: Mapping[str, Any]) -> bool:
    """Whether `user` may see a booking (or a change of one) whose saga data is `data`."""
    match user.role:
        case Role.OPERATOR:
            return True
        case Role.HOTEL_MANAGER:
            return data.get("hotel_id") in user.hotel_ids
        case Role.AGENCY_MANAGER:
            return user.agency_id is not None and data.get("agency_id") == user.agency_id
        case Role.AGENT:
            return (
                user.agency_id is not None
                and data.get("agency_id") == user.agency_id
                and data.get("agent_id") == user.username
            )
    return False


def booking_scope(user: User) -> dict[str, Any]:
    """The orchestrator's list filters that show `user` exactly the bookings they may see."""
    match user.role:
        case Role.OPERATOR:
            return {}
        case Role.HOTEL_MANAGER:
            return {"hotel_id": sorted(user.hotel_ids) or ["-"]}  # none managed: nothing
        case Role.AGENCY_MANAGER:
            return {"agency_id": user.agency_id}
        case Role.AGENT:
            return {"agency_id": user.agency_id, "agent_id": user.username}
    raise AssertionError(user.role)


def may_hold_personal_data(user: User) -> bool:
    """Whether a booking shown to `user` may name its client (an id that opens their file)."""
    return user.role is not Role.HOTEL_MANAGER


def may_run_hotel(user: User, hotel_id: str) -> bool:
    return user.is_operator or (user.manages_hotels and hotel_id in user.hotel_ids)


@dataclass(frozen=True)
class Account:
    """A person as the accounts store holds them."""

    username: str
    display_name: str
    role: Role
    agency_id: str | None
    hotel_ids: frozenset[str]
    active: bool
    created_at: datetime | None = None


def refusal_to_create(actor: User, role: Role, agency_id: str | None) -> str | None:
    """Why `actor` may not create an account of `role` in `agency_id`, or None if they may."""
    if actor.role is Role.AGENCY_MANAGER:
        if role is not Role.AGENT:
            return "An agency manager creates agents only."
        if agency_id != actor.agency_id:
            return "An agency manager creates agents of their own agency only."
        return None
    if actor.role is not Role.OPERATOR:
        return "Only operators and agency managers create accounts."
    return None


def refusal_to_manage(actor: User, target: Account) -> str | None:
    """Why `actor` may not disable or enable `target`, or None if they may."""
    if target.username == actor.username:
        return "You cannot disable, enable or reset your own account here."
    if actor.is_operator:
        return None
    if (
        actor.role is Role.AGENCY_MANAGER
        and target.role is Role.AGENT
        and target.agency_id == actor.agency_id
    ):
        return None
    return "You manage the agents of your own agency only."


def may_see_account(actor: User, target: Account) -> bool:
    if actor.is_operator or actor.username == target.username:
        return True
    return actor.role is Role.AGENCY_MANAGER and target.agency_id == actor.agency_id
