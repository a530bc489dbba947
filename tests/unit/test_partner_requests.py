"""The pure parts of the partners' channel: reading a request, the rejection it earns, the
partner's broker user and what its permissions allow, and the ids of the answers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from contracts.partners import BookingAccepted, RequestBooking, RequestCancellation
from contracts.topology import WEB, Topology
from infra.messaging.permissions import partner_definitions, partner_permissions, permissions
from web.partners.requests import Rejected, booking_request, idempotency_key_in, read_request
from web.partners.sending import answer

pytestmark = pytest.mark.unit

TOPOLOGY = Topology("ns")
NEXT_YEAR = datetime.now(UTC).date() + timedelta(days=365)
BOOKING = {
    "idempotency_key": "acme-000123",
    "client_id": "c-1",
    "hotel_id": "paris-lumiere",
    "room_type_id": "paris-lumiere-double",
    "check_in": NEXT_YEAR.isoformat(),
    "check_out": (NEXT_YEAR + timedelta(days=2)).isoformat(),
    "guests": 2,
}


def body(fields: dict[str, object]) -> bytes:
    return json.dumps(fields).encode()


def rejection(message_id: str | None, message_type: str | None, raw: bytes) -> Rejected:
    with pytest.raises(Rejected) as refused:
        read_request(message_id, message_type, raw)
        booking_request(raw)
    return refused.value


def test_a_booking_request_reads_as_the_public_apis_booking() -> None:
    request = read_request("r-1", RequestBooking.message_type, body(BOOKING))
    assert isinstance(request, RequestBooking) and request.idempotency_key == "acme-000123"
    booking = booking_request(body(BOOKING))
    assert (booking.check_in, booking.guests) == (NEXT_YEAR, 2)
    cancel = read_request("r-2", RequestCancellation.message_type, body({"booking_id": "b"}))
    assert isinstance(cancel, RequestCancellation) and cancel.reason.startswith("Cancelled")


@pytest.mark.parametrize(
    ("message_id", "message_type", "raw", "code"),
    [
        (None, RequestBooking.message_type, body(BOOKING), "request.no_id"),
        ("r", "partners.Teleport.v1", body(BOOKING), "request.unknown_type"),
        ("r", None, body(BOOKING), "request.unknown_type"),
        ("r", RequestBooking.message_type, b"{nope", "request.not_json"),
        ("r", RequestBooking.message_type, b"[1, 2]", "request.not_json"),
        ("r", RequestBooking.message_type, b" " * 70_000, "request.too_large"),
        ("r", RequestBooking.message_type, body(BOOKING | {"guests": 13}), "request.invalid"),
        ("r", RequestBooking.message_type, body(BOOKING | {"extra": 1}), "request.invalid"),
        ("r", RequestBooking.message_type, body(BOOKING | {"check_in": 0}), "request.invalid"),
    ],
)
def test_a_bad_request_is_rejected_with_its_code(
    message_id: str | None, message_type: str | None, raw: bytes, code: str
) -> None:
    assert rejection(message_id, message_type, raw).code == code


def test_a_stay_in_the_past_is_refused_by_the_public_apis_rule() -> None:
    past = BOOKING | {"check_in": "2020-01-12", "check_out": "2020-01-14"}
    refused = rejection("r", RequestBooking.message_type, body(past))
    assert refused.params["errors"] == ["stay_check_in_past"]
    assert "check_in 2020-01-12 is in the past" in refused.reason
    event = refused.event("r", RequestBooking.message_type, idempotency_key_in(body(past)))
    assert (event.request_id, event.idempotency_key) == ("r", "acme-000123")


def test_a_rejection_names_only_a_known_type_and_a_key_that_fits() -> None:
    event = Rejected("request.not_json", "no").event("r", "x" * 300, None)
    assert event.request_type is None
    assert idempotency_key_in(b"{nope") is None
    assert idempotency_key_in(body({"idempotency_key": "k" * 65})) is None
    assert idempotency_key_in(body({"idempotency_key": 12345678})) is None


def test_a_partners_broker_user_names_its_agency_and_no_other_user_does() -> None:
    assert TOPOLOGY.partner_user("acme") == "ns.partner.acme"
    assert TOPOLOGY.partner_of("ns.partner.acme") == "acme"
    assert TOPOLOGY.partner_outcomes_queue("acme").name == "ns.partner.acme.outcomes"
    for user in (None, "", "ns.web", "other.partner.acme", "ns.partner.", "ns.partner.a.b"):
        assert TOPOLOGY.partner_of(user) is None


def _allowed(pattern: str, name: str) -> bool:
    return re.fullmatch(pattern.removeprefix("^").removesuffix("$"), name) is not None


def test_a_partner_writes_requests_and_reads_its_own_queue_only() -> None:
    rights = partner_permissions(TOPOLOGY, "acme")
    assert _allowed(rights.write, "ns.partners.requests")
    assert _allowed(rights.read, "ns.partner.acme.outcomes")
    for name in ("ns.booking.commands", "ns.booking.events", "ns.partners.outcomes"):
        assert not _allowed(rights.write, name) and not _allowed(rights.read, name)
    assert not _allowed(rights.read, "ns.partner.other.outcomes")
    assert not _allowed(rights.read, "ns.partners.gateway")
    assert not _allowed(rights.configure, "ns.partner.acme.outcomes")
    document = partner_definitions(TOPOLOGY, "acme", "secret")
    assert [u["name"] for u in document["users"]] == ["ns.partner.acme"]
    assert document["users"][0]["tags"] == []  # never an impersonator
    assert document["bindings"][0]["routing_key"] == "acme"


def test_the_web_reads_partners_requests_and_writes_their_outcomes() -> None:
    rights = permissions(TOPOLOGY, WEB)
    assert _allowed(rights.read, "ns.partners.gateway")
    assert _allowed(rights.read, "ns.web.events.partners")
    assert _allowed(rights.write, "ns.partners.outcomes")
    assert _allowed(rights.write, "ns.booking.dead-letters")
    assert not _allowed(rights.read, "ns.partner.acme.outcomes")


def test_an_answer_to_one_request_has_one_id_however_often_it_is_sent() -> None:
    accepted = BookingAccepted(request_id="r", booking_id="b", idempotency_key="acme-000123")
    first, again = answer(accepted, "acme", "r", "b"), answer(accepted, "acme", "r", "b")
    assert first.id == again.id and first.data == accepted and first.subject == "b"
    assert answer(accepted, "other", "r", "b").id != first.id
    assert json.loads(first.model_dump_json())["data"]["booking_id"] == "b"
