"""The probe consumer as a process that kills itself (SIGKILL) at a chosen point.

    python -m tests.support.crashing_probe AMQP_URL NAMESPACE DB_URL before-commit|before-ack

`before-commit`: dies inside the handler, the effect written but not committed.
`before-ack`: dies after the commit, as the reply is about to be published (so never acked).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from faststream.rabbit import RabbitBroker
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import Envelope
from contracts.topology import Service, Topology
from infra.logging import configure_logging
from infra.messaging.broker import make_broker
from infra.messaging.codec import Outgoing
from infra.messaging.publisher import Publisher
from infra.runtime import start_broker, subscribe
from infra.stores.sql import make_engine
from tests.support import probe
from tests.support.signing import service_signer


def die() -> None:
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class DyingPublisher(Publisher):
    async def publish_reply(self, reply: Outgoing) -> None:
        die()


async def dying_handler(
    command: VerifyClient, envelope: Envelope, connection: AsyncConnection
) -> ClientVerified:
    reply = await probe.verify_in_sql(command, envelope, connection)
    die()
    return reply


async def main(amqp_url: str, namespace: str, db_url: str, mode: str) -> None:
    configure_logging("crashing-probe", json=True)
    topology = Topology(namespace)
    engine = make_engine(db_url)
    broker: RabbitBroker = make_broker(amqp_url, prefetch_count=1)
    if mode == "before-ack":
        consumer = probe.sql_consumer(
            broker, topology, engine, DyingPublisher(broker, topology, "probe", service_signer())
        )
    else:
        consumer = probe.sql_consumer(broker, topology, engine)
        consumer.handlers = {VerifyClient: dying_handler}
    subscribe(broker, topology.command_queue(Service.CLIENTS), consumer)
    await start_broker(broker, topology)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
