"""Partners (operators): agencies of kind `partner`, systems that book over the broker, each with
a broker user of its own whose password is shown once, when it is made."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Path, Request, status

from contracts.topology import Topology
from infra.messaging.broker_users import BrokerUsersUnavailable, create_partner_user
from infra.problems import Refusal
from web.accounts.store import PARTNER, Agency, Clash
from web.auth import Operator
from web.edge import COMMON, CONFLICT, NOT_FOUND
from web.entrypoints.accounts_api import AGENCY_ID, AgencyFields
from web.entrypoints.auth_api import accounts
from web.settings import WebSettings

router = APIRouter(prefix="/api", tags=["partners"], responses=COMMON | NOT_FOUND | CONFLICT)
ONCE = "The password is shown this once: keep it in the partner's secrets store."


class PartnerIn(AgencyFields):
    """A partner is an agency without people: the same fields, no manager."""


def _topology(request: Request) -> Topology:
    settings: WebSettings = request.app.state.settings
    return Topology(settings.booking_namespace)


def _partner_out(agency: Agency, topology: Topology) -> dict[str, Any]:
    return {
        "agency_id": agency.agency_id,
        "kind": agency.kind,
        "name": agency.name,
        "city": agency.city,
        "country": agency.country,
        "time_zone": agency.time_zone,
        "currency": agency.currency,
        "active": agency.active,
        "broker_user": topology.partner_user(agency.agency_id),
        "requests_exchange": topology.partner_requests.name,
        "outcomes_queue": topology.partner_outcomes_queue(agency.agency_id).name,
    }


async def _credentials(request: Request, agency_id: str) -> dict[str, Any]:
    """A new broker password for the partner (its user, permissions and queue made if new)."""
    settings: WebSettings = request.app.state.settings
    topology = _topology(request)
    try:
        url = await create_partner_user(settings.amqp_url, topology, agency_id)
    except BrokerUsersUnavailable as exc:
        raise Refusal(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "partner.broker_users_unavailable",
            f"The partner's broker user could not be made here: {exc}.",
            {"reason": str(exc)},
        ) from exc
    return {
        "username": topology.partner_user(agency_id),
        "password": unquote(urlsplit(url).password or ""),
        "amqp_url": url,
        "namespace": settings.booking_namespace,
        "note": ONCE,
    }


@router.get("/partners")
async def list_partners(request: Request, user: Operator) -> dict[str, Any]:
    topology = _topology(request)
    found = await accounts(request).agencies()
    return {
        "items": [_partner_out(agency, topology) for agency, _ in found if agency.kind == PARTNER]
    }


@router.post("/partners", status_code=status.HTTP_201_CREATED)
async def create_partner(request: Request, user: Operator, body: PartnerIn) -> dict[str, Any]:
    """A partner agency and its broker credentials: it publishes requests to
    `requests_exchange` as `username`, and reads its answers and outcomes from `outcomes_queue`."""
    agency = Agency(
        agency_id=body.agency_id or f"partner-{_slug(body.name)}",
        name=body.name,
        city=body.city,
        country=body.country.upper(),
        time_zone=body.time_zone,
        currency=body.currency.upper(),
        kind=PARTNER,
    )
    try:
        await accounts(request).create_agency(agency, None)
    except Clash as exc:
        raise Refusal(
            status.HTTP_409_CONFLICT,
            "account.agency_exists",
            str(exc),
            {"agency_id": agency.agency_id},
        ) from None
    return {
        "partner": _partner_out(agency, _topology(request)),
        "credentials": await _credentials(request, agency.agency_id),
    }


@router.post("/partners/{agency_id}/credentials", status_code=status.HTTP_201_CREATED)
async def renew_credentials(
    request: Request, user: Operator, agency_id: Annotated[str, Path(pattern=AGENCY_ID)]
) -> dict[str, Any]:
    """A new broker password for the partner (the old one stops working), shown once; also the
    way to give one to a partner whose broker user could not be made when it was added."""
    agency = await accounts(request).agency(agency_id)
    if agency is None or agency.kind != PARTNER:
        raise Refusal(
            status.HTTP_404_NOT_FOUND,
            "partner.not_found",
            f"There is no partner {agency_id}.",
            {"agency_id": agency_id},
        )
    return {
        "partner": _partner_out(agency, _topology(request)),
        "credentials": await _credentials(request, agency_id),
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "partner"
