"""The partners' channel on the running platform: an operator adds a partner (an agency of kind
`partner` with a broker user of its own), the partner books and cancels over the broker and
reads its answers and outcomes, as CloudEvents, from its own queue, and only its own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from contracts.envelope import DEAD_LETTER_REASON_HEADER
from contracts.topology import Topology
from infra.messaging.broker_users import delete_partner_user
from tests.e2e.agent_client import AgentClient, stay
from tests.e2e.conftest import new_key
from tests.support.platform import ROOT, Platform

pytestmark = pytest.mark.e2e

EXAMPLE = ROOT / "examples" / "partner_booking.py"
Event = dict[str, Any]


class Partner:
    """A partner system as the tests play it: its own broker login, its own queue."""

    def __init__(self, created: dict[str, Any], connection: AbstractRobustConnection) -> None:
        self.agency_id: str = created["partner"]["agency_id"]
        self.user: str = created["credentials"]["username"]
        self.exchange: str = created["partner"]["requests_exchange"]
        self.queue: str = created["partner"]["outcomes_queue"]
        self.amqp_url: str = created["credentials"]["amqp_url"]
        self.connection = connection
        self.received: list[Event] = []
        self._arrived = asyncio.Event()

    async def listen(self) -> None:
        channel = await self.connection.channel()
        queue = await channel.get_queue(self.queue, ensure=False)
        await queue.consume(self._take)

    async def _take(self, message: AbstractIncomingMessage) -> None:
        async with message.process():
            self.received.append(json.loads(message.body))
        self._arrived.set()

    async def send(
        self, message_type: str, body: dict[str, Any] | bytes, user_id: str | None = "own"
    ) -> str:
        """Publish a request, as this partner unless `user_id` says otherwise; its id."""
        own = self.user if user_id == "own" else user_id
        return await publish(self.connection, self.exchange, message_type, body, own)

    async def first(self, wanted: Callable[[Event], bool], within: float = 60) -> Event:
        """The first event received that is `wanted`, as soon as it comes."""
        async with asyncio.timeout(within):
            while True:
                for event in self.received:
                    if wanted(event):
                        return event
                self._arrived.clear()
                await self._arrived.wait()

    async def answer(self, request_id: str) -> Event:
        return await self.first(lambda e: e["data"].get("request_id") == request_id)

    async def outcome(self, booking_id: str, *types: str) -> Event:
        return await self.first(
            lambda e: e["type"] in types and e["data"].get("booking_id") == booking_id
        )


async def publish(
    connection: AbstractRobustConnection,
    exchange_name: str,
    message_type: str,
    body: dict[str, Any] | bytes,
    user_id: str | None,
) -> str:
    """Publish a partner's request on `connection`, with this `user_id`; the request's id."""
    request_id = str(uuid.uuid4())
    channel = await connection.channel(publisher_confirms=True)
    try:
        exchange = await channel.get_exchange(exchange_name, ensure=False)
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        message = aio_pika.Message(
            payload,
            message_id=request_id,
            type=message_type,
            user_id=user_id,
            content_type="application/json",
        )
        await exchange.publish(message, routing_key="")
    finally:
        if not channel.is_closed:
            await channel.close()
    return request_id


@contextlib.asynccontextmanager
async def added_partner(platform: Platform, operator: AgentClient) -> AsyncIterator[Partner]:
    """A partner made through the operators' API; its broker user and queue removed after."""
    agency_id = f"pt-{uuid.uuid4().hex[:10]}"
    response = await operator.http.post(
        "/api/partners",
        json={
            "agency_id": agency_id,
            "name": f"Channel manager {agency_id}",
            "city": "Lyon",
            "country": "FR",
            "time_zone": "Europe/Paris",
            "currency": "EUR",
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    amqp_url = platform.environment["AMQP_URL"]
    try:
        connection = await aio_pika.connect_robust(created["credentials"]["amqp_url"])
        async with connection:
            yield Partner(created, connection)
    finally:
        await delete_partner_user(amqp_url, Topology(platform.namespace), agency_id)
        async with await aio_pika.connect(amqp_url) as admin:
            channel = await admin.channel()
            await channel.queue_delete(created["partner"]["outcomes_queue"])


@pytest.fixture
async def partner(platform: Platform, operator: AgentClient) -> AsyncIterator[Partner]:
    async with added_partner(platform, operator) as made:
        await made.listen()
        yield made


async def booking_fields(agent: AgentClient, offset_days: int, city: str) -> dict[str, Any]:
    check_in, check_out = stay(offset_days)
    offers = await agent.availability(check_in, check_out, city=city, guests=2)
    assert offers, f"the demo group has rooms in {city}"
    return {
        "client_id": await agent.new_client(),
        "hotel_id": offers[0]["hotel_id"],
        "room_type_id": offers[0]["room_type_id"],
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "guests": 2,
    }


async def confirmed_booking(partner: Partner, fields: dict[str, Any]) -> Event:
    request_id = await partner.send(
        "partners.RequestBooking.v1", fields | {"idempotency_key": new_key()}
    )
    accepted = await partner.answer(request_id)
    assert accepted["type"] == "partners.BookingAccepted.v1", accepted
    booking_id = accepted["data"]["booking_id"]
    return await partner.outcome(booking_id, "booking.BookingConfirmed.v1")


async def test_the_example_partner_books_a_room_and_prints_the_confirmed_outcome(
    platform: Platform, operator: AgentClient, agent: AgentClient
) -> None:
    fields = await booking_fields(agent, 150, "Paris")
    async with added_partner(platform, operator) as partner:
        example = await asyncio.create_subprocess_exec(
            sys.executable,
            str(EXAMPLE),
            f"--amqp-url={partner.amqp_url}",
            "--namespace",
            platform.namespace,
            *(f"--{name.replace('_', '-')}={value}" for name, value in fields.items()),
            cwd=Path(ROOT),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(150):
            out, err = await example.communicate()
    assert example.returncode == 0, err.decode()
    event = json.loads(out)
    print(out.decode(), err.decode(), sep="\n")  # the example's own words, for the record
    assert event["specversion"] == "1.0" and event["type"] == "booking.BookingConfirmed.v1"
    data = event["data"]
    assert data["agency_id"] == partner.agency_id and len(data["confirmation_code"]) == 8
    assert (data["hotel_id"], data["room_type_id"]) == (fields["hotel_id"], fields["room_type_id"])
    assert event["subject"] == data["booking_id"]
    booking = (await operator.http.get(f"/api/bookings/{data['booking_id']}")).json()
    assert booking["status"] == "CONFIRMED" and booking["agency_id"] == partner.agency_id


async def test_bad_requests_are_answered_with_a_rejection_that_says_why(
    partner: Partner,
) -> None:
    check_in, check_out = date(2020, 1, 12), date(2020, 1, 14)
    past = {
        "idempotency_key": new_key(),
        "client_id": "c-1",
        "hotel_id": "paris-lumiere",
        "room_type_id": "paris-lumiere-standard-double",
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "guests": 2,
    }
    in_the_past = await partner.send("partners.RequestBooking.v1", past)
    not_json = await partner.send("partners.RequestBooking.v1", b"{not json")
    no_guests = await partner.send(
        "partners.RequestBooking.v1", {k: v for k, v in past.items() if k != "guests"}
    )
    unknown = await partner.send("partners.Teleport.v1", past)

    rejected = {r: await partner.answer(r) for r in (in_the_past, not_json, no_guests, unknown)}
    assert all(e["type"] == "partners.BookingRejected.v1" for e in rejected.values())
    past_answer = rejected[in_the_past]["data"]
    assert past_answer["code"] == "request.invalid"
    assert past_answer["params"]["errors"] == ["stay_check_in_past"]
    assert "is in the past" in past_answer["reason"]
    assert past_answer["idempotency_key"] == past["idempotency_key"]
    assert past_answer["request_id"] == in_the_past
    assert rejected[not_json]["data"]["code"] == "request.not_json"
    assert rejected[no_guests]["data"]["params"]["fields"] == ["guests"]
    assert rejected[unknown]["data"]["code"] == "request.unknown_type"


async def test_a_key_reused_with_another_request_is_rejected(
    partner: Partner, agent: AgentClient
) -> None:
    fields = await booking_fields(agent, 152, "Tokyo") | {"idempotency_key": new_key()}
    first = await partner.answer(await partner.send("partners.RequestBooking.v1", fields))
    again = await partner.answer(await partner.send("partners.RequestBooking.v1", fields))
    other = fields | {"guests": 1}
    reused = await partner.answer(await partner.send("partners.RequestBooking.v1", other))

    assert first["type"] == again["type"] == "partners.BookingAccepted.v1"
    assert first["data"]["booking_id"] == again["data"]["booking_id"], "one booking per key"
    assert reused["type"] == "partners.BookingRejected.v1"
    assert reused["data"]["code"] == "booking.key_reused"
    assert reused["data"]["params"] == {"fields": ["guests"]}
    assert reused["data"]["booking_id"] == first["data"]["booking_id"]


async def test_a_partner_cancels_its_own_booking_and_no_other_agencys(
    partner: Partner, agent: AgentClient
) -> None:
    own = await confirmed_booking(partner, await booking_fields(agent, 154, "Paris"))
    booking_id = own["data"]["booking_id"]
    cancel = {"booking_id": booking_id, "reason": "The guest changed plans."}
    taken = await partner.answer(await partner.send("partners.RequestCancellation.v1", cancel))
    assert taken["type"] == "partners.CancellationAccepted.v1"
    cancelled = await partner.outcome(booking_id, "booking.BookingCancelled.v1")
    assert cancelled["data"]["reason"] == "The guest changed plans."

    check_in, check_out = stay(155)
    offers = await agent.availability(check_in, check_out, city="Paris", guests=2)
    submitted = await agent.book_offer(
        offers[0], await agent.new_client(), check_in, check_out, guests=2
    )
    theirs = (await agent.outcome(submitted.json()["booking_id"]))["booking_id"]
    request = {"booking_id": theirs}
    refused = await partner.answer(await partner.send("partners.RequestCancellation.v1", request))
    assert refused["type"] == "partners.BookingRejected.v1"
    assert refused["data"]["code"] == "booking.not_found"
    assert refused["data"]["booking_id"] == theirs
    assert (await agent.booking(theirs))["status"] == "CONFIRMED"


async def test_another_partner_never_receives_this_partners_outcomes(
    platform: Platform, operator: AgentClient, agent: AgentClient, partner: Partner
) -> None:
    async with added_partner(platform, operator) as other:
        await other.listen()
        mine = await confirmed_booking(partner, await booking_fields(agent, 156, "Paris"))
        # Public events are forwarded in the order they were published: once the other
        # partner has its own later booking's outcome, it would have had this one before.
        theirs = await confirmed_booking(other, await booking_fields(agent, 157, "Paris"))
    assert theirs["data"]["agency_id"] == other.agency_id
    assert all(
        e["data"].get("agency_id", other.agency_id) == other.agency_id for e in other.received
    )
    mine_id = mine["data"]["booking_id"]
    assert not [e for e in other.received if e["data"].get("booking_id") == mine_id]
    assert not [e for e in partner.received if e["data"].get("agency_id") == other.agency_id]


async def test_a_request_from_no_partner_is_dead_lettered_with_the_reason(
    platform: Platform, partner: Partner
) -> None:
    topology = Topology(platform.namespace)
    body = {"booking_id": "b-1"}
    kind = "partners.RequestCancellation.v1"
    async with await aio_pika.connect_robust(platform.environment["AMQP_URL"]) as guest:
        unsigned = await publish(guest, partner.exchange, kind, body, user_id=None)
        stranger = await publish(guest, partner.exchange, kind, body, user_id="guest")
    own_without = await partner.send("partners.RequestCancellation.v1", body, user_id=None)
    with pytest.raises(aio_pika.exceptions.ChannelClosed, match="user_id"):
        await partner.send("partners.RequestCancellation.v1", body, user_id=f"{partner.user}x")

    dlq = topology.dead_letter_queue(topology.partner_requests_queue()).name
    letters = await dead_letters(platform, dlq, {unsigned, stranger, own_without})
    assert "published without a user-id" in letters[unsigned]
    assert letters[stranger] == ("published by user 'guest', which is no active partner (user-id)")
    assert "published without a user-id" in letters[own_without]
    assert not [e for e in partner.received if e["data"].get("request_id") == own_without]


async def dead_letters(platform: Platform, queue: str, message_ids: set[str]) -> dict[str, str]:
    """The reason of each dead letter of `message_ids` on `queue`, as they come (taken off)."""
    found: dict[str, str] = {}
    complete = asyncio.Event()
    async with await aio_pika.connect(platform.environment["AMQP_URL"]) as connection:
        channel = await connection.channel()

        async def take(message: AbstractIncomingMessage) -> None:
            if message.message_id in message_ids:
                reason = message.headers[DEAD_LETTER_REASON_HEADER]
                found[message.message_id] = (
                    reason.decode() if isinstance(reason, bytes) else str(reason)
                )
                await message.ack()
            else:
                await message.nack(requeue=True)
            if set(found) == message_ids:
                complete.set()

        await (await channel.get_queue(queue, ensure=False)).consume(take)
        async with asyncio.timeout(60):
            await complete.wait()
    return found
