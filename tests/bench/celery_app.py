"""The Celery baseline's app and tasks: the booking saga as a Celery chain.

`hold_room | verify_client | write_reservation | report_outcome`, one queue per service
(rooms, clients, reservations), with `on_failure` linked as the chain's error callback: it
releases the hold when the failure came after it and reports the failed outcome.
`report_outcome` is routed to a queue no Celery worker consumes; the load generator reads
it directly (see celery_system.py). No result backend: results are ignored.

Configured from the environment (`CELERY_BENCH_*`, see `Settings.from_environ`) so that the
worker processes (`celery -A tests.bench.celery_app worker -Q <queue>`) and the submitting
process agree. Stores: PyMySQL (one connection per pool child, opened on first use,
autocommit off) and pymongo, with the statements and document of baseline_store.py.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote, urlsplit

import pymongo
import pymysql
from celery import Celery
from pymongo.errors import DuplicateKeyError

from tests.bench.baseline_store import (
    CLIENT_STATUS,
    DUPLICATE_KEY,
    FREE_ROOMS,
    HELD_BY,
    RELEASE,
    RESERVATIONS,
    TAKE_NIGHT,
    booking_request,
    nights_of,
    reservation_document,
)

HOLD_ROOM = "bench.hold_room"
VERIFY_CLIENT = "bench.verify_client"
WRITE_RESERVATION = "bench.write_reservation"
RELEASE_HOLD = "bench.release_hold"
REPORT_OUTCOME = "bench.report_outcome"
ON_FAILURE = "bench.booking_failed"

SERVICES = ("rooms", "clients", "reservations")
OUTCOMES = "outcomes"


class NoRoom(Exception):
    """No room of the type is free on every night of the stay."""


class UnknownClient(Exception):
    """The client is not registered, or not active."""


@dataclass(frozen=True)
class Settings:
    broker_url: str
    prefix: str  # "{run_id}.celery."
    rooms_url: str  # mysql://user:password@host:port/database (any driver prefix)
    clients_url: str
    mongo_url: str
    mongo_database: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        return cls(
            broker_url=environ.get(
                "CELERY_BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"
            ),
            prefix=environ.get("CELERY_BENCH_PREFIX", "bench.celery."),
            rooms_url=environ.get("CELERY_BENCH_ROOMS_URL", "mysql://root@127.0.0.1:3306/rooms"),
            clients_url=environ.get(
                "CELERY_BENCH_CLIENTS_URL", "mysql://root@127.0.0.1:3306/clients"
            ),
            mongo_url=environ.get("CELERY_BENCH_MONGO_URL", "mongodb://127.0.0.1:27017/"),
            mongo_database=environ.get("CELERY_BENCH_MONGO_DB", "bench_celery"),
        )

    def environ(self) -> dict[str, str]:
        return {
            "CELERY_BENCH_BROKER_URL": self.broker_url,
            "CELERY_BENCH_PREFIX": self.prefix,
            "CELERY_BENCH_ROOMS_URL": self.rooms_url,
            "CELERY_BENCH_CLIENTS_URL": self.clients_url,
            "CELERY_BENCH_MONGO_URL": self.mongo_url,
            "CELERY_BENCH_MONGO_DB": self.mongo_database,
        }

    def queue(self, service: str) -> str:
        return f"{self.prefix}{service}"

    @property
    def control_exchange(self) -> str:
        """Celery names its pidbox exchanges from this: "{run_id}.celery.pidbox"."""
        return self.prefix.rstrip(".")

    @property
    def event_exchange(self) -> str:
        return f"{self.prefix}events"


def celery_config(settings: Settings) -> dict[str, Any]:
    rooms, clients, reservations, outcomes = (
        settings.queue(name) for name in (*SERVICES, OUTCOMES)
    )
    return {
        "broker_url": settings.broker_url,
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_ignore_result": True,
        "task_default_queue": settings.queue("default"),
        "task_routes": {
            HOLD_ROOM: {"queue": rooms},
            RELEASE_HOLD: {"queue": rooms},
            ON_FAILURE: {"queue": rooms},
            VERIFY_CLIENT: {"queue": clients},
            WRITE_RESERVATION: {"queue": reservations},
            REPORT_OUTCOME: {"queue": outcomes},
        },
        "control_exchange": settings.control_exchange,
        "event_exchange": settings.event_exchange,
    }


def make_app(settings: Settings) -> Celery:
    app = Celery("bench")
    app.conf.update(celery_config(settings))
    return app


SETTINGS = Settings.from_environ(os.environ)
app = make_app(SETTINGS)


# --- Stores: one of each per pool child, opened on first use --------------------------------

_connections: dict[str, pymysql.connections.Connection] = {}
_mongo: list[pymongo.MongoClient[dict[str, Any]]] = []


def connect_mysql(url: str) -> pymysql.connections.Connection:
    parts = urlsplit(url)
    return pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        database=parts.path.lstrip("/"),
        autocommit=False,
    )


def _sql(url: str) -> pymysql.connections.Connection:
    connection = _connections.get(url)
    if connection is None:
        connection = _connections[url] = connect_mysql(url)
    return connection


def _forget(url: str) -> None:
    """After an error the connection may be broken: drop it, the next task opens a new one."""
    connection = _connections.pop(url, None)
    if connection is not None:
        with contextlib.suppress(pymysql.Error):
            connection.close()


def _reservations() -> pymongo.collection.Collection[dict[str, Any]]:
    if not _mongo:
        _mongo.append(pymongo.MongoClient(SETTINGS.mongo_url))
    return _mongo[0][SETTINGS.mongo_database][RESERVATIONS]


# --- The saga's steps -----------------------------------------------------------------------


def _held_room(connection: pymysql.connections.Connection, booking_id: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(HELD_BY, (booking_id,))
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def _free_rooms(connection: pymysql.connections.Connection, data: Mapping[str, Any]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(FREE_ROOMS, (data["room_type_id"], data["check_in"], data["check_out"]))
        return [str(row[0]) for row in cursor.fetchall()]


def _take(
    connection: pymysql.connections.Connection, room_id: str, nights: list[date], booking_id: str
) -> bool:
    """Every night of the stay in one transaction; False if another booking has one of them."""
    try:
        with connection.cursor() as cursor:
            for night in nights:
                cursor.execute(TAKE_NIGHT, (room_id, night, booking_id))
        connection.commit()
        return True
    except pymysql.IntegrityError as error:
        connection.rollback()
        if error.args[0] != DUPLICATE_KEY:
            raise
        return False


def _hold(connection: pymysql.connections.Connection, data: Mapping[str, Any]) -> str:
    booking_id = data["booking_id"]
    room_id = _held_room(connection, booking_id)  # a redelivered hold keeps its room
    if room_id is not None:
        connection.commit()
        return room_id
    candidates = _free_rooms(connection, data)
    connection.commit()
    nights = nights_of(data["check_in"], data["check_out"])
    for candidate in candidates:
        if _take(connection, candidate, nights, booking_id):
            return candidate
    raise NoRoom(f"no {data['room_type_id']} free from {data['check_in']} to {data['check_out']}")


@app.task(name=HOLD_ROOM, throws=(NoRoom,))
def hold_room(request: dict[str, Any]) -> dict[str, Any]:
    url = SETTINGS.rooms_url
    try:
        room_id = _hold(_sql(url), request)
    except pymysql.Error:
        _forget(url)
        raise
    return {**request, "room_id": room_id}


@app.task(name=VERIFY_CLIENT, throws=(UnknownClient,))
def verify_client(held: dict[str, Any]) -> dict[str, Any]:
    url = SETTINGS.clients_url
    try:
        connection = _sql(url)
        with connection.cursor() as cursor:
            cursor.execute(CLIENT_STATUS, (held["client_id"],))
            row = cursor.fetchone()
        connection.commit()
    except pymysql.Error:
        _forget(url)
        raise
    if row is None or row[0] != "active":
        raise UnknownClient(f"client {held['client_id']} is not an active client")
    return held


@app.task(name=WRITE_RESERVATION)
def write_reservation(verified: dict[str, Any]) -> dict[str, Any]:
    booking_id = verified["booking_id"]
    document = reservation_document(booking_request(verified), booking_id, verified["room_id"])
    with contextlib.suppress(DuplicateKeyError):  # a redelivered write: it is there already
        _reservations().insert_one(document)
    return {"booking_id": booking_id, "status": "confirmed", "reason": None}


@app.task(name=RELEASE_HOLD)
def release_hold(booking_id: str) -> None:
    url = SETTINGS.rooms_url
    try:
        connection = _sql(url)
        with connection.cursor() as cursor:
            cursor.execute(RELEASE, (booking_id,))
        connection.commit()
    except pymysql.Error:
        _forget(url)
        raise


@app.task(name=REPORT_OUTCOME)
def report_outcome(outcome: dict[str, Any]) -> dict[str, Any]:
    """Never run by a worker: its queue is read by the load generator."""
    return outcome


def failure_reason(exc: BaseException) -> str:
    if isinstance(exc, NoRoom):
        return "no_room"
    if isinstance(exc, UnknownClient):
        return "unknown_client"
    return f"error: {type(exc).__name__}"


@app.task(name=ON_FAILURE)
def booking_failed(request: Any, exc: BaseException, traceback: Any) -> None:
    """The chain's error callback; Celery calls it in the worker where a step failed.

    Every step's first argument carries the booking id. Any failure after `hold_room`
    leaves a hold to release; `hold_room` itself holds nothing when it fails.
    """
    booking_id = request.args[0]["booking_id"]
    if request.task != HOLD_ROOM:
        release_hold.apply_async((booking_id,))
    outcome = {"booking_id": booking_id, "status": "failed", "reason": failure_reason(exc)}
    report_outcome.apply_async((outcome,))
