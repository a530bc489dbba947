"""`docker compose up` traces every saga: Jaeger takes every process's spans, Grafana reads it,
and the operators' saga page links to its UI (checked from the files, as test_compose.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ("web", "dashboard", "rooms", "clients", "reservations", "orchestrator")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return dict(compose["services"])


def test_jaeger_takes_otlp_on_the_compose_network_and_shows_its_ui(
    services: dict[str, Any],
) -> None:
    jaeger = services["jaeger"]
    assert jaeger["image"].startswith("jaegertracing/jaeger:2.")
    assert jaeger["ports"] == ["16686:16686"]
    assert [str(port) for port in jaeger["expose"]] == ["4318"]


@pytest.mark.parametrize("name", PROCESSES)
def test_every_process_exports_its_spans_to_jaeger(services: dict[str, Any], name: str) -> None:
    endpoint = urlsplit(services[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"])
    assert (endpoint.scheme, endpoint.hostname, endpoint.port) == ("http", "jaeger", 4318)


@pytest.mark.parametrize("name", ["web", "dashboard"])
def test_the_saga_page_links_to_the_trace_in_jaegers_ui(
    services: dict[str, Any], name: str
) -> None:
    link = services[name]["environment"]["TRACING_UI_URL"]
    assert link == "http://localhost:16686/trace/{trace_id}"


def test_grafana_reads_the_traces_from_jaeger(services: dict[str, Any]) -> None:
    path = ROOT / "infra/grafana/provisioning/datasources/jaeger.yml"
    (source,) = yaml.safe_load(path.read_text(encoding="utf-8"))["datasources"]
    assert (source["type"], source["url"]) == ("jaeger", "http://jaeger:16686")
    assert "jaeger" in services["grafana"]["depends_on"]
