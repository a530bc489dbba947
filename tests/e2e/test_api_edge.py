"""Bad input at the edge of the public API (issue 13): every path id, page, body and stay is
checked before it goes anywhere, and every answer the API gives is in its OpenAPI."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.e2e.agent_client import AgentClient, stay
from tests.e2e.conftest import new_key
from tests.support.platform import Platform

pytestmark = pytest.mark.e2e

BAD_IDS = ("abc%0Adef", "abc%0D%0AX-Injected:%201", "..", "%2E%2E", "a%2Fb", "x" * 65, "a%20b")


async def test_a_path_id_that_is_not_an_id_is_refused_before_it_goes_anywhere(
    agent: AgentClient, operator: AgentClient
) -> None:
    for bad in BAD_IDS:
        answers = [
            await agent.http.get(f"/api/bookings/{bad}"),
            await agent.http.post(f"/api/bookings/{bad}/cancel", json={}),
            await agent.http.get(f"/api/bookings/{bad}/events"),
            await agent.http.get(f"/api/clients/{bad}"),
            await operator.http.get(f"/api/ops/sagas/{bad}"),
            await operator.http.post(f"/api/ops/sagas/{bad}/retry"),
            await operator.http.post(f"/api/ops/sagas/{bad}/compensate"),
            await operator.http.post(f"/api/ops/dead-letters/{bad}/requeue"),
        ]
        for answer in answers:
            assert 400 <= answer.status_code < 500, (bad, answer.request.url, answer.text)
    newline = await agent.http.get("/api/bookings/abc%0Adef")
    assert newline.status_code == 422 and "pattern" in newline.text


async def test_paging_deeper_than_the_last_page_served_is_refused(
    agent: AgentClient, operator: AgentClient
) -> None:
    huge = {"offset": "99999999999999999999"}
    for client, path in (
        (agent, "/api/bookings"),
        (agent, "/api/clients"),
        (operator, "/api/bookings"),
        (operator, "/api/ops/sagas"),
    ):
        answer = await client.http.get(path, params=huge)
        assert answer.status_code == 422, (path, answer.text)
        assert "127.0.0.1" not in answer.text
        negative = await client.http.get(path, params={"offset": -1})
        assert negative.status_code == 422, (path, negative.text)
    deepest = await agent.http.get("/api/bookings", params={"offset": 100_000})
    assert deepest.status_code == 200, deepest.text


async def _raw_post(base_url: str, path: str, head: dict[str, str], body: bytes) -> tuple[int, str]:
    """Send a request's head and the first bytes of its body; the status line and body answered.

    A raw socket, because an HTTP client would insist on sending the whole 50 MB first."""
    url = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        lines = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}"]
        lines += [f"{name}: {value}" for name, value in head.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        async with asyncio.timeout(10):
            head_text = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            length = next(
                int(line.split(":", 1)[1])
                for line in head_text.splitlines()
                if line.lower().startswith("content-length:")
            )
            answer = (await reader.readexactly(length)).decode()
        return int(head_text.split()[1]), answer
    finally:
        writer.close()


async def test_a_body_over_the_cap_is_refused_with_413_without_being_read(
    agent: AgentClient, platform: Platform
) -> None:
    auth = {"Authorization": agent.http.headers["Authorization"], "Idempotency-Key": new_key()}
    json_head = {**auth, "Content-Type": "application/json"}
    started = time.monotonic()
    # 50 MB announced, a few bytes sent: the answer comes before the body would have.
    declared, text = await _raw_post(
        platform.url("web"),
        "/api/bookings",
        json_head | {"Content-Length": str(50 * 1024 * 1024)},
        b'{"client_id": "',
    )
    assert declared == 413, text
    assert "larger than" in text
    # No length announced (chunked): refused once the bytes received pass the cap.
    chunk = b"x" * 32 * 1024
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8))
    streamed, text = await _raw_post(
        platform.url("web"),
        "/api/clients",
        json_head | {"Transfer-Encoding": "chunked"},
        b'5\r\n{"a":\r\n' + chunks,
    )
    assert streamed == 413, text
    assert time.monotonic() - started < 10
    small = await agent.http.post("/api/clients", json={"first_name": "A"})
    assert small.status_code == 422, "a small body is still read and validated"


async def test_an_idempotency_key_reused_with_another_body_is_refused_with_the_reason(
    agent: AgentClient,
) -> None:
    check_in, check_out = stay(45)
    offers = await agent.availability(check_in, check_out, city="Paris", guests=2)
    client_id = await agent.new_client()
    key = new_key()
    request = {
        "client_id": client_id,
        "hotel_id": offers[0]["hotel_id"],
        "room_type_id": offers[0]["room_type_id"],
        "check_in": check_in,
        "check_out": check_out,
        "guests": 2,
    }
    first = await agent.book(key, **request)
    assert first.status_code == 202, first.text
    await agent.outcome(first.json()["booking_id"])

    again = await agent.book(key, **request)
    other_guests = await agent.book(key, **(request | {"guests": 1}))
    other_stay = await agent.book(key, **(request | {"check_out": check_out + timedelta(days=1)}))

    assert again.status_code == 202 and again.json()["booking_id"] == first.json()["booking_id"]
    assert other_guests.status_code == 422, other_guests.text
    assert "Idempotency-Key" in other_guests.json()["detail"]
    assert "guests" in other_guests.json()["detail"]
    assert other_stay.status_code == 422 and "check_out" in other_stay.json()["detail"]


async def test_a_stay_in_the_past_or_a_date_given_as_a_number_is_refused(
    agent: AgentClient,
) -> None:
    yesterday_utc = datetime.now(UTC).date() - timedelta(days=1)
    body = {"client_id": "c", "hotel_id": "paris-lumiere", "room_type_id": "t", "guests": 1}
    past = await agent.book(
        new_key(),
        **body,
        check_in=yesterday_utc - timedelta(days=1),
        check_out=yesterday_utc + timedelta(days=2),
    )
    numbers = await agent.book(new_key(), **body, check_in=0, check_out=86400 * 3)
    too_long = await agent.book(
        new_key(),
        **body,
        check_in=yesterday_utc + timedelta(days=30),
        check_out=yesterday_utc + timedelta(days=70),
    )

    assert past.status_code == 422 and "in the past" in past.text, past.text
    assert numbers.status_code == 422 and "YYYY-MM-DD" in numbers.text, numbers.text
    assert too_long.status_code == 422 and "at most 30 nights" in too_long.text, too_long.text


async def test_the_events_stream_answers_404_at_once_for_an_unknown_or_another_agencys_booking(
    agent: AgentClient, operator: AgentClient, platform: Platform
) -> None:
    check_in, check_out = stay(46)
    offers = await agent.availability(check_in, check_out, city="Paris", guests=1)
    async with AgentClient.signed_in(platform.url("web"), "dakar.agent1", "agent-demo") as dakar:
        elsewhere = await dakar.book_offer(
            offers[0], "no-such-client", check_in, check_out, guests=1
        )
        assert elsewhere.status_code == 202, elsewhere.text
        foreign_id = elsewhere.json()["booking_id"]
        await dakar.outcome(foreign_id)

    for booking_id in (foreign_id, "00000000-0000-0000-0000-000000000000"):
        started = time.monotonic()
        async with agent.http.stream("GET", f"/api/bookings/{booking_id}/events") as answer:
            await answer.aread()
        assert answer.status_code == 404, answer.text
        assert answer.json()["detail"] == "No booking with this id."
        assert time.monotonic() - started < 5, "refused at once, not after minutes"
    own = await operator.http.get(f"/api/bookings/{foreign_id}/events")
    assert own.status_code == 200 and "event: state" in own.text


async def test_a_booking_followed_as_soon_as_it_is_accepted_still_streams_to_its_end(
    agent: AgentClient,
) -> None:
    check_in, check_out = stay(47)
    offers = await agent.availability(check_in, check_out, city="Paris", guests=1)
    client_id = await agent.new_client()
    submitted = await agent.book_offer(offers[0], client_id, check_in, check_out, guests=1)
    events = await agent.events(submitted.json()["booking_id"])
    assert events[-1][1]["status"] == "CONFIRMED", events


async def test_every_status_the_api_answers_is_in_its_openapi(agent: AgentClient) -> None:
    spec = (await agent.http.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            where = f"{method.upper()} {path}"
            if path != "/api/auth/token":
                assert {"401", "413", "422", "503"} <= codes, (where, codes)
            if "{" in path and not path.startswith("/api/auth/"):
                assert "404" in codes, (where, codes)
            if path.startswith("/api/ops/"):
                assert "403" in codes, (where, codes)
    assert "409" in spec["paths"]["/api/bookings/{booking_id}/cancel"]["post"]["responses"]
    assert "429" in spec["paths"]["/api/auth/token"]["post"]["responses"]
