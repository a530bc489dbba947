"""Each broker user's permissions, and the RabbitMQ definitions that create them with the topology.

Least privilege, as regular expressions over the namespace's own names (RabbitMQ matches a
user's configure / write / read expressions against exchange and queue names):

- orchestrator: writes to booking.commands, booking.replies (a booking saga answering a
  change saga), booking.events and booking.dead-letters; reads orchestrator.commands
  (requests) and orchestrator.replies.
- each participant: writes to booking.replies and booking.dead-letters; reads its own
  `<service>.commands`.
- web (the agents' app and the dashboard): writes to booking.commands (start and cancel
  requests, requeues), booking.replies and booking.events (requeues); reads every
  dead-letter queue. As the partners' gateway it also reads partners.gateway (their requests),
  writes to partners.outcomes (their answers and outcomes), booking.dead-letters (requests
  from no partner) and partners.requests (requeues).
- each partner (`Topology.partner_user`, created by `partner_definitions` when an operator
  adds it): writes to partners.requests only; reads its own outcomes queue only; configures
  nothing, and reads nothing of the platform's.

Every user may also read `booking.events` (bind its own event queues to it) and write and read
its own event queues (`Topology.event_queue`). Nobody may configure the topology itself: the
administrator declares it with the users (`definitions`), and the services only check it is
there (`infra.messaging.broker.check_topology`). Web's user is also an `impersonator`: the
dashboard's requeue puts back a command or reply another service published, with the
`user-id` it first had (`web.dead_letters`).

Pure: no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from faststream.rabbit import RabbitExchange, RabbitQueue

from contracts.topology import PRINCIPALS, WEB, Principal, Service, Topology

VHOST = "/"
ADMINISTRATOR = "administrator"
# Web may publish with another user's `user-id`: only to requeue dead letters (see above).
TAGS: Mapping[Principal, tuple[str, ...]] = {WEB: ("impersonator",)}


@dataclass(frozen=True)
class Permissions:
    configure: str
    write: str
    read: str


def _only(topology: Topology, *names: str) -> str:
    """A regular expression matching exactly these names (regexes themselves) in `topology`."""
    prefix = re.escape(f"{topology.namespace}.") if topology.namespace else ""
    return f"^{prefix}({'|'.join(names)})$"


def _own_event_queues(principal: Principal) -> str:
    return rf"{re.escape(str(principal))}\.events\..+"


def permissions(topology: Topology, principal: Principal) -> Permissions:
    """What `principal`'s broker user may do in `topology`."""
    own = _own_event_queues(principal)
    events = re.escape("booking.events")
    if principal == Service.ORCHESTRATOR:
        writes = ["booking.commands", "booking.replies", "booking.events", "booking.dead-letters"]
        reads = ["orchestrator.commands", "orchestrator.replies"]
    elif principal == WEB:
        # booking.events: a requeued dead letter of clients' confirmed-bookings queue.
        writes = ["booking.commands", "booking.replies", "booking.events"]
        writes += ["partners.outcomes", "partners.requests", "booking.dead-letters"]
        reads = [topology.relative(f"{queue.name}.dlq") for queue in topology.work_queues()]
        reads.append(topology.relative(topology.partner_requests_queue().name))
    else:
        writes = ["booking.replies", "booking.dead-letters"]
        reads = [f"{principal}.commands"]
    return Permissions(
        configure=_only(topology, own),
        write=_only(topology, *map(re.escape, writes), own),
        read=_only(topology, *map(re.escape, reads), events, own),
    )


def partner_permissions(topology: Topology, agency_id: str) -> Permissions:
    """What a partner's broker user may do: publish requests, read its own outcomes."""
    outcomes = topology.relative(topology.partner_outcomes_queue(agency_id).name)
    return Permissions(
        configure="^$",
        write=_only(topology, re.escape(topology.relative(topology.partner_requests.name))),
        read=_only(topology, re.escape(outcomes)),
    )


