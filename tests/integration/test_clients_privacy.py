"""Personal data never leaves the clients service except in its own HTTP responses.

The service runs as its own process (`python -m clients`, real uvicorn, the logging its
lifespan configures) on the real MariaDB and broker. Everything it writes to stdout and
stderr while a client is created, refused, searched, blocked and verified is captured, and
must not contain any of the client's personal data.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.clients import VerifyClient
from contracts.envelope import Envelope, new_id
from contracts.topology import Service, Topology
from infra.actor import Actor
from infra.messaging.codec import Outgoing
from tests.support.observer import request_reply
from tests.support.service_auth import internal_client

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
PERSON = {
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "email": "Zephyrine.Quillfeather@Example.org",
    "phone": "+33 6 98 76 54 32",
    "nationality": "FR",
    "document_type": "passport",
    "document_number": "QX7781234",
}
AGENT = Actor("ama", "agent", "agency-lome").headers()
OTHER_AGENCY = Actor("kenji", "agent", "agency-tokyo").headers()
OPERATOR = Actor("olu", "operator", "head-office").headers()
SECRETS = [
    "Zephyrine",
    "zephyrine",
    "Quillfeather",
    "quillfeather",
    "+33698765432",
    "98 76 54 32",
    "698765432",
    "QX7781234",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def clients_process(environment: dict[str, str], output: Path) -> Iterator[subprocess.Popen[bytes]]:
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "clients"],
            cwd=REPO_ROOT,
            env=os.environ | environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()  # uvicorn's graceful stop: the lifespan closes broker and store
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@asynccontextmanager
async def running_service(
    amqp_url: str, namespace: str, database_url: str, output: Path
) -> AsyncIterator[httpx.AsyncClient]:
    port = free_port()
    environment = {
        "AMQP_URL": amqp_url,
        "BOOKING_NAMESPACE": namespace,
        "CLIENTS_DB_URL": database_url,
        "HTTP_PORT": str(port),
        "LOG_LEVEL": "DEBUG",
        "LOG_JSON": "true",
    }
    with clients_process(environment, output) as process:
        async with internal_client(
            "clients", base_url=f"http://127.0.0.1:{port}", timeout=30, headers=AGENT
        ) as http:
            await wait_until_healthy(http, process, output)
            yield http


async def wait_until_healthy(
    http: httpx.AsyncClient, process: subprocess.Popen[bytes], output: Path
) -> None:
    async with asyncio.timeout(60):
        while True:
            if process.poll() is not None:
                pytest.fail(f"the service exited early; its output is in {output}")
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def verify_over_the_broker(amqp_url: str, topology: Topology, client_id: str) -> Any:
    command = Outgoing.of(
        VerifyClient(client_id=client_id), Envelope.new(VerifyClient.message_type, new_id())
    )
    return await request_reply(amqp_url, topology, str(Service.CLIENTS), command)


async def refusals_do_not_echo_what_they_refused(http: httpx.AsyncClient) -> None:
    for field, bad_value in (
        ("email", "Zephyrine.Quillfeather-at-example.org"),
        ("phone", "+33 6 98 76 54 32 99 99 99"),
        ("nationality", "Quillfeather"),
        ("first_name", "Zephyrine\x07"),
    ):
        response = await http.post("/clients", json=PERSON | {field: bad_value})
        assert response.status_code == 422
        assert [error["loc"] for error in response.json()["detail"]] == [["body", field]]
        for secret in SECRETS:
            assert secret not in response.text, f"{field}: the 422 repeated {secret!r}"


async def exercise_every_path(http: httpx.AsyncClient) -> str:
    created = await http.post("/clients", json=PERSON)
    assert created.status_code == 201, created.text
    client_id = str(created.json()["id"])
    duplicate = await http.post("/clients", json=PERSON | {"email": PERSON["email"].upper()})
    assert duplicate.status_code == 409
    await refusals_do_not_echo_what_they_refused(http)
    for query in (PERSON["email"], "Quillfeather", "Zephyrine Quill"):
        found = await http.get("/clients", params={"q": query})
        assert found.json()["total"] == 1
    assert (await http.get(f"/clients/{client_id}")).json()["access"] == "full"
    masked = await http.get(f"/clients/{client_id}", headers=OTHER_AGENCY)
    assert masked.json()["access"] == "masked"
    assert (await http.get("/clients/" + PERSON["email"])).status_code == 422
    blocked = await http.post(
        f"/clients/{client_id}/block", json={"reason": "ask Zephyrine"}, headers=OPERATOR
    )
    assert blocked.status_code == 200
    unblocked = await http.post(f"/clients/{client_id}/unblock", headers=OPERATOR)
    assert unblocked.status_code == 200
    reads = await http.get(f"/clients/{client_id}/reads", headers=OPERATOR)
    assert reads.json()["total"] == 1
    return client_id


async def test_no_personal_data_in_logs_messages_or_error_bodies(
    amqp_url: str, namespace: str, topology: Topology, sql_database_url: str, tmp_path: Path
) -> None:
    output = tmp_path / "clients.log"
    async with running_service(amqp_url, namespace, sql_database_url, output) as http:
        client_id = await exercise_every_path(http)
        reply = await verify_over_the_broker(amqp_url, topology, client_id)
    logs = output.read_text()

    assert json.loads(reply.body) == {"client_id": client_id}
    reply_metadata = f"{reply.headers} {reply.info()}"
    assert f'"client_id": "{client_id}"' in logs, "the capture holds the service's log lines"
    assert '"route": "/clients/{client_id}/block", "status": 200' in logs
    assert "command handled" in logs, "the verification was logged (at debug level)"
    for secret in SECRETS:
        assert secret not in logs, f"{secret!r} appeared in the logs"
        assert secret not in reply_metadata
        assert secret.encode() not in reply.body
