"""A partner system books a room over the broker and prints the outcome.

It needs only aio-pika and the credentials an operator gave the partner (`POST /api/partners`):

    python examples/partner_booking.py \\
        --amqp-url 'amqp://NS.partner.AGENCY:PASSWORD@127.0.0.1:5672/' --namespace NS \\
        --client-id C --hotel-id H --room-type-id R \\
        --check-in 2027-01-12 --check-out 2027-01-14 --guests 2

(or the environment: PARTNER_AMQP_URL, BOOKING_NAMESPACE, CLIENT_ID, HOTEL_ID, ROOM_TYPE_ID,
CHECK_IN, CHECK_OUT, GUESTS, IDEMPOTENCY_KEY). It publishes `partners.RequestBooking.v1` to
`<ns>.partners.requests` as its own broker user, reads its queue `<user>.outcomes` until the
booking's outcome (`booking.BookingConfirmed.v1`, `booking.BookingFailed.v1`) or the
request's rejection (`partners.BookingRejected.v1`) comes, prints that CloudEvent as JSON on
stdout and exits 0; it exits 1 if none came in time. The contract is docs/asyncapi.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika

REQUEST_TYPE = "partners.RequestBooking.v1"
ACCEPTED = "partners.BookingAccepted.v1"
REJECTED = "partners.BookingRejected.v1"
OUTCOMES = frozenset({"booking.BookingConfirmed.v1", "booking.BookingFailed.v1"})


def arguments() -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="Book a room as a partner, over the broker.")
    parser.add_argument("--amqp-url", default=env("PARTNER_AMQP_URL"))
    parser.add_argument("--namespace", default=env("BOOKING_NAMESPACE", ""))
    parser.add_argument("--client-id", default=env("CLIENT_ID"))
    parser.add_argument("--hotel-id", default=env("HOTEL_ID"))
    parser.add_argument("--room-type-id", default=env("ROOM_TYPE_ID"))
    parser.add_argument("--check-in", default=env("CHECK_IN"), help="YYYY-MM-DD")
    parser.add_argument("--check-out", default=env("CHECK_OUT"), help="YYYY-MM-DD")
    parser.add_argument("--guests", type=int, default=int(env("GUESTS", "2")))
    # A retry of the same booking reuses its key: the platform never books it twice.
    parser.add_argument("--idempotency-key", default=env("IDEMPOTENCY_KEY", uuid.uuid4().hex))
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait")
    args = parser.parse_args()
    required = ("amqp_url", "client_id", "hotel_id", "room_type_id", "check_in", "check_out")
    missing = [f"--{name.replace('_', '-')}" for name in required if not getattr(args, name)]
    if missing:
        parser.error(f"missing {', '.join(missing)}")
    return args


async def book(args: argparse.Namespace) -> dict[str, Any] | None:
    user = unquote(urlsplit(args.amqp_url).username or "")
    prefix = f"{args.namespace}." if args.namespace else ""
    request_id = str(uuid.uuid4())
    body = {
        "idempotency_key": args.idempotency_key,
        "client_id": args.client_id,
        "hotel_id": args.hotel_id,
        "room_type_id": args.room_type_id,
        "check_in": args.check_in,
        "check_out": args.check_out,
        "guests": args.guests,
    }
    connection = await aio_pika.connect(args.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=20)
        # Our queue and the requests exchange exist already: we may use them, not declare them.
        queue = await channel.get_queue(f"{user}.outcomes", ensure=False)
        exchange = await channel.get_exchange(f"{prefix}partners.requests", ensure=False)
        await exchange.publish(
            aio_pika.Message(
                json.dumps(body).encode(),
                message_id=request_id,
                type=REQUEST_TYPE,
                user_id=user,  # RabbitMQ checks it against our login: the proof it is us
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key="",
        )
        log(f"sent {REQUEST_TYPE} {request_id} (idempotency key {args.idempotency_key})")
        try:
            async with asyncio.timeout(args.timeout):
                return await outcome(queue, request_id)
        except TimeoutError:
            return None


async def outcome(queue: aio_pika.abc.AbstractQueue, request_id: str) -> dict[str, Any]:
    """Read our queue until the request is rejected or its booking has an outcome. Delivery is
    at least once, so events are deduplicated by their CloudEvent id."""
    seen: set[str] = set()
    booking_id: str | None = None
    early: dict[str, dict[str, Any]] = {}  # outcomes that came before the acceptance
    async with queue.iterator() as messages:
        async for message in messages:
            async with message.process():  # acked once handled
                event = json.loads(message.body)
            if event["id"] in seen:
                continue
            seen.add(event["id"])
            data = event.get("data") or {}
            if event["type"] == REJECTED and data.get("request_id") == request_id:
                return dict(event)
            if event["type"] == ACCEPTED and data.get("request_id") == request_id:
                booking_id = data["booking_id"]
                log(f"accepted: booking {booking_id}")
                if booking_id in early:
                    return early[booking_id]
            elif event["type"] in OUTCOMES and data.get("booking_id") == booking_id:
                return dict(event)
            elif event["type"] in OUTCOMES:
                early[data.get("booking_id", "")] = event
            else:
                log(f"(another event: {event['type']} {event['id']})")
    raise ConnectionError("the queue was closed")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    args = arguments()
    event = asyncio.run(book(args))
    if event is None:
        log(f"no outcome within {args.timeout:g} s")
        sys.exit(1)
    print(json.dumps(event, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
