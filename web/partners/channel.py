"""The partners' channel in the web process: its two queues subscribed when the app is made,
their consumers given the accounts store, the booking requests and the services in the lifespan
(no delivery arrives before `start_broker`, which comes after).

It runs in the agents' web process rather than a process of its own because a partner's request
is a booking of the public API: the same idempotency store, the same submission to the
orchestrator, the same reads of the orchestrator, the same accounts (a partner is an agency).
Every replica of the web consumes both queues; they are work queues, so each message is handled
by one of them.
"""

from __future__ import annotations

from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit import RabbitBroker

from infra.messaging.broker import existing
from infra.messaging.delivery import Delivery
from infra.messaging.errors import SQL_TRANSIENT
from infra.messaging.publisher import Publisher
from infra.runtime import Batches, Subscription, listen
from web.accounts.store import AccountStore
from web.booking_requests import BookingRequests
from web.partners.directory import Partners
from web.partners.gateway import Gateway
from web.partners.outcomes import PartnerOutcomes
from web.upstream import Upstreams


class PartnerChannel:
    def __init__(self, broker: RabbitBroker, publisher: Publisher) -> None:
        self._publisher = publisher
        self._gateway: Gateway | None = None
        self._outcomes: Batches | None = None
        topology = publisher.topology
        requests, events = topology.partner_requests_queue(), topology.partner_events_queue()
        if publisher.broker_user is not None:  # the administrator's queues: taken as they are
            requests, events = existing(requests), existing(events)
        listen(broker, Subscription(requests, self._on_request))
        listen(broker, Subscription(events, self._on_event))

    def open(self, accounts: AccountStore, requests: BookingRequests, upstreams: Upstreams) -> None:
        partners = Partners(accounts, self._publisher.topology)
        self._gateway = Gateway(self._publisher, partners, requests, upstreams)
        outcomes = PartnerOutcomes(
            queue_name=self._publisher.topology.partner_events_queue().name,
            publisher=self._publisher,
            transient_errors=SQL_TRANSIENT,
            partners=partners,
        )
        self._outcomes = Batches(outcomes)

    async def _on_request(self, message: AbstractIncomingMessage) -> None:
        assert self._gateway is not None, "PartnerChannel.open() comes before the broker starts"
        await self._gateway.on_delivery(message)

    async def _on_event(self, message: AbstractIncomingMessage) -> None:
        assert self._outcomes is not None, "PartnerChannel.open() comes before the broker starts"
        self._outcomes.add(Delivery(message))
