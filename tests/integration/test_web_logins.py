"""Logins: throttled per account and per address with a lockout an operator lifts, short-lived
tokens that must expire and that sign-out revokes, never a token in a URL (the events stream
takes a one-use ticket), and a start-up that refuses a short secret or the demo passwords."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI, HTTPException
from pydantic import ValidationError

from infra.stores.embedded_mongo import free_port
from web.auth import (
    ALGORITHM,
    redeem_ticket,
)
from web.entrypoints.app import create_app
from web.settings import WebSettings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SECRET = "logins-tests-secret-0123456789abcdef"
AGENT = {"username": "agent", "password": "agent-demo"}
OPERATOR = {"username": "operator", "password": "operator-demo"}
# An operators' read that needs no other service: a token that passes gets 200 there.
PROBE = "/api/ops/dead-letters"
BOOKING = "5f0e7f0c-3c56-5d4e-9b0a-3f1a2b3c4d5e"

Client = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def app(amqp_url: str, namespace: str, accounts_db_url: str) -> AsyncIterator[FastAPI]:
    closed = f"http://127.0.0.1:{free_port()}"  # no service listens there
    settings = WebSettings(
        amqp_url=amqp_url,
        booking_namespace=namespace,
        rooms_url=closed,
        clients_url=closed,
        reservations_url=closed,
        orchestrator_url=closed,
        token_secret=SECRET,
        demo_mode=True,
        accounts_db_url=accounts_db_url,
    )
    web = create_app("web", settings)
    async with web.router.lifespan_context(web):
        yield web


@pytest.fixture
async def client_from(app: FastAPI) -> AsyncIterator[Client]:
    """An HTTP client of the app seen as coming from a given address."""
    async with AsyncExitStack() as stack:

        def make(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            client = httpx.AsyncClient(transport=transport, base_url="http://web")
            stack.push_async_callback(client.aclose)
            return client

        yield make


async def sign_in(client: httpx.AsyncClient, login: dict[str, str]) -> httpx.Response:
    return await client.post("/api/auth/token", data=login)


async def bearer(client: httpx.AsyncClient, login: dict[str, str]) -> dict[str, str]:
    response = await sign_in(client, login)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def signed(claims: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt.encode(claims, SECRET, algorithm=ALGORITHM)}"}


async def operator_claims(client: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    """The claims of a real operator's token (its session is live), with `changes`."""
    token = (await sign_in(client, OPERATOR)).json()["access_token"]
    return jwt.decode(token, SECRET, algorithms=[ALGORITHM]) | changes


# ---- throttling ------------------------------------------------------------------------------


async def test_five_wrong_passwords_lock_the_account_until_an_operator_lifts_it(
    client_from: Client,
) -> None:
    attacker, office = client_from("10.0.0.1"), client_from("10.0.0.2")
    wrong = [await sign_in(attacker, {**AGENT, "password": f"guess-{i}"}) for i in range(5)]
    locked = await sign_in(attacker, {**AGENT, "password": "guess-5"})
    right_meanwhile = await sign_in(office, AGENT)  # from another address too

    assert [r.status_code for r in wrong] == [401] * 5
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert right_meanwhile.status_code == 429, "the right password is refused during a lockout"
    assert int(right_meanwhile.headers["Retry-After"]) > 0

    agent_lifting = await office.post("/api/auth/lockouts/agent/lift")
    operator = await bearer(office, OPERATOR)
    listed = await office.get("/api/auth/lockouts", headers=operator)
    lifted = await office.post("/api/auth/lockouts/agent/lift", headers=operator)
    after = await sign_in(office, AGENT)

    assert agent_lifting.status_code == 401
    assert "agent" in listed.json()["accounts"]
    assert lifted.status_code == 200 and lifted.json()["lifted"] is True
    assert after.status_code == 200 and after.json()["access_token"]


