"""Finding bookings: the public search's filters as the orchestrator's list query, inside the
scope of what the person may see (never wider), and a client's name as the ids of the clients
of that name the person may find."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import status

from contracts.sagas import SagaState
from web.accounts.roles import User, booking_scope, may_hold_personal_data
from web.upstream import Upstreams, call

# A confirmation code as typed: letters and digits, any case, spaces or dashes between groups.
CODE_NOISE = re.compile(r"[\s-]+")
CODE = re.compile(r"^[A-Z0-9]{1,32}$")
# Clients a search by name looks among, at most (the orchestrator takes this many ids).
MAX_CLIENTS_NAMED = 200
CLIENTS_PAGE = 100  # the clients service's largest page
NOTHING = "-"  # an id no saga has: a filter that finds nothing


@dataclass(frozen=True)
class BookingSearch:
    code: str | None = None
    client: str | None = None  # words of the client's name
    client_id: str | None = None
    hotel_id: str | None = None
    stay_from: date | None = None
    stay_to: date | None = None
    status: str | None = None


def orchestrator_query(
    user: User, search: BookingSearch, client_ids: list[str] | None
) -> dict[str, Any] | None:
    """The `GET /sagas` parameters (paging aside) that find the bookings `search` asks for
    among those `user` may see; None when none can match. `client_ids`: the clients a search
    by name found (None when it did not search by name)."""
    query: dict[str, Any] = {"kind": "booking", **booking_scope(user)}
    if search.code is not None:
        code = CODE_NOISE.sub("", search.code).upper()
        if not CODE.match(code):
            return None
        query["confirmation_code"] = code
    if search.status is not None:
        if search.status.upper() not in SagaState.__members__:
            return None
        query["state"] = search.status.upper()
    if search.hotel_id is not None:
        scoped = query.get("hotel_id")  # a hotel manager's hotels: the search stays inside
        query["hotel_id"] = [
            search.hotel_id if scoped is None or search.hotel_id in scoped else NOTHING
        ]
    clients = _clients(user, search.client_id, client_ids)
    if clients == []:
        return None
    if clients is not None:
        query["client_id"] = clients
    query |= {
        name: value.isoformat()
        for name, value in (("stay_from", search.stay_from), ("stay_to", search.stay_to))
        if value is not None
    }
    return query


def _clients(user: User, client_id: str | None, named: list[str] | None) -> list[str] | None:
    """The client ids the search keeps; None for any client."""
    # Only a person who may hold a client's id may look a booking up by it.
    wanted = client_id if client_id and may_hold_personal_data(user) else None
    if named is None:
        return None if wanted is None else [wanted]
    return [c for c in named if wanted is None or c == wanted]


async def clients_named(user: User, services: Upstreams, words: str) -> list[str]:
    """The ids of the clients whose name holds every word, among those the clients service
    lets `user` find (an agency's own clients; every client for head office), at most
    `MAX_CLIENTS_NAMED`."""
    ids: list[str] = []
    while len(ids) < MAX_CLIENTS_NAMED:
        params = {"q": words, "limit": CLIENTS_PAGE, "offset": len(ids)}
        answered = frozenset({status.HTTP_403_FORBIDDEN})
        response = await call(
            services.clients, "GET", "/clients", answered, params=params, headers=user.acting()
        )
        if response.status_code != status.HTTP_200_OK:
            return []  # a person who may not search clients finds none
        page = response.json()
        ids += [client["id"] for client in page["items"]]
        if not page["items"] or len(ids) >= page["total"]:
            break
    return ids[:MAX_CLIENTS_NAMED]
