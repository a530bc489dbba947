"""Where the test run's servers come from: an environment URL, a container, or the local one.

A server that cannot be had fails the test that needs it, with a message naming the server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

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


def port_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    executable = shutil.which("nx-27017") or str(Path(sys.executable).parent / "nx-27017")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="nx27017-") as data_dir:
        log_file = Path(data_dir) / "server.log"
        process = subprocess.Popen(
            [
                executable,
                "--data-dir",
                data_dir,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-file",
                str(log_file),
                "--pid-file",
                str(Path(data_dir) / "server.pid"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port("127.0.0.1", port, timeout=30, process=process, what="nx-27017")
            yield f"mongodb://127.0.0.1:{port}/"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for_port(
    host: str, port: int, timeout: float, process: subprocess.Popen[bytes] | None, what: str
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerUnavailable(f"{what} exited with code {process.returncode}")
        if port_answers(host, port, timeout=0.5):
            return
        time.sleep(0.1)
    raise ServerUnavailable(f"{what} did not answer on {host}:{port} within {timeout}s")


def host_port(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 0
