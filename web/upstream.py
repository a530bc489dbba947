"""HTTP clients of the services the web apps read from (CQRS: reads over HTTP).

A service may run as several replicas: its client's transport sends each request to the first
replica that is not marked down, and moves on to the next when one cannot answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import HTTPException, status

from infra.problems import Refusal
from infra.service_auth import ServiceAuth, ServiceTokens
from web.settings import WebSettings

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
# Raised before a byte of the request left: any request may go to another replica.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)
# Raised once a read may have reached the replica: only a read goes to another replica.
READ_FAILED = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadTimeout)
# What a proxy in front of a dead replica answers.
REPLICA_GONE = frozenset({502, 503})


def replica_order(down_until: Sequence[float], now: float) -> list[int]:
    """The replicas to try, in order: those up as configured, then those down, soonest back first.

    A replica marked down is skipped while another may answer, never left out: when every
    replica is down, each is still tried before the read fails.
    """
    up = [index for index, until in enumerate(down_until) if until <= now]
    down = sorted(set(range(len(down_until))) - set(up), key=lambda index: down_until[index])
    return up + down


class Replicas(httpx.AsyncBaseTransport):
    """Sends a request to one replica of a service after another until one answers."""

    def __init__(
        self,
        urls: Sequence[str],
        down_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        transport: Callable[[], httpx.AsyncBaseTransport] = httpx.AsyncHTTPTransport,
    ) -> None:
        if not urls:
            raise ValueError("a service needs at least one URL")
        self._origins = [httpx.URL(url) for url in urls]
        self._transports = [transport() for _ in urls]
        self._down_until = [0.0] * len(urls)
        self._down_seconds = down_seconds
        self._clock = clock

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        order = replica_order(self._down_until, self._clock())
        for index in order:
            last = index == order[-1]
            try:
                response = await self._send(index, request)
            except (*NOT_SENT, *READ_FAILED) as exc:
                self._down_until[index] = self._clock() + self._down_seconds
                if last or not (isinstance(exc, NOT_SENT) or request.method in IDEMPOTENT):
                    raise
                continue
            if response.status_code in REPLICA_GONE and request.method in IDEMPOTENT:
                self._down_until[index] = self._clock() + self._down_seconds
                if not last:
                    await response.aclose()
                    continue
            else:
                self._down_until[index] = 0.0
            return response
        raise AssertionError("replica_order lists every replica")

    async def _send(self, index: int, request: httpx.Request) -> httpx.Response:
        origin = self._origins[index]
        request.url = request.url.copy_with(
            scheme=origin.scheme, host=origin.host, port=origin.port
        )
        request.headers["Host"] = request.url.netloc.decode("ascii")
        transport = self._transports[index]
        try:
            return await transport.handle_async_request(request)
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
            # A kept-alive connection the service closed just as it was reused (its idle timeout
            # met ours): a read is sent again once, on a fresh connection, before it counts as
            # this replica's failure.
            if request.method not in IDEMPOTENT:
                raise
            return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._transports:
            await transport.aclose()


class ServiceClient(httpx.AsyncClient):
    """A client of one service, which knows the service's name (for the refusals that say it
    could not be reached)."""

    def __init__(self, service: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service


@dataclass
class Upstreams:
    rooms: httpx.AsyncClient
    clients: httpx.AsyncClient
    reservations: httpx.AsyncClient
    orchestrator: httpx.AsyncClient

    @classmethod
    def from_settings(cls, settings: WebSettings) -> Upstreams:
        tokens = ServiceTokens(settings.service_key.get_secret_value())

        def client(service: str) -> httpx.AsyncClient:
            urls = settings.replica_urls()[service]
            return ServiceClient(
                service,
                base_url=urls[0],
                timeout=settings.upstream_timeout_seconds,
                transport=Replicas(urls, settings.upstream_replica_down_seconds),
                # Every request proves to the service that web is one of the platform's own.
                auth=ServiceAuth(tokens, caller="web", audience=service),
            )

        return cls(
            rooms=client("rooms"),
            clients=client("clients"),
            reservations=client("reservations"),
            orchestrator=client("orchestrator"),
        )

    async def aclose(self) -> None:
        for client in (self.rooms, self.clients, self.reservations, self.orchestrator):
            await client.aclose()


def url_path(*segments: str) -> str:
    """A path of a service's API from its segments, each percent-encoded whole (`/` and control
    characters included), so no value can add a segment, a query or a header line."""
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    answered: frozenset[int] = frozenset(),
    **kwargs: Any,
) -> httpx.Response:
    """Call a service; its 4xx answers pass through (a refusal with its code, values and other
    fields unchanged), its absence becomes a 503 with a code (`service.unreachable`,
    `service.failed`). A 4xx in `answered` is returned for the caller to answer as it sees fit."""
    service = service_of(client)
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise Refusal(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "service.unreachable",
            f"The {service} service is unreachable ({type(exc).__name__}); try again.",
            {"service": service},
        ) from exc
    # A 401 refuses web's own service token (a SERVICE_KEY that differs), never the caller's.
    if response.status_code >= 500 or response.status_code == status.HTTP_401_UNAUTHORIZED:
        raise Refusal(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "service.failed",
            f"The {service} service failed ({response.status_code}); try again.",
            {"service": service, "status": response.status_code},
        )
    if response.status_code >= 400 and response.status_code not in answered:
        raise passed_on(response)
    return response


def service_of(client: httpx.AsyncClient) -> str:
    """The service a client calls: its name, or the host of its URL."""
    return getattr(client, "service", None) or client.base_url.host


def passed_on(response: httpx.Response) -> HTTPException:
    """A service's 4xx as web's own answer: a refusal keeps its code, values and other fields
    (e.g. the known client's `client_id`); any other answer keeps its `detail`."""
    body = _body(response)
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        extra = {k: v for k, v in body.items() if k not in ("detail", "code", "params")}
        detail = body.get("detail")
        return Refusal(
            response.status_code,
            body["code"],
            detail if isinstance(detail, str) else str(detail),
            body.get("params") if isinstance(body.get("params"), dict) else {},
            extra=extra,
        )
    if isinstance(body, dict):
        return HTTPException(response.status_code, detail=body.get("detail", body))
    return HTTPException(response.status_code, detail=body)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]
