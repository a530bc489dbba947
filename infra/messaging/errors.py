"""Errors that mean 'a store or the broker is unreachable right now': retried, never fatal."""

from __future__ import annotations

import aio_pika.exceptions
import aiormq.exceptions
import pymongo.errors
import sqlalchemy.exc

from infra.messaging.publisher import PublishNotConfirmed

BROKER_TRANSIENT: tuple[type[BaseException], ...] = (
    PublishNotConfirmed,
    aio_pika.exceptions.AMQPConnectionError,
    aiormq.exceptions.ChannelInvalidStateError,
    ConnectionError,
    TimeoutError,
)
SQL_TRANSIENT: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    *BROKER_TRANSIENT,
)
MONGO_TRANSIENT: tuple[type[BaseException], ...] = (
    pymongo.errors.ConnectionFailure,
    pymongo.errors.ServerSelectionTimeoutError,
    *BROKER_TRANSIENT,
)