async def test_a_username_in_other_letter_cases_is_the_same_account_to_the_throttle(
    client_from: Client,
) -> None:
    attacker = client_from("10.0.10.1")
    cases = ["Agent", "AGENT", "aGeNt", "agenT", "AgEnT"]
    wrong = [await sign_in(attacker, {**AGENT, "username": u, "password": "x" * 12}) for u in cases]
    right = await sign_in(client_from("10.0.10.2"), AGENT)

    assert [r.status_code for r in wrong] == [401] * 5
    assert right.status_code == 429, "five guesses at one account, whatever their case"


async def test_wrong_current_passwords_count_towards_the_lockout(client_from: Client) -> None:
    client = client_from("10.0.11.1")
    operator = await bearer(client, OPERATOR)
    guess = {"current_password": "not-the-password", "new_password": "a-new-one-2027"}
    guesses = [
        await client.post("/api/me/password", json=guess, headers=operator) for _ in range(5)
    ]
    locked = await client.post(
        "/api/me/password",
        json={"current_password": OPERATOR["password"], "new_password": "a-new-one-2027"},
        headers=operator,
    )

    assert [g.status_code for g in guesses] == [400] * 5
    assert locked.status_code == 429, "a stolen token does not buy unlimited guesses"
    assert (await sign_in(client_from("10.0.11.2"), OPERATOR)).status_code == 429


async def test_only_an_operator_lifts_a_lockout(client_from: Client) -> None:
    client = client_from("10.0.1.1")
    agent = await bearer(client, AGENT)

    refused = await client.post("/api/auth/lockouts/operator/lift", headers=agent)

    assert refused.status_code == 403


async def test_wrong_passwords_from_one_address_across_accounts_lock_that_address(
    client_from: Client,
) -> None:
    sprayer, office = client_from("10.0.2.1"), client_from("10.0.2.2")
    # 20 accounts, one guess each: no account reaches its own limit, the address does.
    for i in range(20):
        response = await sign_in(sprayer, {"username": f"agent-{i}", "password": "Summer2026!"})
        assert response.status_code == 401
    from_sprayer = await sign_in(sprayer, AGENT)
    from_office = await sign_in(office, AGENT)

    assert from_sprayer.status_code == 429
    assert int(from_sprayer.headers["Retry-After"]) > 0
    assert from_office.status_code == 200, "the accounts themselves are not locked"

    operator = await bearer(office, OPERATOR)
    lifted = await office.post("/api/auth/address-lockouts/10.0.2.1/lift", headers=operator)
    assert lifted.json()["lifted"] is True
    assert (await sign_in(sprayer, AGENT)).status_code == 200


# ---- tokens ----------------------------------------------------------------------------------


async def test_tokens_last_fifteen_minutes_and_carry_an_id(client_from: Client) -> None:
    response = await sign_in(client_from("10.0.3.1"), AGENT)
    claims = jwt.decode(response.json()["access_token"], SECRET, algorithms=[ALGORITHM])

    assert claims["exp"] - claims["iat"] == 15 * 60
    assert response.json()["expires_in"] == 15 * 60
    assert claims["jti"]


async def test_a_signed_token_without_exp_is_refused(client_from: Client) -> None:
    client = client_from("10.0.4.1")
    claims = await operator_claims(client)
    with_exp = await client.get(PROBE, headers=signed(claims))
    del claims["exp"]

    without_exp = await client.get(PROBE, headers=signed(claims))

    assert without_exp.status_code == 401
    assert with_exp.status_code == 200  # the same token with exp passes: only exp was missing


async def test_an_expired_token_is_refused(client_from: Client) -> None:
    client = client_from("10.0.5.1")
    past = datetime.now(UTC) - timedelta(minutes=1)
    expired = await operator_claims(client, iat=past - timedelta(minutes=15), exp=past)

    response = await client.get(PROBE, headers=signed(expired))

    assert response.status_code == 401


async def test_sign_out_revokes_the_token(client_from: Client) -> None:
    client = client_from("10.0.6.1")
    operator = await bearer(client, OPERATOR)
    before = await client.get(PROBE, headers=operator)

    signed_out = await client.post("/api/auth/sign-out", headers=operator)
    after = await client.get(PROBE, headers=operator)
    again = await client.get(PROBE, headers=await bearer(client, OPERATOR))

    assert before.status_code == 200
    assert signed_out.status_code == 204
    assert after.status_code == 401
    assert again.status_code == 200, "a new sign-in gets a new token"