def partner_definitions(topology: Topology, agency_id: str, password: str) -> dict[str, Any]:
    """RabbitMQ definitions of one partner: its user (plain `password`, for
    `rabbitmqctl import_definitions`), its permissions, and its outcomes queue bound to
    `partners.outcomes` (with the exchanges, in case the platform has not declared them yet)."""
    user = topology.partner_user(agency_id)
    queue = topology.partner_outcomes_queue(agency_id)
    exchanges = (topology.partner_requests, topology.partner_outcomes)
    return {
        "vhosts": [{"name": VHOST}],
        "users": [_user(user, password, (), hashed=False)],
        "permissions": [_permission(user, partner_permissions(topology, agency_id))],
        "exchanges": [_exchange(exchange) for exchange in exchanges],
        "queues": [_queue(queue)],
        "bindings": [_binding(topology.partner_outcomes, queue)],
    }


def bindings(topology: Topology) -> list[tuple[RabbitExchange, RabbitQueue]]:
    """Every queue of the topology and the exchange that feeds it."""
    pairs: list[tuple[RabbitExchange, RabbitQueue]] = []
    for queue in topology.work_queues():
        pairs.append((topology.source(queue), queue))
        pairs.append((topology.dead_letters, topology.dead_letter_queue(queue)))
    return pairs


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's `rabbit_password_hashing_sha256`: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def definitions(
    topology: Topology,
    passwords: Mapping[Principal, str],
    administrator: tuple[str, str] | None = None,
    hashed: bool = True,
) -> dict[str, Any]:
    """RabbitMQ definitions: the virtual host, a user per principal (and an administrator, if
    given) with their permissions, and the whole topology of `topology`."""
    credentials = [(topology.broker_user(p), passwords[p], TAGS.get(p, ())) for p in PRINCIPALS]
    if administrator is not None:
        credentials.append((administrator[0], administrator[1], (ADMINISTRATOR,)))
    users = [_user(name, password, tags, hashed) for name, password, tags in credentials]
    rights = [_permission(topology.broker_user(p), permissions(topology, p)) for p in PRINCIPALS]
    if administrator is not None:
        rights.append(_permission(administrator[0], Permissions(".*", ".*", ".*")))
    return {
        "vhosts": [{"name": VHOST}],
        "users": users,
        "permissions": rights,
        "exchanges": [_exchange(exchange) for exchange in topology.exchanges()],
        "queues": [_queue(queue) for _, queue in bindings(topology)],
        "bindings": [_binding(exchange, queue) for exchange, queue in bindings(topology)],
    }


def _user(name: str, password: str, tags: tuple[str, ...], hashed: bool) -> dict[str, Any]:
    secret: dict[str, str] = (
        {"password_hash": password_hash(password), "hashing_algorithm": _SHA256}
        if hashed
        else {"password": password}
    )
    return {"name": name, "tags": list(tags)} | secret


_SHA256 = "rabbit_password_hashing_sha256"


def _permission(user: str, rights: Permissions) -> dict[str, str]:
    return {
        "user": user,
        "vhost": VHOST,
        "configure": rights.configure,
        "write": rights.write,
        "read": rights.read,
    }


def _exchange(exchange: RabbitExchange) -> dict[str, Any]:
    return {
        "name": exchange.name,
        "vhost": VHOST,
        "type": exchange.type.value,
        "durable": exchange.durable,
        "auto_delete": exchange.auto_delete,
        "internal": False,
        "arguments": {},
    }


def _queue(queue: RabbitQueue) -> dict[str, Any]:
    return {
        "name": queue.name,
        "vhost": VHOST,
        "durable": queue.durable,
        "auto_delete": queue.auto_delete,
        "arguments": dict(queue.arguments or {}),
    }


def _binding(exchange: RabbitExchange, queue: RabbitQueue) -> dict[str, Any]:
    return {
        "source": exchange.name,
        "vhost": VHOST,
        "destination": queue.name,
        "destination_type": "queue",
        "routing_key": queue.routing(),
        "arguments": {},
    }
