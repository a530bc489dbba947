"""Who may read a client's full personal data, and what everyone else sees of it.

Pure rules, no I/O. A person reads a client's full details (contact, document) only with a
reason the clients service can name and record: head office (operators), the client was
registered by the person's agency, or the agency holds a confirmed booking for them. Everyone
else, and every search result, sees the names with the contact data masked and never more
than the last two characters of a document number.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from clients.domain.model import Client, ClientDetails

MASK = "•••"
OPERATOR_ROLE = "operator"
# Roles that act for an agency's clients; any other role (a hotel manager, say) sees masked data.
AGENCY_ROLES = frozenset({"agent", "agency_manager"})


class Access(StrEnum):
    FULL = "full"
    MASKED = "masked"


class LinkReason(StrEnum):
    REGISTERED = "registered"
    BOOKING = "booking"


@dataclass(frozen=True)
class AgencyLink:
    """Why an agency knows a client: it registered them, or holds a confirmed booking."""

    agency_id: str
    reason: LinkReason
    booking_id: str | None
    since: datetime


def read_reason(role: str, agency_id: str, links: list[AgencyLink]) -> str | None:
    """The reason recorded for a full read by this person, or None when they may not read."""
    if role == OPERATOR_ROLE:
        return "head office"
    if role not in AGENCY_ROLES:
        return None
    own = [link for link in links if link.agency_id == agency_id]
    if any(link.reason is LinkReason.REGISTERED for link in own):
        return "registered by the agency"
    if own:
        return f"the agency's booking {own[0].booking_id}"
    return None


def masked(client: Client) -> Client:
    """The client's contact data and document number masked (an operator's note on a block is
    the caller's to show or not)."""
    details = client.details
    return replace(
        client,
        details=ClientDetails(
            first_name=details.first_name,
            last_name=details.last_name,
            email=mask_email(details.email),
            phone=mask_phone(details.phone),
            nationality=details.nationality,
            document_type=details.document_type,
            document_number=(
                None if details.document_number is None else mask_document(details.document_number)
            ),
        ),
    )


def mask_email(email: str) -> str:
    """`z•••@e•••.org`: the first letters and the top-level domain, never the length."""
    local, _, domain = email.rpartition("@")
    top = domain.rsplit(".", 1)[-1]
    return f"{local[:1]}{MASK}@{domain[:1]}{MASK}.{top}"


def mask_phone(phone: str) -> str:
    """`+33•••32`: the country prefix's first digits and the last two."""
    return f"{phone[:3]}{MASK}{phone[-2:]}"


def mask_document(number: str) -> str:
    """`•••34`: the last two characters only, enough to tell two documents apart."""
    return f"{MASK}{number[-2:]}"
