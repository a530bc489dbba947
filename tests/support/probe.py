"""A probe service for the consumer runtime: `VerifyClient` counts its applications.

The effect is keyed by business identity (one row per saga), like every real handler, and
counts how many times it was applied, so a test sees whether the runtime applied it twice.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from faststream.rabbit import RabbitBroker
from motor.motor_asyncio import AsyncIOMotorDatabase
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.clients import ClientVerified, VerifyClient
from contracts.envelope import Envelope
from contracts.topology import Service, Topology
from infra.messaging.consumer import CommandConsumer
from infra.messaging.errors import MONGO_TRANSIENT, SQL_TRANSIENT
from infra.messaging.publisher import Publisher
from infra.stores.mongo_inbox import MongoInbox
from infra.stores.sql_inbox import SqlInbox, SqlWork, inbox_table
from tests.support.signing import service_signer

metadata = sa.MetaData()
inbox = inbox_table(metadata)
effects = sa.Table(
    "probe_effects",
    metadata,
    sa.Column("saga_id", sa.String(64), primary_key=True),
    sa.Column("applied", sa.Integer, nullable=False),
)


async def applied(engine: AsyncEngine, saga_id: str) -> int | None:
    """How many times the effect was applied for a saga (None: never)."""
    async with engine.connect() as connection:
        query = sa.select(effects.c.applied).where(effects.c.saga_id == saga_id)
        return (await connection.execute(query)).scalar_one_or_none()


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)


async def verify_in_sql(command: VerifyClient, envelope: Envelope, work: SqlWork) -> ClientVerified:
    # Through SQLAlchemy on the inbox's connection, as a handler that never moved to the driver.
    connection = work.connection
    updated = await connection.execute(
        effects.update()
        .where(effects.c.saga_id == envelope.saga_id)
        .values(applied=effects.c.applied + 1)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        await connection.execute(effects.insert().values(saga_id=envelope.saga_id, applied=1))
    return ClientVerified(client_id=command.client_id)


async def verify_in_mongo(
    command: VerifyClient, envelope: Envelope, database: AsyncIOMotorDatabase[dict[str, Any]]
) -> ClientVerified:
    await database["probe_effects"].update_one(
        {"_id": envelope.saga_id}, {"$inc": {"applied": 1}}, upsert=True
    )
    return ClientVerified(client_id=command.client_id)


def sql_consumer(
    broker: RabbitBroker,
    topology: Topology,
    engine: AsyncEngine,
    publisher: Publisher | None = None,
) -> CommandConsumer:
    return CommandConsumer(
        queue_name=topology.command_queue(Service.CLIENTS).name,
        inbox=SqlInbox(engine, inbox),
        handlers={VerifyClient: verify_in_sql},
        publisher=publisher or Publisher(broker, topology, "probe", service_signer()),
        transient_errors=SQL_TRANSIENT,
    )


def mongo_consumer(
    broker: RabbitBroker, topology: Topology, database: AsyncIOMotorDatabase[dict[str, Any]]
) -> CommandConsumer:
    return CommandConsumer(
        queue_name=topology.command_queue(Service.CLIENTS).name,
        inbox=MongoInbox(database),
        handlers={VerifyClient: verify_in_mongo},
        publisher=Publisher(broker, topology, "probe", service_signer()),
        transient_errors=MONGO_TRANSIENT,
    )
