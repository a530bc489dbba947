"""`docker compose up` describes the whole platform: checked from the files, with no Docker engine.

What a broken compose file costs is a stack that never starts (a typo'd variable name silently
falls back to SQLite, a missing mount is an empty directory), so these tests read the files the
way compose, the services' settings, Prometheus and Grafana will.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import re
import shutil
import subprocess
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from prometheus_client import REGISTRY, generate_latest
from pydantic import SecretStr

from infra.settings import CommonSettings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ONE_IMAGE = {"context": ".", "dockerfile": "infra/docker/Dockerfile"}
BROKER_AND_STORES = {"rabbitmq", "mysql", "mongodb"}

PORTS = {
    "web": 5000,
    "rooms": 5001,
    "clients": 5002,
    "reservations": 5003,
    "orchestrator": 5004,
    "dashboard": 5005,
}
COMMANDS = {
    "web": ["python", "-m", "web", "agents"],
    "rooms": ["python", "-m", "rooms"],
    "clients": ["python", "-m", "clients"],
    "reservations": ["python", "-m", "reservations"],
    "orchestrator": ["python", "-m", "orchestrator"],
    "dashboard": ["python", "-m", "web", "dashboard"],
}
# What each process must reach before it can answer /health.
NEEDS = {
    "web": {"rabbitmq"},
    "rooms": {"rabbitmq", "mysql"},
    "clients": {"rabbitmq", "mysql"},
    "reservations": {"rabbitmq", "mongodb"},
    "orchestrator": {"rabbitmq", "mysql"},
    "dashboard": {"rabbitmq"},
}
# The environment variable naming each process's own store (DESIGN.md's names).
STORE_VARIABLES = {
    "rooms": "ROOMS_DB_URL",
    "clients": "CLIENTS_DB_URL",
    "reservations": "RESERVATIONS_MONGO_URL",
    "orchestrator": "SAGAS_DB_URL",
}
SETTINGS_MODULES = {
    "web": "web.settings",
    "rooms": "rooms.settings",
    "clients": "clients.settings",
    "reservations": "reservations.settings",
    "orchestrator": "orchestrator.settings",
    "dashboard": "web.settings",
}
PORT_FIELDS = {"web": "agents_port", "dashboard": "dashboard_port"}
# What faces people; the internal services are reached only on the compose network.
PUBLIC = {"web", "dashboard"}
OBSERVABILITY_UIS = {"prometheus", "grafana", "jaeger"}


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = _load_yaml(COMPOSE_FILE)
    assert isinstance(compose, dict), "docker-compose.yml is not a mapping"
    return compose["services"]


# Variables compose refuses to start without (`${VAR:?message}`), and a value for each.
REQUIRED_VARIABLES = {
    "SERVICE_KEY": "compose-test-service-key-0123456789abcdef",
    "TOKEN_SECRET": "compose-test-token-secret-0123456789abcdef",
    "BROKER_ADMIN_PASSWORD": "compose-test-admin-broker-password",
    **{
        f"{user}_BROKER_PASSWORD": f"compose-test-{user.lower()}-broker-password"
        for user in ("ROOMS", "CLIENTS", "RESERVATIONS", "ORCHESTRATOR", "WEB")
    },
}


def _interpolate(value: str) -> str:
    """Compose's `${VAR:-default}` with every variable unset, as on a fresh machine, and its
    `${VAR:?message}` (required) with the value an operator would set."""
    value = re.sub(
        r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?[^}]*\}", lambda m: REQUIRED_VARIABLES[m[1]], value
    )
    value = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", r"\1", value)
    assert not re.search(r"\$\{[^}]*\}", value.replace("$$", "")), f"no default in {value!r}"
    return value.replace("$$", "$")


def _environment(service: dict[str, Any]) -> dict[str, str]:
    return {name: _interpolate(str(value)) for name, value in service["environment"].items()}


def _settings_class(module_name: str) -> type[CommonSettings]:
    if importlib.util.find_spec(module_name) is None:
        pytest.skip(f"{module_name} is not written yet")
    module = importlib.import_module(module_name)
    classes = [
        cls
        for cls in vars(module).values()
        if inspect.isclass(cls)
        and issubclass(cls, CommonSettings)
        and cls.__module__ == module.__name__
    ]
    assert len(classes) == 1, f"{module_name} should define one settings class, found {classes}"
    return classes[0]


def test_the_compose_file_holds_the_platform_its_stores_and_its_monitoring(
    services: dict[str, Any],
) -> None:
    expected = set(PORTS) | BROKER_AND_STORES | {"prometheus", "grafana"}
    assert expected <= set(services), f"missing: {expected - set(services)}"


@pytest.mark.parametrize("name", sorted(PORTS))
def test_every_process_runs_from_the_one_image_on_its_port(
    services: dict[str, Any], name: str
) -> None:
    service = services[name]
    port = PORTS[name]
    assert service["build"] == ONE_IMAGE
    assert service["command"] == COMMANDS[name]
    if name in PUBLIC:
        assert service["ports"] == [f"{port}:{port}"]
    else:
        assert "ports" not in service, f"{name} is an internal service: publish no port"
        assert [str(exposed) for exposed in service["expose"]] == [str(port)]
    probe = " ".join(service["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}/health" in probe


def test_only_the_agents_app_the_dashboard_and_the_observability_uis_publish_a_platform_port(
    services: dict[str, Any],
) -> None:
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing - BROKER_AND_STORES == PUBLIC | OBSERVABILITY_UIS
    assert not publishing & (set(PORTS) - PUBLIC)


def test_the_broker_and_stores_have_their_images_ports_and_healthchecks(
    services: dict[str, Any],
) -> None:
    rabbitmq, mysql, mongodb = services["rabbitmq"], services["mysql"], services["mongodb"]
    assert rabbitmq["image"] == "rabbitmq:3.13-management"
    assert {"5672:5672", "15672:15672"} <= set(rabbitmq["ports"])
    assert "rabbitmq-diagnostics -q ping" in " ".join(rabbitmq["healthcheck"]["test"])
    assert mysql["image"] == "mysql:8.4"
    assert mysql["environment"]["MYSQL_ROOT_PASSWORD"] == "${MYSQL_ROOT_PASSWORD:-booking-dev}"
    assert "mysqladmin ping" in " ".join(mysql["healthcheck"]["test"])
    assert mongodb["image"] == "mongo:7"
    assert "mongosh" in mongodb["healthcheck"]["test"]
    assert "ping" in " ".join(mongodb["healthcheck"]["test"])


@pytest.mark.parametrize("name", sorted(PORTS))
def test_every_process_waits_for_a_healthy_broker_and_stores(
    services: dict[str, Any], name: str
) -> None:
    depends_on = services[name]["depends_on"]
    assert NEEDS[name] <= set(depends_on), f"{name} starts before {NEEDS[name] - set(depends_on)}"
    for dependency, rule in depends_on.items():
        assert rule == {"condition": "service_healthy"}, f"{name} -> {dependency}: {rule}"


@pytest.mark.parametrize("name", sorted(PORTS))
def test_every_variable_is_one_the_process_reads_and_parses(
    services: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_class = _settings_class(SETTINGS_MODULES[name])
    environment = _environment(services[name])
    unread = {var for var in environment if var.lower() not in settings_class.model_fields}
    assert not unread, f"{name} does not read {unread}"
    assert {"AMQP_URL", "HTTP_HOST"} <= set(environment)
    assert "BOOKING_NAMESPACE" not in environment or environment["BOOKING_NAMESPACE"] == ""

    for var, value in environment.items():
        monkeypatch.setenv(var, value)
    settings = settings_class()
    assert getattr(settings, PORT_FIELDS.get(name, "http_port")) == PORTS[name]
    assert settings.http_host == "0.0.0.0"
    for var, value in environment.items():
        read = getattr(settings, var.lower())
        read = read.get_secret_value() if isinstance(read, SecretStr) else read
        assert str(read).lower() == value.lower()


@pytest.mark.parametrize("name", sorted(PORTS))
def test_every_process_gets_the_service_key_and_compose_refuses_to_start_without_one(
    services: dict[str, Any], name: str
) -> None:
    assert str(services[name]["environment"]["SERVICE_KEY"]).startswith("${SERVICE_KEY:?")


@pytest.mark.parametrize("name", sorted(STORE_VARIABLES))
def test_every_store_url_points_at_a_store_the_process_waits_for(
    services: dict[str, Any], name: str
) -> None:
    environment = _environment(services[name])
    store_url = urlsplit(environment[STORE_VARIABLES[name]])
    assert store_url.hostname in services[name]["depends_on"]
    assert urlsplit(environment["AMQP_URL"]).hostname == "rabbitmq"
    if store_url.scheme.startswith("mysql"):
        root_password = _interpolate(services["mysql"]["environment"]["MYSQL_ROOT_PASSWORD"])
        assert store_url.password == root_password
        assert store_url.path.strip("/") in _databases_created_at_init()


def _databases_created_at_init() -> set[str]:
    scripts = (ROOT / "infra/docker/mysql-init").glob("*.sql")
    text = "\n".join(script.read_text(encoding="utf-8") for script in scripts)
    return set(re.findall(r"CREATE DATABASE IF NOT EXISTS (\w+)", text, flags=re.IGNORECASE))


def test_mysql_starts_with_the_rooms_clients_and_sagas_databases() -> None:
    assert {"rooms", "clients", "sagas"} <= _databases_created_at_init()


def _bind_mount_sources(services: dict[str, Any]) -> list[str]:
    volumes = [volume for service in services.values() for volume in service.get("volumes", [])]
    return [volume.split(":")[0] for volume in volumes if volume.startswith(".")]


def test_every_file_mounted_or_built_from_exists(services: dict[str, Any]) -> None:
    sources = _bind_mount_sources(services)
    sources += [f"{ONE_IMAGE['context']}/{ONE_IMAGE['dockerfile']}"]
    missing = [source for source in sources if not (ROOT / source).exists()]
    assert not missing, f"compose mounts or builds from missing paths: {missing}"


def test_the_stores_keep_their_data_in_named_volumes(services: dict[str, Any]) -> None:
    declared = set(_load_yaml(COMPOSE_FILE)["volumes"])
    for name in ("rabbitmq", "mysql", "mongodb"):
        named = {v.split(":")[0] for v in services[name]["volumes"] if not v.startswith(".")}
        assert named, f"{name} keeps its data in the container"
        assert named <= declared


def _dockerfile_copy_sources() -> list[str]:
    lines = (ROOT / ONE_IMAGE["dockerfile"]).read_text(encoding="utf-8").splitlines()
    copies = [line.split()[1:-1] for line in lines if line.startswith("COPY ")]
    return [source for sources in copies for source in sources]


def _dockerignore_patterns() -> set[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_the_image_holds_every_package_and_runs_as_a_plain_user() -> None:
    dockerfile = (ROOT / ONE_IMAGE["dockerfile"]).read_text(encoding="utf-8")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = set(_dockerfile_copy_sources())
    assert packages <= copied, f"packages not copied into the image: {packages - copied}"
    assert all((ROOT / source).exists() for source in copied)
    ignored = _dockerignore_patterns()
    left_out = {source for source in copied for pattern in ignored if fnmatch(source, pattern)}
    assert not left_out, f"the image copies what .dockerignore leaves out: {left_out}"
    assert {".venv", ".git", ".run", ".pytest_cache"} <= ignored
    assert "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, flags=re.MULTILINE)
    assert "pip install --no-cache-dir" in dockerfile and "[dev]" not in dockerfile
    exposed = re.search(r"^EXPOSE (.+)$", dockerfile, flags=re.MULTILINE)
    assert exposed and {str(port) for port in PORTS.values()} <= set(exposed.group(1).split())


def test_prometheus_scrapes_every_process_and_the_broker(services: dict[str, Any]) -> None:
    assert "9090:9090" in services["prometheus"]["ports"]
    config = _load_yaml(ROOT / "infra/prometheus/prometheus.yml")
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    expected = {f"{name}:{port}" for name, port in PORTS.items()} | {"rabbitmq:15692"}
    assert expected <= targets, f"not scraped: {expected - targets}"
    assert config["global"]["scrape_interval"] == "5s"
    plugins = (ROOT / "infra/rabbitmq/enabled_plugins").read_text(encoding="utf-8")
    assert "rabbitmq_prometheus" in plugins and "rabbitmq_management" in plugins
    assert plugins.strip().endswith("].")
    assert any(
        v.endswith(":/etc/rabbitmq/enabled_plugins:ro") for v in services["rabbitmq"]["volumes"]
    )


def _mount_target(service: dict[str, Any], source: str) -> str:
    for volume in service["volumes"]:
        if volume.split(":")[0] == source:
            return str(volume.split(":")[1])
    raise AssertionError(f"{source} is not mounted")


def test_grafana_is_open_to_viewers_with_its_provisioning_mounted(services: dict[str, Any]) -> None:
    grafana = services["grafana"]
    assert "3000:3000" in grafana["ports"]
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ENABLED"] == "true"
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
    assert _mount_target(grafana, "./infra/grafana/provisioning") == "/etc/grafana/provisioning"
    providers = _load_yaml(ROOT / "infra/grafana/provisioning/dashboards/dashboards.yml")
    dashboards_dir = _mount_target(grafana, "./infra/grafana/dashboards")
    assert [p["options"]["path"] for p in providers["providers"]] == [dashboards_dir]


def _panels() -> list[dict[str, Any]]:
    dashboard = json.loads((ROOT / "infra/grafana/dashboards/booking.json").read_text("utf-8"))
    return list(dashboard["panels"])


def test_every_dashboard_panel_queries_the_provisioned_prometheus() -> None:
    sources = _load_yaml(ROOT / "infra/grafana/provisioning/datasources/prometheus.yml")
    (prometheus,) = sources["datasources"]
    assert prometheus["type"] == "prometheus" and prometheus["url"] == "http://prometheus:9090"
    panels = _panels()
    assert panels
    for panel in panels:
        assert panel["targets"], f"panel {panel['title']!r} has no query"
        for target in panel["targets"]:
            assert target["expr"].strip(), f"panel {panel['title']!r} has an empty query"
            assert target["datasource"]["uid"] == prometheus["uid"]


def _exported_metric_families() -> set[str]:
    """Families the platform's code registers, named as the exposition format's HELP lines."""
    for module in ("infra.metrics", "orchestrator.metrics"):
        importlib.import_module(module)
    exposition = generate_latest(REGISTRY).decode()
    return set(re.findall(r"^# HELP (\w+) ", exposition, flags=re.MULTILINE))


def test_the_dashboard_charts_the_metrics_the_platform_exports() -> None:
    queries = " ".join(target["expr"] for panel in _panels() for target in panel["targets"])
    charted = {re.sub(r"_(bucket|sum|count)$", "", m) for m in re.findall(r"booking_\w+", queries)}
    unknown = charted - _exported_metric_families()
    assert not unknown, f"the dashboard charts metrics no code exports: {unknown}"
    for family in (
        "booking_messages_handled_total",
        "booking_message_handling_seconds",
        "booking_sagas",
        "booking_saga_outcomes_total",
    ):
        assert family in charted, f"no panel charts {family}"
    assert re.search(r"rate\(process_cpu_seconds_total\[1m\]\)", queries)
    assert re.search(r"(^|\s)up($|\s)", queries)
    assert 'outcome="dead_lettered"' in queries
    assert "by (queue, outcome)" in queries and "by (le, queue)" in queries


def _docker_compose_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    version = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, timeout=30, check=False
    )
    return version.returncode == 0


def test_docker_compose_itself_accepts_the_file() -> None:
    if not _docker_compose_answers():
        pytest.skip("the `docker compose` CLI plugin is not installed here")
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
