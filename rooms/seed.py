"""`python -m rooms.seed`: load the demo group into ROOMS_DB_URL (idempotent)."""

from __future__ import annotations

import asyncio

from rooms.adapters.seed import seed
from rooms.adapters.store import open_store
from rooms.settings import RoomsSettings


async def seed_store(url: str) -> dict[str, int]:
    engine = await open_store(url)
    try:
        return await seed(engine)
    finally:
        await engine.dispose()


def main() -> None:
    added = asyncio.run(seed_store(RoomsSettings().rooms_db_url))
    print(", ".join(f"{table}: {count} added" for table, count in added.items()))


if __name__ == "__main__":
    main()
