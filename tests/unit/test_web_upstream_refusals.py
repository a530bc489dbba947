"""A service's refusal reaches the web's caller as it was: code, values and other fields."""

from __future__ import annotations

import httpx
import pytest

from infra.problems import Refusal
from web.upstream import ServiceClient, call, passed_on, service_of

pytestmark = pytest.mark.unit


def test_a_coded_refusal_keeps_its_code_params_and_extra_fields() -> None:
    body = {"detail": "known", "code": "client.known", "params": {}, "client_id": "c-1"}
    refusal = passed_on(httpx.Response(409, json=body))
    assert isinstance(refusal, Refusal)
    assert refusal.status_code == 409 and refusal.body() == body


def test_a_validation_list_passes_on_as_a_list() -> None:
    items = [{"loc": ["query", "check_in"], "type": "stay_check_in_past", "msg": "m", "ctx": {}}]
    passed = passed_on(httpx.Response(422, json={"detail": items}))
    assert not isinstance(passed, Refusal)
    assert passed.status_code == 422 and passed.detail == items


def test_a_plain_answer_keeps_its_text() -> None:
    passed = passed_on(httpx.Response(404, text="nothing here"))
    assert passed.status_code == 404 and passed.detail == "nothing here"


def test_a_client_of_no_named_service_is_named_by_its_host() -> None:
    assert service_of(httpx.AsyncClient(base_url="http://rooms.internal:8001")) == "rooms.internal"


async def test_a_service_that_does_not_answer_is_a_coded_503_naming_it() -> None:
    # Port 9 (discard) has no listener here: the connection is refused at once.
    async with ServiceClient("rooms", base_url="http://127.0.0.1:9", timeout=5) as client:
        with pytest.raises(Refusal) as refused:
            await call(client, "GET", "/availability")
    assert refused.value.status_code == 503
    assert (refused.value.code, refused.value.params) == (
        "service.unreachable",
        {"service": "rooms"},
    )
