"""The whole broker topology, in one place, under a namespace prefix.

Exchanges
  {ns}.booking.commands      direct  one routing key per receiving service
  {ns}.booking.replies       direct  participants' replies to the orchestrator
  {ns}.booking.events        topic   progress (`progress.<kind>`) and public events (`booking.*`)
  {ns}.booking.dead-letters  direct  routing key = the name of the queue the message came from
  {ns}.partners.requests     fanout  partners' booking and cancellation requests (any key)
  {ns}.partners.outcomes     direct  what each partner receives, routing key = its agency id

Broker users (`broker_user`): one per service and one for the web apps, named after the
namespace (`{ns}.rooms`, ..., `{ns}.web`), so several runs can share one broker. A service's
own subscriptions to `booking.events` are queues named `{ns}.<user>.events.<purpose>`
(`event_queue`), which is what its permissions allow it to declare. A partner (an agency of
kind `partner`) is the user `{ns}.partner.<agency_id>` and reads one queue of its own,
`{ns}.partner.<agency_id>.outcomes` (`partner_user`, `partner_outcomes_queue`).

Queues are durable quorum queues. Each has a dead-letter queue `<queue>.dlq`; a message
delivered more than `DELIVERY_LIMIT` times (a consumer that keeps crashing on it) is
dead-lettered by the broker itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue
from faststream.rabbit.schemas.queue import QuorumQueueArgs

DELIVERY_LIMIT = 5


class Service(StrEnum):
    ROOMS = "rooms"
    CLIENTS = "clients"
    RESERVATIONS = "reservations"
    ORCHESTRATOR = "orchestrator"


# The broker user of the agents' app and the dashboard, beside one per `Service`.
WEB: Literal["web"] = "web"
Principal = Service | Literal["web"]
PRINCIPALS: tuple[Principal, ...] = (*Service, WEB)

REPLIES_ROUTING_KEY = "orchestrator"
PROGRESS_ROUTING_PREFIX = "progress"
PUBLIC_ROUTING_PREFIX = "booking"
PARTNER_USER_INFIX = "partner"


@dataclass(frozen=True)
class Topology:
    namespace: str

    def _name(self, name: str) -> str:
        return f"{self.namespace}.{name}" if self.namespace else name

    def broker_user(self, principal: Principal) -> str:
        """The RabbitMQ user a service (or the web apps) connects as, under broker identities."""
        return self._name(str(principal))

    def event_queue(self, principal: Principal, purpose: str) -> str:
        """The name of a queue of `principal`'s own that subscribes to `booking.events`."""
        return self._name(f"{principal}.events.{purpose}")

    @property
    def commands(self) -> RabbitExchange:
        return RabbitExchange(self._name("booking.commands"), ExchangeType.DIRECT, durable=True)

    @property
    def replies(self) -> RabbitExchange:
        return RabbitExchange(self._name("booking.replies"), ExchangeType.DIRECT, durable=True)

    @property
    def events(self) -> RabbitExchange:
        return RabbitExchange(self._name("booking.events"), ExchangeType.TOPIC, durable=True)

    @property
    def dead_letters(self) -> RabbitExchange:
        return RabbitExchange(self._name("booking.dead-letters"), ExchangeType.DIRECT, durable=True)

    @property
    def partner_requests(self) -> RabbitExchange:
        return RabbitExchange(self._name("partners.requests"), ExchangeType.FANOUT, durable=True)

    @property
    def partner_outcomes(self) -> RabbitExchange:
        return RabbitExchange(self._name("partners.outcomes"), ExchangeType.DIRECT, durable=True)

    def exchanges(self) -> tuple[RabbitExchange, ...]:
        return (
            self.commands,
            self.replies,
            self.events,
            self.dead_letters,
            self.partner_requests,
            self.partner_outcomes,
        )

    def _work_queue(self, name: str, routing_key: str) -> RabbitQueue:
        full_name = self._name(name)
        arguments: QuorumQueueArgs = {
            "x-dead-letter-exchange": self.dead_letters.name,
            "x-dead-letter-routing-key": full_name,
            "x-delivery-limit": DELIVERY_LIMIT,
        }
        return RabbitQueue(
            full_name,
            queue_type=QueueType.QUORUM,
            durable=True,
            arguments=arguments,
            routing_key=routing_key,
        )

    def command_queue(self, service: Service) -> RabbitQueue:
        """The queue a service consumes its commands from (`booking.commands`, key = service)."""
        return self._work_queue(f"{service}.commands", routing_key=str(service))

    def replies_queue(self) -> RabbitQueue:
        """The orchestrator's queue of participants' replies."""
        return self._work_queue("orchestrator.replies", routing_key=REPLIES_ROUTING_KEY)

    def client_bookings_queue(self) -> RabbitQueue:
        """The clients service's queue of confirmed bookings (`booking.events`): an agency
        holding a booking for a client may read that client's details."""
        return self._work_queue(
            self.relative(self.event_queue(Service.CLIENTS, "bookings")),
            routing_key=self.public_routing_key("confirmed"),
        )

    def partner_requests_queue(self) -> RabbitQueue:
        """The web's queue of partners' requests (`partners.requests`)."""
        return self._work_queue("partners.gateway", routing_key="partners.gateway")

    def partner_events_queue(self) -> RabbitQueue:
        """The web's queue of public events, forwarded to the partners whose bookings they are."""
        return self._work_queue(
            self.relative(self.event_queue(WEB, "partners")),
            routing_key=f"{PUBLIC_ROUTING_PREFIX}.#",
        )

    def work_queues(self) -> tuple[RabbitQueue, ...]:
        return (
            *(self.command_queue(s) for s in Service),
            self.replies_queue(),
            self.client_bookings_queue(),
            self.partner_requests_queue(),
            self.partner_events_queue(),
        )

    def source(self, queue: RabbitQueue) -> RabbitExchange:
        """The exchange that feeds a work queue."""
        if queue.name == self.replies_queue().name:
            return self.replies
        if queue.name in (self.client_bookings_queue().name, self.partner_events_queue().name):
            return self.events
        if queue.name == self.partner_requests_queue().name:
            return self.partner_requests
        return self.commands

    def consumer(self, queue: RabbitQueue) -> Principal:
        """The service that consumes a work queue (and dead-letters what it refuses)."""
        if queue.name == self.replies_queue().name:
            return Service.ORCHESTRATOR
        if queue.name == self.client_bookings_queue().name:
            return Service.CLIENTS
        if queue.name in (self.partner_requests_queue().name, self.partner_events_queue().name):
            return WEB
        return Service(queue.routing())

    def partner_user(self, agency_id: str) -> str:
        """The broker user of the partner agency `agency_id`."""
        return self._name(f"{PARTNER_USER_INFIX}.{agency_id}")

    def partner_of(self, broker_user: str | None) -> str | None:
        """The agency id a partner's broker user names, or None for any other user."""
        prefix = self._name(f"{PARTNER_USER_INFIX}.")
        if not broker_user or not broker_user.startswith(prefix):
            return None
        agency_id = broker_user.removeprefix(prefix)
        return agency_id if agency_id and "." not in agency_id else None

    def partner_outcomes_queue(self, agency_id: str) -> RabbitQueue:
        """The one queue a partner reads: its answers and its bookings' outcomes."""
        return RabbitQueue(
            f"{self.partner_user(agency_id)}.outcomes",
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=agency_id,
        )

    def relative(self, name: str) -> str:
        """A name of this namespace without its prefix."""
        return name.removeprefix(f"{self.namespace}.") if self.namespace else name

    def dead_letter_queue(self, queue: RabbitQueue) -> RabbitQueue:
        return RabbitQueue(
            f"{queue.name}.dlq",
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=queue.name,
        )

    def progress_routing_key(self, saga_kind: str) -> str:
        return f"{PROGRESS_ROUTING_PREFIX}.{saga_kind}"

    def public_routing_key(self, event_name: str) -> str:
        return f"{PUBLIC_ROUTING_PREFIX}.{event_name}"

    def every_queue_name(self) -> list[str]:
        names = [q.name for q in self.work_queues()]
        return names + [f"{n}.dlq" for n in names]
