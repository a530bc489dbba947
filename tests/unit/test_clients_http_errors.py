"""Error responses of the clients API repeat nothing they were sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from clients.entrypoints.errors import install_error_handling
from clients.entrypoints.schemas import Phone

pytestmark = pytest.mark.unit

SECRET = "ada.lovelace@example.com"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=10)


class PhoneOnly(BaseModel):
    phone: Phone


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI(max_body_size=2_000)
    install_error_handling(app)

    @app.post("/echo")
    async def echo(body: Body) -> Body:
        return body

    @app.post("/client")
    async def new_client(body: PhoneOnly) -> PhoneOnly:
        return body

    @app.get("/broken")
    async def broken() -> None:
        raise RuntimeError(f"could not reach {SECRET}")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


async def test_a_422_says_what_is_wrong_without_the_value(http: httpx.AsyncClient) -> None:
    response = await http.post("/echo", json={"name": SECRET, "other": SECRET})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "name"],
                "msg": "String should have at most 10 characters",
                "type": "string_too_long",
                "ctx": {"max_length": 10},
            },
            {
                "loc": ["body", "other"],
                "msg": "Extra inputs are not permitted",
                "type": "extra_forbidden",
                "ctx": {},
            },
        ]
    }


async def test_a_rules_refusal_has_its_code_and_limits_but_never_the_value(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post("/client", json={"phone": f"+228 {SECRET}"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "phone"] and error["type"] == "phone_invalid"
    assert error["ctx"] == {} and SECRET not in response.text
    assert "input" not in error


async def test_an_unexpected_error_is_a_plain_500(http: httpx.AsyncClient) -> None:
    response = await http.get("/broken")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}


async def test_an_oversized_body_is_refused_before_it_is_parsed(http: httpx.AsyncClient) -> None:
    response = await http.post("/echo", json={"name": SECRET * 1_000})
    assert response.status_code == 413
    assert SECRET not in response.text