async def test_a_token_in_the_url_is_refused_on_every_endpoint(client_from: Client) -> None:
    client = client_from("10.0.7.1")
    token = (await sign_in(client, OPERATOR)).json()["access_token"]

    lockouts = await client.get(PROBE, params={"access_token": token})
    bookings = await client.get("/api/bookings", params={"access_token": token})
    events = await client.get(f"/api/bookings/{BOOKING}/events", params={"access_token": token})

    assert [lockouts.status_code, bookings.status_code, events.status_code] == [401, 401, 401]


# ---- the events stream's tickets -------------------------------------------------------------


async def test_a_ticket_is_for_one_booking_and_is_no_token(client_from: Client) -> None:
    client = client_from("10.0.8.1")
    agent = await bearer(client, AGENT)
    issued = await client.post("/api/auth/tickets", json={"booking_id": BOOKING}, headers=agent)
    ticket = issued.json()["ticket"]

    as_bearer = await client.get("/api/bookings", headers={"Authorization": f"Bearer {ticket}"})
    other_booking = await client.get(
        f"/api/bookings/{uuid.uuid4()}/events", params={"ticket": ticket}
    )
    anonymous = await client.post("/api/auth/tickets", json={"booking_id": BOOKING})

    assert issued.status_code == 201 and issued.json()["expires_in"] <= 60
    assert as_bearer.status_code == 401
    assert other_booking.status_code == 401
    assert anonymous.status_code == 401


async def test_a_ticket_is_taken_once_and_dies_with_its_session(
    app: FastAPI, client_from: Client
) -> None:
    client = client_from("10.0.9.1")
    agent = await bearer(client, AGENT)
    tickets = [
        (
            await client.post("/api/auth/tickets", json={"booking_id": BOOKING}, headers=agent)
        ).json()["ticket"]
        for _ in range(2)
    ]
    state = app.state

    first = await redeem_ticket(state.settings, tickets[0], BOOKING, state.sessions, state.tickets)
    with pytest.raises(HTTPException) as reused:
        await redeem_ticket(state.settings, tickets[0], BOOKING, state.sessions, state.tickets)
    await client.post("/api/auth/sign-out", headers=agent)
    with pytest.raises(HTTPException) as signed_out:
        await redeem_ticket(state.settings, tickets[1], BOOKING, state.sessions, state.tickets)

    assert first.username == "agent"
    assert reused.value.status_code == 401
    assert signed_out.value.status_code == 401


# ---- start-up --------------------------------------------------------------------------------


def test_settings_refuse_a_short_secret_and_demo_passwords_outside_demo_mode() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        WebSettings(token_secret="x" * 16, demo_mode=True)
    with pytest.raises(ValidationError, match="demo password"):
        WebSettings(token_secret=SECRET)

    own = WebSettings(token_secret="x" * 32, operator_password="an-operator-password")
    assert own.demo_mode is False
    assert WebSettings(token_secret=SECRET, demo_mode=True).operator_password == "operator-demo"


def start_web(**variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEMO_MODE", "TOKEN_SECRET", "OPERATOR_PASSWORD"}
    }
    environment |= {"AGENTS_PORT": str(free_port()), **variables}
    return subprocess.run(
        [sys.executable, "-m", "web", "agents"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_refuses_a_sixteen_character_secret() -> None:
    started = start_web(TOKEN_SECRET="0123456789abcdef", DEMO_MODE="true")

    assert started.returncode != 0
    assert "TOKEN_SECRET" in started.stderr and "at least 32 bytes" in started.stderr


def test_start_up_refuses_the_demo_passwords_outside_demo_mode() -> None:
    started = start_web(TOKEN_SECRET=SECRET)

    assert started.returncode != 0
    assert "OPERATOR_PASSWORD" in started.stderr
    assert "demo password" in started.stderr
