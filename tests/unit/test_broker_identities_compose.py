"""Compose runs every service as its own broker user: read from the files, with no Docker engine.

The broker loads its users, permissions and topology at boot from the definitions a one-shot
container writes from the environment's passwords; there is no guest; every service's AMQP_URL
names its own user and turns BROKER_IDENTITIES on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.topology import PRINCIPALS, Topology
from infra.launcher import PROCESSES
from infra.messaging.broker_users import boot_definitions, password_variable
from infra.messaging.permissions import permissions

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# Compose's services are the launcher's processes, each with the same broker user.
BROKER_USERS = {process.name: process.broker_user for process in PROCESSES}
REQUIRED = re.compile(r"^\$\{(\w+):\?[^}]+\}$")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return dict(compose["services"])


@pytest.mark.parametrize("name", sorted(BROKER_USERS))
def test_every_service_connects_as_its_own_user_with_identities_on(
    services: dict[str, Any], name: str
) -> None:
    environment = services[name]["environment"]
    user = BROKER_USERS[name]
    variable = password_variable(user)
    # The password is compose's `${VAR:?message}`, required, and only this user's.
    own_url = rf"amqp://{user}:\$\{{{variable}:\?[^}}]+\}}@rabbitmq:5672/"
    assert re.fullmatch(own_url, environment["AMQP_URL"]), environment["AMQP_URL"]
    assert environment["BROKER_IDENTITIES"] == "true"


def test_the_broker_loads_its_definitions_at_boot_and_has_no_guest(
    services: dict[str, Any],
) -> None:
    rabbitmq, writer = services["rabbitmq"], services["rabbitmq-definitions"]
    conf = (ROOT / "infra/rabbitmq/rabbitmq.conf").read_text(encoding="utf-8")
    loaded = re.search(r"^load_definitions = (\S+)$", conf, flags=re.MULTILINE)
    assert loaded and re.search(r"^loopback_users\.guest = true$", conf, flags=re.MULTILINE)
    assert (
        "./infra/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/20-booking.conf:ro"
        in (rabbitmq["volumes"])
    )
    # The file the writer makes is the one the broker loads, through one named volume.
    (shared,) = [v for v in writer["volumes"] if v.startswith("rabbitmq-definitions:")]
    written = Path(writer["command"][-1])
    assert written.parent == Path(shared.split(":")[1])
    mounted = f"rabbitmq-definitions:{Path(loaded.group(1)).parent}:ro"
    assert mounted in rabbitmq["volumes"]
    assert Path(loaded.group(1)).name == written.name
    assert writer["command"][:3] == ["python", "-m", "infra.messaging.broker_users"]
    assert writer["restart"] == "no"
    assert rabbitmq["depends_on"] == {
        "rabbitmq-definitions": {"condition": "service_completed_successfully"}
    }


def test_the_writer_gets_every_password_and_compose_refuses_to_start_without_one(
    services: dict[str, Any],
) -> None:
    environment = services["rabbitmq-definitions"]["environment"]
    expected = {password_variable(p) for p in PRINCIPALS} | {"BROKER_ADMIN_PASSWORD"}
    assert set(environment) == expected
    for variable, value in environment.items():
        match = REQUIRED.match(str(value))
        assert match and match[1] == variable, f"{variable} must be required: {value}"


def test_the_boot_definitions_give_each_user_its_permissions_and_an_administrator() -> None:
    environment = {password_variable(p): f"{p}-secret" for p in PRINCIPALS}
    environment["BROKER_ADMIN_PASSWORD"] = "admin-secret"
    document = json.loads(boot_definitions(environment))
    users = {user["name"]: user for user in document["users"]}
    assert set(users) == {str(p) for p in PRINCIPALS} | {"admin"}
    assert "guest" not in users
    assert all("password_hash" in u and "password" not in u for u in users.values())
    assert "-secret" not in json.dumps(document)
    rights = {r["user"]: r for r in document["permissions"]}
    for principal in PRINCIPALS:
        expected = permissions(Topology(""), principal)
        assert rights[str(principal)]["write"] == expected.write
    assert document["vhosts"] == [{"name": "/"}]
