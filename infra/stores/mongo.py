"""MongoDB clients (a real MongoDB, or the embedded MongoDB-protocol server)."""

from __future__ import annotations

from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorDatabase


def make_client(url: str) -> AsyncIOMotorClient[dict[str, Any]]:
    return AsyncIOMotorClient(url, serverSelectionTimeoutMS=5000, tz_aware=True)


def database(
    client: AsyncIOMotorClient[dict[str, Any]], name: str
) -> AsyncIOMotorDatabase[dict[str, Any]]:
    return client[name]
