"""What an agency's software does with the public API, as a small client for the tests."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from contracts.sagas import TERMINAL_STATES

TERMINAL = frozenset(str(state) for state in TERMINAL_STATES)


def stay(offset_days: int, nights: int = 2) -> tuple[date, date]:
    """A stay starting `offset_days` from today; tests use distinct offsets to stay apart."""
    check_in = date.today() + timedelta(days=offset_days)
    return check_in, check_in + timedelta(days=nights)


@dataclass
class AgentClient:
    http: httpx.AsyncClient

    @classmethod
    @asynccontextmanager
    async def signed_in(
        cls, base_url: str, username: str, password: str
    ) -> AsyncIterator[AgentClient]:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            response = await http.post(
                "/api/auth/token", data={"username": username, "password": password}
            )
            response.raise_for_status()
            http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
            yield cls(http)

    async def availability(
        self, check_in: date, check_out: date, **where: Any
    ) -> list[dict[str, Any]]:
        params = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), **where}
        response = await self.http.get("/api/availability", params=params)
        response.raise_for_status()
        return response.json()["results"]  # type: ignore[no-any-return]

    async def new_client(self) -> str:
        suffix = uuid.uuid4().hex[:10]
        response = await self.http.post(
            "/api/clients",
            json={
                "first_name": "Ama",
                "last_name": f"Mensah{suffix}",
                "email": f"ama.{suffix}@example.org",
                "phone": "+22890123456",
                "nationality": "TG",
            },
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]  # type: ignore[no-any-return]

    async def book(self, key: str, **booking: Any) -> httpx.Response:
        body = {k: v.isoformat() if isinstance(v, date) else v for k, v in booking.items()}
        return await self.http.post("/api/bookings", json=body, headers={"Idempotency-Key": key})

    async def book_offer(
        self, offer: dict[str, Any], client_id: str, check_in: date, check_out: date, guests: int
    ) -> httpx.Response:
        """Book one availability result for a client, with a fresh idempotency key."""
        return await self.book(
            uuid.uuid4().hex,
            client_id=client_id,
            hotel_id=offer["hotel_id"],
            room_type_id=offer["room_type_id"],
            check_in=check_in,
            check_out=check_out,
            guests=guests,
        )

    async def booking(self, booking_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/api/bookings/{booking_id}")
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    async def events(self, booking_id: str) -> list[tuple[str, dict[str, Any]]]:
        """Follow the SSE stream to its end; every (event, data) in arrival order."""
        return await self.stream(f"/api/bookings/{booking_id}/events")

    async def stream(self, path: str) -> list[tuple[str, dict[str, Any]]]:
        """Follow an SSE stream to its end; every (event, data) in arrival order."""
        received: list[tuple[str, dict[str, Any]]] = []
        event = "message"
        async with self.http.stream("GET", path) as response:
            assert response.status_code == 200
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.removeprefix("event:").strip()
                elif line.startswith("data:"):
                    received.append((event, json.loads(line.removeprefix("data:"))))
                    event = "message"
        return received

    async def when_in(
        self, booking_id: str, states: frozenset[str], change_id: str | None = None
    ) -> dict[str, Any]:
        """The booking (or its change) as soon as its events stream shows it in one of
        `states`; if the stream ends (it ended) without, as it ended, for the caller to judge."""
        path = f"/api/bookings/{booking_id}"
        if change_id is not None:
            path += f"/changes/{change_id}"
        async with (
            asyncio.timeout(60),
            self.http.stream("GET", f"{path}/events") as response,
        ):
            assert response.status_code == 200
            async for line in response.aiter_lines():
                if line.startswith("data:"):  # a state (`status`) or a step (`state`)
                    data = json.loads(line.removeprefix("data:"))
                    if data.get("status", data.get("state")) in states:
                        break
        response = await self.http.get(path)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    async def outcome(self, booking_id: str, until: frozenset[str] = TERMINAL) -> dict[str, Any]:
        """The booking once it reaches a status in `until`, followed live over SSE.

        A cancellation starts from CONFIRMED, itself an end: until the orchestrator has taken
        the request, a new stream opens on CONFIRMED and closes at once, so follow again.
        """
        async with asyncio.timeout(60):
            while True:
                await self.events(booking_id)
                booking = await self.booking(booking_id)
                if booking["status"] in until:
                    return booking
                await asyncio.sleep(0.1)

    async def change(self, booking_id: str, key: str, **change: Any) -> httpx.Response:
        body = {k: v.isoformat() if isinstance(v, date) else v for k, v in change.items()}
        return await self.http.post(
            f"/api/bookings/{booking_id}/changes", json=body, headers={"Idempotency-Key": key}
        )

    async def change_outcome(self, booking_id: str, change_id: str) -> dict[str, Any]:
        """The change once it ended, followed live over SSE."""
        path = f"/api/bookings/{booking_id}/changes/{change_id}"
        async with asyncio.timeout(60):
            while True:
                await self.stream(f"{path}/events")
                response = await self.http.get(path)
                response.raise_for_status()
                change: dict[str, Any] = response.json()
                if change["ended"]:
                    return change
                await asyncio.sleep(0.1)
