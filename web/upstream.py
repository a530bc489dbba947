"""HTTP clients of the services the web apps read from (CQRS: reads over HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import HTTPException, status

from web.settings import WebSettings


@dataclass
class Upstreams:
    rooms: httpx.AsyncClient
    clients: httpx.AsyncClient
    reservations: httpx.AsyncClient
    orchestrator: httpx.AsyncClient

    @classmethod
    def from_settings(cls, settings: WebSettings) -> Upstreams:
        def client(url: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(base_url=url, timeout=settings.upstream_timeout_seconds)

        return cls(
            rooms=client(settings.rooms_url),
            clients=client(settings.clients_url),
            reservations=client(settings.reservations_url),
            orchestrator=client(settings.orchestrator_url),
        )

    async def aclose(self) -> None:
        for client in (self.rooms, self.clients, self.reservations, self.orchestrator):
            await client.aclose()


async def call(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Call a service; its 4xx answers pass through, its absence becomes a 503 with a reason."""
    service = client.base_url.host
    try:
        response = await _request(client, method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"The {service} service is unreachable ({type(exc).__name__}); try again.",
        ) from exc
    if response.status_code >= 500:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"The {service} service failed ({response.status_code}); try again.",
        )
    if response.status_code >= 400:
        raise HTTPException(response.status_code, detail=_detail(response))
    return response


async def _request(
    client: httpx.AsyncClient, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    try:
        return await client.request(method, path, **kwargs)
    except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
        # A kept-alive connection the service closed just as it was reused (its idle timeout
        # met ours): a read is sent again once, on a fresh connection.
        if method != "GET":
            raise
        return await client.request(method, path, **kwargs)


def _detail(response: httpx.Response) -> Any:
    try:
        return response.json().get("detail", response.json())
    except ValueError:
        return response.text[:500]
