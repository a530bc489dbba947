"""The web serves the AsyncAPI contract to other systems: the document and a readable page."""

from __future__ import annotations

import httpx
import pytest

from contracts.asyncapi import document
from contracts.events import PUBLIC_EVENTS
from tests.support.platform import Platform

pytestmark = pytest.mark.e2e


async def test_the_web_serves_the_generated_contract_and_a_page_without_scripts(
    platform: Platform,
) -> None:
    async with httpx.AsyncClient(base_url=platform.url("web"), timeout=10) as http:
        served = await http.get("/asyncapi.json")
        page = await http.get("/asyncapi")
    assert served.status_code == 200
    assert served.json() == document()
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none'
    assert "<script" not in page.text
    for model in PUBLIC_EVENTS:
        assert model.message_type in page.text
        assert f"booking.{model.public_name}" in page.text
