"""A failed saga's stored reason gives back its code and values, for the apps to translate."""

from __future__ import annotations

import re

import pytest

from contracts.reasons import OLDER_FORMS, REASONS, parse_reason, reason_text
from contracts.reservations import ReservationRejected
from contracts.topology import Service
from orchestrator.domain import reasons

pytestmark = pytest.mark.unit

SAMPLE_VALUES = {
    "detail": "the stay overlaps a closure",
    "service": "clients",
    "state": "CANCELLED",
}


def sample(template: str) -> dict[str, str]:
    return {name: SAMPLE_VALUES[name] for name in re.findall(r"\{(\w+)\}", template)}


@pytest.mark.parametrize("code", [code for code in REASONS if code != "reason.not_changeable"])
def test_every_reason_reads_back_as_its_code_and_values(code: str) -> None:
    params = sample(REASONS[code])
    assert parse_reason(reason_text(code, **params)) == (code, params)


@pytest.mark.parametrize(("code", "template"), OLDER_FORMS)
def test_older_and_other_stored_sentences_read_back(code: str, template: str) -> None:
    text = template.format(**sample(template))
    found = parse_reason(text)
    assert found is not None and found[0] == code
    if code == "reason.not_changeable":
        assert found[1] == {"detail": text}
        assert parse_reason(reason_text(code, detail=text)) == (code, {"detail": text})


def test_the_orchestrators_sentences_are_the_catalogues() -> None:
    assert parse_reason(reasons.HOLD_EXPIRED) == ("reason.hold_expired", {})
    assert parse_reason(reasons.OPERATOR_COMPENSATION) == ("reason.operator_stopped", {})
    assert reasons.no_answer(Service.CLIENTS) == "The clients service did not answer in time."
    assert parse_reason(reasons.no_answer(Service.ROOMS)) == (
        "reason.no_answer",
        {"service": "rooms"},
    )
    rejected = reasons.reservation_rejected(ReservationRejected(reason="nights overlap."))
    assert rejected == "The reservation could not be written: nights overlap."
    assert parse_reason(rejected) == ("reason.reservation_rejected", {"detail": "nights overlap"})


def test_a_cut_sentence_still_reads_back() -> None:
    long_detail = "x" * 600
    text = reason_text("reason.reservation_rejected", detail=long_detail)
    assert len(text) == 500
    found = parse_reason(text)
    assert found is not None and found[0] == "reason.reservation_rejected"


@pytest.mark.parametrize("text", [None, "", "Cancelled at the client's request.", "anything"])
def test_other_text_has_no_code(text: str | None) -> None:
    assert parse_reason(text) is None
