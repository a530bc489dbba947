"""Which broker user is which partner, as the accounts store says."""

from __future__ import annotations

from contracts.topology import Topology
from web.accounts.store import PARTNER, AccountStore


class Partners:
    """A message's `user_id` names a partner when it is `{ns}.partner.<agency_id>` and that
    agency is an active partner. An agency's kind never changes, so it is remembered once read;
    an agency not found (yet) is asked again next time."""

    def __init__(self, accounts: AccountStore, topology: Topology) -> None:
        self._accounts = accounts
        self._topology = topology
        self._partner_kind: dict[str, bool] = {}

    async def agency_of(self, user_id: str | None) -> str | None:
        """The partner agency that published with this `user_id`, or None."""
        agency_id = self._topology.partner_of(user_id)
        if agency_id is None:
            return None
        agency = await self._accounts.agency(agency_id)
        if agency is None or agency.kind != PARTNER or not agency.active:
            return None
        return agency_id

    async def is_partner(self, agency_id: str) -> bool:
        """Whether the agency of a booking is a partner (its outcomes go to its queue)."""
        known = self._partner_kind.get(agency_id)
        if known is None:
            agency = await self._accounts.agency(agency_id)
            if agency is None:
                return False
            known = self._partner_kind[agency_id] = agency.kind == PARTNER
        return known


def unknown_sender(user_id: str | None) -> str:
    """Why a request is not from a partner, for its dead letter."""
    if not user_id:
        return "published without a user-id: a partner's request carries its broker user (user-id)"
    return f"published by user {user_id[:100]!r}, which is no active partner (user-id)"
