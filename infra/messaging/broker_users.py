"""Creating the broker users: `rabbitmqctl` on this machine, or a definitions file for compose.

`create_broker_users` (the launcher and the tests): when `rabbitmqctl` is on the PATH and
manages the broker AMQP_URL points at (this host), one `rabbitmqctl import_definitions` creates
a user per service with a fresh random password, their permissions and the topology
(`infra.messaging.permissions`), and returns each service's AMQP URL. Idempotent: a second call
sets new passwords and the same permissions. Otherwise it raises `BrokerUsersUnavailable` with
the reason, and the platform runs on the one shared login.

`create_partner_user` (the operators' `POST /api/partners`): the same way, one partner's user
`{ns}.partner.<agency_id>` with a fresh random password, its permissions and its outcomes queue
(`infra.messaging.permissions.partner_definitions`); its AMQP URL, shown to the operator once.
Compose's broker loads its definitions at boot only, so there (no `rabbitmqctl` in the web's
container) a partner's user is refused with the reason.

`python -m infra.messaging.broker_users PATH` (compose's `rabbitmq-definitions` container)
writes the definitions RabbitMQ loads at boot, with password hashes, from the environment:
`<SERVICE>_BROKER_PASSWORD` for each service and `WEB_BROKER_PASSWORD`, and
`BROKER_ADMIN_PASSWORD` for the `admin` user (the management UI).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import aio_pika

from contracts.topology import PRINCIPALS, Principal, Topology
from infra.messaging.permissions import definitions, partner_definitions

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SHARED_LOGIN = (
    "the broker has one shared login: every service connects as the same user, so the broker "
    "vouches for no sender and only the message signatures (SERVICE_KEY) prove who sent what"
)
ADMIN_USER = "admin"


class BrokerUsersUnavailable(RuntimeError):
    """This broker's users cannot be managed from here; the reason says why."""


def password_variable(principal: Principal) -> str:
    return f"{str(principal).upper()}_BROKER_PASSWORD"


def url_as(amqp_url: str, user: str, password: str) -> str:
    """`amqp_url` with another user and password."""
    parts = urlsplit(amqp_url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def _rabbitmqctl(amqp_url: str) -> str:
    command = shutil.which("rabbitmqctl")
    if command is None:
        raise BrokerUsersUnavailable("rabbitmqctl is not installed here")
    host = urlsplit(amqp_url).hostname or "127.0.0.1"
    if host not in LOCAL_HOSTS:
        raise BrokerUsersUnavailable(f"the broker at {host} is not this machine's")
    return command


async def _run(command: str, *args: str, stdin: bytes | None = None) -> None:
    process = await asyncio.create_subprocess_exec(
        command,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(stdin), timeout=120)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise BrokerUsersUnavailable(f"rabbitmqctl {args[0]} did not answer in 120 s") from None
    if process.returncode != 0:
        reason = (err or out).decode(errors="replace").strip().splitlines()
        raise BrokerUsersUnavailable(
            f"rabbitmqctl {args[0]} failed: {reason[-1] if reason else process.returncode}"
        )


async def create_broker_users(amqp_url: str, topology: Topology) -> dict[Principal, str]:
    """Create (or reset) the namespace's users, permissions and topology; each one's AMQP URL."""
    command = _rabbitmqctl(amqp_url)
    passwords = {principal: secrets.token_urlsafe(24) for principal in PRINCIPALS}
    document = json.dumps(definitions(topology, passwords, hashed=False)).encode()
    await _run(command, "import_definitions", "--format", "json", stdin=document)
    urls = {p: url_as(amqp_url, topology.broker_user(p), passwords[p]) for p in PRINCIPALS}
    for url in urls.values():
        await _until_it_connects(url)
    return urls


async def delete_broker_users(amqp_url: str, topology: Topology) -> None:
    """Remove the namespace's users (their permissions go with them)."""
    command = _rabbitmqctl(amqp_url)
    for principal in PRINCIPALS:
        await _run(command, "delete_user", topology.broker_user(principal))


async def create_partner_user(amqp_url: str, topology: Topology, agency_id: str) -> str:
    """Create (or give a new password to) a partner's user, with its permissions and its
    outcomes queue; its AMQP URL, password included."""
    command = _rabbitmqctl(amqp_url)
    password = secrets.token_urlsafe(24)
    document = json.dumps(partner_definitions(topology, agency_id, password)).encode()
    await _run(command, "import_definitions", "--format", "json", stdin=document)
    url = url_as(amqp_url, topology.partner_user(agency_id), password)
    await _until_it_connects(url)
    return url


async def delete_partner_user(amqp_url: str, topology: Topology, agency_id: str) -> None:
    """Remove a partner's user (its permissions go with it; its queue stays)."""
    await _run(_rabbitmqctl(amqp_url), "delete_user", topology.partner_user(agency_id))


async def _until_it_connects(url: str, within_seconds: float = 30) -> None:
    """RabbitMQ applies imported definitions asynchronously: wait until the user logs in."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_seconds
    while True:
        try:
            connection = await aio_pika.connect(url, timeout=5)
        except aio_pika.exceptions.AMQPConnectionError:
            if loop.time() > deadline:
                raise BrokerUsersUnavailable("the imported broker users cannot log in") from None
            await asyncio.sleep(0.2)
            continue
        await connection.close()
        return


def boot_definitions(environment: Mapping[str, str], namespace: str = "") -> str:
    """The definitions file compose's RabbitMQ loads at boot, from the passwords given."""
    missing = [
        password_variable(p) for p in PRINCIPALS if not environment.get(password_variable(p))
    ]
    missing += [] if environment.get("BROKER_ADMIN_PASSWORD") else ["BROKER_ADMIN_PASSWORD"]
    if missing:
        raise BrokerUsersUnavailable(f"set {', '.join(missing)}")
    passwords = {p: environment[password_variable(p)] for p in PRINCIPALS}
    administrator = (ADMIN_USER, environment["BROKER_ADMIN_PASSWORD"])
    return json.dumps(definitions(Topology(namespace), passwords, administrator), indent=2)


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit("usage: python -m infra.messaging.broker_users DEFINITIONS_PATH")
    try:
        text = boot_definitions(os.environ, os.environ.get("BOOKING_NAMESPACE", ""))
    except BrokerUsersUnavailable as exc:
        sys.exit(f"broker definitions: {exc}")
    path = Path(argv[0])
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)  # read by the broker's own user; it holds salted hashes, not passwords
    print(f"broker definitions written to {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
