"""Where the test run's servers come from: an environment URL, a container, or the local one.

A server that cannot be had fails the test that needs it, with a message naming the server.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from infra.stores.embedded_mongo import EmbeddedMongoFailed, embedded_mongo, port_answers

LOCAL_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_MYSQL_URL = "mysql+asyncmy://root@127.0.0.1:3306/"


class ServerUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    url: str
    origin: str  # "environment", "container" or "local"


def docker_engine_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=2)
        client.ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def rabbitmq() -> Iterator[Server]:
    if url := os.environ.get("AMQP_URL"):
        yield Server(url, "environment")
    elif docker_engine_answers():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-management") as container:
            host, port = container.get_container_host_ip(), container.get_exposed_port(5672)
            yield Server(f"amqp://guest:guest@{host}:{port}/", "container")
    elif port_answers("127.0.0.1", 5672):
        yield Server(LOCAL_AMQP_URL, "local")
    else:
        raise ServerUnavailable(
            "RabbitMQ: set AMQP_URL, start a Docker engine, "
            "or run rabbitmq-server on 127.0.0.1:5672"
        )


@contextlib.contextmanager
def mysql() -> Iterator[Server]:
    """A MySQL-compatible server; the URL names no database (each test makes its own)."""
    if url := os.environ.get("TEST_MYSQL_URL"):
        yield Server(url, "environment")
    elif docker_engine_answers():
        from testcontainers.mysql import MySqlContainer

        with MySqlContainer("mysql:8.4", username="root", password="test") as container:
            host, port = container.get_container_host_ip(), container.get_exposed_port(3306)
            yield Server(f"mysql+asyncmy://root:test@{host}:{port}/", "container")
    elif port_answers("127.0.0.1", 3306):
        yield Server(LOCAL_MYSQL_URL, "local")
    else:
        raise ServerUnavailable(
            "MySQL: set TEST_MYSQL_URL, start a Docker engine, or run MariaDB on 127.0.0.1:3306"
        )


@contextlib.contextmanager
def mongodb() -> Iterator[Server]:
    if url := os.environ.get("RESERVATIONS_MONGO_URL"):
        yield Server(url, "environment")
    elif docker_engine_answers():
        from testcontainers.mongodb import MongoDbContainer

        with MongoDbContainer("mongo:7") as container:
            yield Server(container.get_connection_url(), "container")
    else:
        with nx_27017() as url:
            yield Server(url, "local")


@contextlib.contextmanager
def nx_27017() -> Iterator[str]:
    """An `nx-27017` MongoDB-protocol server as a child process on a free port."""
    with tempfile.TemporaryDirectory(prefix="nx27017-") as data_dir:
        try:
            with embedded_mongo(Path(data_dir)) as url:
                yield url
        except EmbeddedMongoFailed as exc:
            raise ServerUnavailable(f"MongoDB-protocol server: {exc}") from exc
