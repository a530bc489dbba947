"""The AsyncAPI contract: generated from `contracts/`, valid for the official parser, published
as generated, and no public message's schema changes without a new version."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import Field

from contracts import asyncapi
from contracts.events import PUBLIC_EVENTS, BookingFailed, CloudEvent, PublicEvent
from contracts.partners import PARTNER_EVENTS, PARTNER_REQUESTS

pytestmark = pytest.mark.unit

HERE = Path(__file__).resolve().parent
VALIDATOR = HERE / "validate_asyncapi.mjs"


def _parse_with_official_parser(document: Path) -> subprocess.CompletedProcess[str]:
    if (
        shutil.which("node") is None
        or not (HERE / "node_modules" / "@asyncapi" / "parser").is_dir()
    ):
        pytest.fail("the AsyncAPI parser is not installed: run `make contract-tools`")
    return subprocess.run(
        ["node", str(VALIDATOR), str(document)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_official_parser_accepts_the_published_document() -> None:
    parsed = _parse_with_official_parser(asyncapi.DOCUMENT_PATH)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    summary = json.loads(parsed.stdout.strip().splitlines()[-1])
    models = (*PUBLIC_EVENTS, *PARTNER_REQUESTS, *PARTNER_EVENTS)
    assert {asyncapi.message_name(m) for m in models} <= set(summary["messages"])


def test_the_official_parser_refuses_a_broken_document(tmp_path: Path) -> None:
    broken = asyncapi.document()
    del broken["channels"]["bookingEvents"]["address"]
    broken["operations"]["publishBookingOutcomes"]["action"] = "broadcast"  # not send/receive
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    assert _parse_with_official_parser(path).returncode == 1


def test_the_published_document_is_the_generated_one() -> None:
    """docs/asyncapi.json is what `python -m contracts.asyncapi` writes from the models."""
    published = json.loads(asyncapi.DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert published == json.loads(asyncapi.render(asyncapi.document())), (
        "docs/asyncapi.json is stale: run `python -m contracts.asyncapi`"
    )


def test_every_public_message_has_an_example_that_its_schema_takes() -> None:
    document = asyncapi.document()
    for model in PUBLIC_EVENTS:
        message = document["components"]["messages"][asyncapi.message_name(model)]
        example = message["examples"][0]["payload"]
        assert example["type"] == model.message_type
        assert model.model_validate(example["data"]) == asyncapi.EXAMPLES[model]


def test_every_partner_message_has_an_example_that_its_schema_takes() -> None:
    messages = asyncapi.document()["components"]["messages"]
    for request in PARTNER_REQUESTS:
        body = messages[asyncapi.message_name(request)]["examples"][0]["payload"]
        assert request.model_validate(body) == asyncapi.PARTNER_EXAMPLES[request]
    for event in PARTNER_EVENTS:
        example = messages[asyncapi.message_name(event)]["examples"][0]["payload"]
        assert CloudEvent[event].model_validate(example).data == asyncapi.PARTNER_EXAMPLES[event]  # type: ignore[valid-type]


def test_a_partner_publishes_requests_and_reads_its_answers_and_outcomes_on_its_queue() -> None:
    document = asyncapi.document()
    channels, operations = document["channels"], document["operations"]
    assert channels["partnerRequests"]["address"] == "partners.requests"
    assert channels["partnerOutcomes"]["address"] == "partner.{agencyId}.outcomes"
    assert operations["receivePartnerRequests"]["action"] == "receive"
    assert operations["sendPartnerOutcomes"]["action"] == "send"
    outcomes = set(channels["partnerOutcomes"]["messages"])
    assert {asyncapi.message_name(m) for m in (*PARTNER_EVENTS, *PUBLIC_EVENTS)} == outcomes
    requests = set(channels["partnerRequests"]["messages"])
    assert requests == {asyncapi.message_name(m) for m in PARTNER_REQUESTS}


def test_no_public_message_changed_without_its_version() -> None:
    locked = json.loads(asyncapi.PUBLIC_SCHEMAS_LOCK.read_text())
    current = asyncapi.schema_digests(asyncapi.document())
    assert set(current) <= set(locked), (
        "a new public message version: record it with `python -m contracts.asyncapi --lock`"
    )
    changed = [t for t, digest in current.items() if locked[t] != digest]
    assert changed == [], f"{changed} changed without a new version: publish a .v2 instead"


class _FailedWithAField(BookingFailed):
    """BookingFailed.v1 as a careless change would leave it: one more field, same version."""

    message_type: ClassVar[str] = BookingFailed.message_type
    public_name: ClassVar[str] = BookingFailed.public_name
    retry_after: int = Field(default=0)


def test_a_field_added_under_the_same_version_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    locked = json.loads(asyncapi.PUBLIC_SCHEMAS_LOCK.read_text())
    changed_events = tuple(_FailedWithAField if m is BookingFailed else m for m in PUBLIC_EVENTS)
    monkeypatch.setattr(asyncapi, "PUBLIC_EVENTS", changed_events)
    example: PublicEvent = _FailedWithAField(**asyncapi.EXAMPLES[BookingFailed].model_dump())
    examples: dict[type[PublicEvent], PublicEvent] = {
        **asyncapi.EXAMPLES,
        _FailedWithAField: example,
    }
    monkeypatch.setattr(asyncapi, "EXAMPLES", examples)
    current = asyncapi.schema_digests(asyncapi.document())
    assert current[BookingFailed.message_type] != locked[BookingFailed.message_type]
