"""The pure parts of broker identities: whom each consumer takes messages from, each broker
user's permissions, the definitions that create them, and the dashboard's requeue rule."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import date

import pytest
from pydantic import ValidationError

from contracts.booking import CancelBooking, CommandSuperseded
from contracts.clients import ClientVerified, VerifyClient
from contracts.reservations import ReservationWritten
from contracts.rooms import HoldRoom, RoomUnavailable
from contracts.topology import PRINCIPALS, WEB, Principal, Service, Topology
from contracts.values import Stay
from infra.launcher import broker_environments
from infra.messaging.broker_users import BrokerUsersUnavailable, boot_definitions, url_as
from infra.messaging.identities import Sender, expected_principal, sender_problem
from infra.messaging.permissions import definitions, password_hash, permissions
from infra.settings import CommonSettings
from web.dead_letters import requeued_user_id

pytestmark = pytest.mark.unit

TOPOLOGY = Topology("ns")
STAY = Stay(check_in=date(2030, 1, 1), check_out=date(2030, 1, 3))
HOLD = HoldRoom(hotel_id="h", room_type_id="t", stay=STAY, guests=2)
KEY = "k" * 32
CANCEL = CancelBooking(booking_saga_id="s", requested_by="a", reason="asked")


def test_each_service_and_web_has_a_broker_user_named_in_the_namespace() -> None:
    assert [TOPOLOGY.broker_user(p) for p in PRINCIPALS] == [
        "ns.rooms",
        "ns.clients",
        "ns.reservations",
        "ns.orchestrator",
        "ns.web",
    ]
    assert Topology("").broker_user(Service.ROOMS) == "rooms"
    assert TOPOLOGY.event_queue(WEB, "progress-1") == "ns.web.events.progress-1"


def test_commands_come_from_the_orchestrator_requests_from_web_replies_from_their_owner() -> None:
    assert expected_principal(Sender.ORCHESTRATOR, HOLD) == Service.ORCHESTRATOR
    assert expected_principal(Sender.REQUESTER, CANCEL) == WEB
    unavailable = RoomUnavailable(reason="no_room_free", detail="none")
    assert expected_principal(Sender.OWNER, unavailable) == Service.ROOMS
    assert expected_principal(Sender.OWNER, ClientVerified(client_id="c")) == Service.CLIENTS
    written = ReservationWritten(reservation_id="r", confirmation_code="ABCDEFGH")
    assert expected_principal(Sender.OWNER, written) == Service.RESERVATIONS


def test_a_superseded_commands_answer_belongs_to_the_service_of_that_command() -> None:
    answer = CommandSuperseded(
        command_type=VerifyClient.message_type, sequence=1, applied_sequence=2
    )
    assert expected_principal(Sender.OWNER, answer) == Service.CLIENTS
    foreign = CommandSuperseded(command_type="booking.Nothing.v1", sequence=1, applied_sequence=2)
    assert sender_problem(TOPOLOGY, Sender.OWNER, foreign, "ns.clients") == (
        "booking.CommandSuperseded.v1 belongs to no service (user-id)"
    )


def test_the_sender_check_passes_only_for_the_expected_user() -> None:
    assert sender_problem(TOPOLOGY, Sender.ORCHESTRATOR, HOLD, "ns.orchestrator") is None
    assert sender_problem(TOPOLOGY, Sender.ORCHESTRATOR, HOLD, "ns.rooms") == (
        "published by user 'ns.rooms', not by the orchestrator (user-id)"
    )
    assert sender_problem(TOPOLOGY, Sender.ORCHESTRATOR, HOLD, None) == (
        "published without a user-id, not by the orchestrator (user-id)"
    )
    # Another namespace's orchestrator is not this one's.
    assert sender_problem(TOPOLOGY, Sender.ORCHESTRATOR, HOLD, "other.orchestrator") is not None
    assert sender_problem(TOPOLOGY, Sender.REQUESTER, CANCEL, "ns.web") is None
    assert sender_problem(TOPOLOGY, Sender.REQUESTER, CANCEL, "ns.orchestrator") is not None
    verified = ClientVerified(client_id="c")
    assert sender_problem(TOPOLOGY, Sender.OWNER, verified, "ns.clients") is None
    assert sender_problem(TOPOLOGY, Sender.OWNER, verified, "ns.rooms") == (
        "published by user 'ns.rooms', not by the clients (user-id)"
    )


def _allowed(pattern: str, name: str) -> bool:
    return re.fullmatch(pattern.removeprefix("^").removesuffix("$"), name) is not None


@pytest.mark.parametrize(
    ("principal", "right", "name", "allowed"),
    [
        (Service.ORCHESTRATOR, "write", "ns.booking.commands", True),
        (Service.ORCHESTRATOR, "write", "ns.booking.replies", True),  # a booking answers a change
        (Service.ORCHESTRATOR, "read", "ns.orchestrator.replies", True),
        (Service.ORCHESTRATOR, "read", "ns.rooms.commands", False),
        (Service.ROOMS, "write", "ns.booking.replies", True),
        (Service.ROOMS, "write", "ns.booking.dead-letters", True),
        (Service.ROOMS, "write", "ns.booking.commands", False),
        (Service.ROOMS, "write", "ns.booking.events", False),
        (Service.ROOMS, "read", "ns.rooms.commands", True),
        (Service.ROOMS, "read", "ns.clients.commands", False),
        (Service.ROOMS, "read", "ns.rooms.commands.dlq", False),
        (Service.ROOMS, "read", "other.rooms.commands", False),
        (Service.CLIENTS, "configure", "ns.clients.events.booking-confirmed", True),
        (Service.CLIENTS, "configure", "ns.clients.commands", False),
        (Service.CLIENTS, "configure", "ns.booking.events", False),
        (Service.CLIENTS, "read", "ns.booking.events", True),
        (WEB, "write", "ns.booking.commands", True),
        (WEB, "write", "ns.booking.replies", True),
        (WEB, "write", "ns.booking.events", True),  # requeues of clients' bookings queue
        (WEB, "read", "ns.clients.events.bookings.dlq", True),
        (WEB, "read", "ns.clients.events.bookings", False),
        (WEB, "read", "ns.rooms.commands.dlq", True),
        (WEB, "read", "ns.orchestrator.replies.dlq", True),
        (WEB, "read", "ns.rooms.commands", False),
        (WEB, "configure", "ns.web.events.progress-web-1a2b", True),
        (WEB, "configure", "ns.booking.commands", False),
    ],
)
def test_each_user_may_touch_only_its_own_names(
    principal: Principal, right: str, name: str, allowed: bool
) -> None:
    rights = permissions(TOPOLOGY, principal)
    assert _allowed(getattr(rights, right), name) is allowed


def test_without_a_namespace_the_names_are_bare() -> None:
    rights = permissions(Topology(""), Service.ROOMS)
    assert _allowed(rights.read, "rooms.commands")
    assert not _allowed(rights.read, "x.rooms.commands")


def test_the_definitions_hold_the_users_their_rights_and_the_topology() -> None:
    passwords = {p: f"{p}-password" for p in PRINCIPALS}
    document = definitions(TOPOLOGY, passwords, administrator=("admin", "admin-password"))
    users = {user["name"]: user for user in document["users"]}
    assert set(users) == {"ns.rooms", "ns.clients", "ns.reservations", "ns.orchestrator"} | {
        "ns.web",
        "admin",
    }
    assert users["ns.web"]["tags"] == ["impersonator"]
    assert users["ns.rooms"]["tags"] == [] and users["admin"]["tags"] == ["administrator"]
    assert all("password" not in user for user in users.values())
    assert {q["name"] for q in document["queues"]} == set(TOPOLOGY.every_queue_name())
    assert {e["name"] for e in document["exchanges"]} == {e.name for e in TOPOLOGY.exchanges()}
    feeds = {(b["source"], b["destination"], b["routing_key"]) for b in document["bindings"]}
    assert ("ns.booking.commands", "ns.rooms.commands", "rooms") in feeds
    assert ("ns.booking.replies", "ns.orchestrator.replies", "orchestrator") in feeds
    assert ("ns.booking.dead-letters", "ns.rooms.commands.dlq", "ns.rooms.commands") in feeds
    plain = definitions(TOPOLOGY, passwords, hashed=False)
    assert {u["name"]: u["password"] for u in plain["users"]}["ns.web"] == "web-password"


def test_password_hashes_are_rabbitmqs_salted_sha256() -> None:
    encoded = base64.b64decode(password_hash("secret", salt=b"\x01\x02\x03\x04"))
    assert encoded == b"\x01\x02\x03\x04" + hashlib.sha256(b"\x01\x02\x03\x04secret").digest()
    assert password_hash("secret") != password_hash("secret")


def test_compose_definitions_need_every_password() -> None:
    with pytest.raises(BrokerUsersUnavailable, match="WEB_BROKER_PASSWORD"):
        boot_definitions({"ROOMS_BROKER_PASSWORD": "x"})


def test_a_service_url_carries_its_own_user_and_password() -> None:
    url = url_as("amqp://guest:guest@127.0.0.1:5672/", "ns.rooms", "p/w@d")
    assert url == "amqp://ns.rooms:p%2Fw%40d@127.0.0.1:5672/"


def test_the_requeue_restores_the_original_sender_only_from_the_queues_own_consumer() -> None:
    consumer = "ns.orchestrator"
    # Dead-lettered by the queue's consumer: the original sender is in the header.
    assert requeued_user_id(consumer, b"ns.rooms", consumer) == "ns.rooms"
    # Dead-lettered by the broker: the message keeps the user-id it was published with.
    assert requeued_user_id("ns.rooms", None, consumer) == "ns.rooms"
    # Anyone else's header is not believed.
    assert requeued_user_id("ns.web", "ns.orchestrator", consumer) == "ns.web"
    assert requeued_user_id(None, "ns.orchestrator", consumer) is None


def test_identities_need_a_user_in_the_amqp_url_and_put_it_on_the_signer() -> None:
    with pytest.raises(ValidationError, match="BROKER_IDENTITIES"):
        CommonSettings(amqp_url="amqp://127.0.0.1/", broker_identities=True, service_key=KEY)
    on = CommonSettings(
        amqp_url="amqp://ns.rooms:pw@127.0.0.1/", broker_identities=True, service_key=KEY
    )
    assert on.message_signer().broker_user == "ns.rooms"
    off = CommonSettings(amqp_url="amqp://ns.rooms:pw@127.0.0.1/", service_key=KEY)
    assert off.message_signer().broker_user is None


def test_without_users_it_can_manage_the_launcher_says_only_the_signatures_hold(
    capsys: pytest.CaptureFixture[str],
) -> None:
    environment = {"AMQP_URL": "amqp://guest:guest@broker.example.org:5672/"}
    assert broker_environments(environment) == {}
    said = capsys.readouterr().out
    assert "broker identities off" in said and "only the message signatures" in said
