"""Agents booking through the public API while a fault is injected, each booking followed to
its end. An agent whose web stops answering goes on with the same Idempotency-Key, on the next
web replica if there is one, as a client behind a load balancer would."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Sequence
from datetime import timedelta

import aiohttp

from contracts.sagas import SETTLED_STATES
from tests.bench.ours import last_state, streamed_state
from tests.bench.workload import BookingRequest, Workload
from tests.chaos.checks import Booking
from web.bookings import booking_id_for
from web.changes import change_id_for

AGENCY_ID = "agency-lome"  # the demo agent's agency; booking ids derive from it and the key
CREDENTIALS = {"username": "agent", "password": "agent-demo"}
SEEN_ENDS = frozenset(str(state) for state in SETTLED_STATES)
RETRY_PAUSE_SECONDS = 1.0
ONE_DAY = timedelta(days=1)


class Agents:
    def __init__(self, web_urls: Sequence[str], agents: int, workload: Workload, follow_s: float):
        self._web_urls = list(web_urls)
        self._agents = agents
        self._workload = workload
        self._follow_seconds = follow_s
        self.bookings: list[Booking] = []
        self._stop = asyncio.Event()

    async def open(self) -> None:
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=5)
        self._sessions = [
            aiohttp.ClientSession(
                base_url=url,
                timeout=timeout,
                connector=aiohttp.TCPConnector(limit=4 * self._agents),
                raise_for_status=True,
            )
            for url in self._web_urls
        ]
        async with self._sessions[0].post("/api/auth/token", data=CREDENTIALS) as response:
            token = (await response.json())["access_token"]
        for session in self._sessions:  # one token secret for every web replica
            session.headers["Authorization"] = f"Bearer {token}"

    async def close(self) -> None:
        for session in self._sessions:
            await session.close()

    async def run(self) -> None:
        """Book until `stop()`; each agent then follows its last booking to its end."""
        await asyncio.gather(*(self._agent(n) for n in range(self._agents)))

    def stop(self) -> None:
        self._stop.set()

    async def _agent(self, number: int) -> None:
        while not self._stop.is_set():
            request = self._workload.next()
            booking = Booking(
                booking_id_for(AGENCY_ID, request.booking_key), request.kind, time.monotonic()
            )
            self.bookings.append(booking)
            await self._book(request, booking, first_web=number)
            if booking.seen == "CONFIRMED" and _changes(request):
                await self._change(request, booking, first_web=number)

    async def _book(self, request: BookingRequest, booking: Booking, first_web: int) -> None:
        deadline = time.monotonic() + self._follow_seconds
        web = first_web
        while True:
            session = self._sessions[web % len(self._sessions)]
            try:
                async with asyncio.timeout(deadline - time.monotonic()):
                    if not booking.accepted:
                        await _submit(session, request)
                        booking.accepted = True
                    state = await last_state(session, booking.booking_id)
            except TimeoutError:
                booking.error = booking.error or "no end before the agent gave up"
                return
            except (aiohttp.ClientError, ValueError) as exc:
                booking.error = f"{type(exc).__name__}: {exc}"[:300]
            else:
                if state.get("status") in SEEN_ENDS:
                    booking.seen, booking.ended_at = state["status"], time.monotonic()
                    return
                booking.error = f"the stream closed on {state.get('status')}"
            if time.monotonic() + RETRY_PAUSE_SECONDS >= deadline:
                return
            booking.retries += 1
            web += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS)

    async def _change(self, request: BookingRequest, booking: Booking, first_web: int) -> None:
        """Move the confirmed booking a day later, and follow the change to its end, resent
        with the same Idempotency-Key when a web stops answering."""
        key = f"{request.booking_key}-later"
        booking.change_id = change_id_for(booking.booking_id, key)
        later = {
            "check_in": (request.check_in + ONE_DAY).isoformat(),
            "check_out": (request.check_out + ONE_DAY).isoformat(),
        }
        path = f"/api/bookings/{booking.booking_id}/changes"
        deadline = time.monotonic() + self._follow_seconds
        web = first_web
        while time.monotonic() + RETRY_PAUSE_SECONDS < deadline:
            session = self._sessions[web % len(self._sessions)]
            try:
                async with asyncio.timeout(deadline - time.monotonic()):
                    if not booking.change_accepted:
                        headers = {"Idempotency-Key": key}
                        async with session.post(path, json=later, headers=headers) as response:
                            await response.read()
                        booking.change_accepted = True
                    state = await streamed_state(session, f"{path}/{booking.change_id}/events")
            except TimeoutError:
                return
            except (aiohttp.ClientError, ValueError) as exc:
                booking.error = f"change: {type(exc).__name__}: {exc}"[:300]
            else:
                if state.get("status") in SEEN_ENDS:
                    booking.change_seen = state["status"]
                    return
            booking.retries += 1
            web += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS)


def _changes(request: BookingRequest) -> bool:
    """Whether the agent changes this booking once confirmed: one in three, by its key."""
    return zlib.crc32(request.booking_key.encode()) % 3 == 0


async def _submit(session: aiohttp.ClientSession, request: BookingRequest) -> None:
    body = request.api_body()
    headers = {"Idempotency-Key": request.booking_key}
    async with session.post("/api/bookings", json=body, headers=headers) as response:
        await response.read()
