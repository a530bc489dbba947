"""The request each Idempotency-Key named, on both stores web runs on (MySQL, and SQLite under
`make up`): the first request is kept, a retry finds it, another request under the key is
told apart field by field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from web.accounts.store import AccountStore
from web.booking_requests import BookingRequests, differing

pytestmark = pytest.mark.integration
FIRST = {"client_id": "c-1", "hotel_id": "paris-lumiere", "check_in": "2027-01-08", "guests": 2}


@pytest.fixture(params=["mysql", "sqlite"])
async def requests(
    request: pytest.FixtureRequest, accounts_db_url: str, tmp_path: Path
) -> AsyncIterator[BookingRequests]:
    url = accounts_db_url if request.param == "mysql" else f"sqlite+aiosqlite:///{tmp_path}/a.db"
    store = await AccountStore.open(url)
    try:
        yield BookingRequests(store.engine)
    finally:
        await store.close()


async def test_a_key_keeps_its_first_request(requests: BookingRequests) -> None:
    first = await requests.first("booking-1", FIRST)
    retried = await requests.first("booking-1", dict(FIRST))
    other = await requests.first("booking-1", FIRST | {"guests": 1, "check_in": "2027-01-09"})
    elsewhere = await requests.first("booking-2", FIRST | {"guests": 3})

    assert first == retried == other == FIRST
    assert differing(other, FIRST | {"guests": 1, "check_in": "2027-01-09"}) == [
        "check_in",
        "guests",
    ]
    assert elsewhere["guests"] == 3
