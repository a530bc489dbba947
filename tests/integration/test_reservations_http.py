"""The reservations HTTP API on the running service: reads, listings, bad input, probes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorClient

from contracts.envelope import new_id
from contracts.reservations import (
    CancelReservation,
    ReservationWritten,
    WriteReservation,
)
from reservations.handlers import handle_cancel_reservation, handle_write_reservation
from tests.integration.test_reservations_support import (
    RunningService,
    envelope_for,
    service,
    write_command,
)

pytestmark = pytest.mark.integration
__all__ = ["service"]


async def seed(
    service: RunningService, command: WriteReservation, cancelled: bool = False
) -> ReservationWritten:
    """Write (and cancel) a reservation through the handlers, on the service's own database."""
    settings = service.settings
    client: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(
        settings.reservations_mongo_url, tz_aware=True
    )
    store = client[settings.reservations_mongo_database]
    saga_id = new_id()
    try:
        reply = await handle_write_reservation(
            command, envelope_for(WriteReservation.message_type, saga_id), store
        )
        if cancelled:
            cancel = CancelReservation(booking_saga_id=saga_id, reason="changed plans")
            await handle_cancel_reservation(
                cancel, envelope_for(CancelReservation.message_type), store
            )
    finally:
        client.close()
    assert isinstance(reply, ReservationWritten)
    return reply


async def test_a_reservation_reads_by_id_and_by_code_with_exact_amounts(
    service: RunningService,
) -> None:
    written = await seed(service, write_command())

    by_id = await service.http.get(f"/reservations/{written.reservation_id}")
    by_code = await service.http.get(f"/reservations/by-code/{written.confirmation_code.lower()}")

    assert by_id.status_code == by_code.status_code == 200
    body = by_id.json()
    assert body == by_code.json()
    assert body["confirmation_code"] == written.confirmation_code
    assert body["total"] == "350.49" and body["currency"] == "XOF"
    assert [p["price"] for p in body["nightly_prices"]] == ["120.50", "99.99", "130.00"]
    assert body["stay"] == {"check_in": "2027-03-10", "check_out": "2027-03-13", "nights": 3}
    assert body["room"]["room_number"] == "204"
    assert body["status"] == "CONFIRMED"


async def test_listing_filters_and_pages(service: RunningService) -> None:
    client_id = f"client-{new_id()[:8]}"
    for day in (1, 2, 3, 4, 5):
        await seed(service, write_command(check_in=date(2027, 5, day), client_id=client_id))
    await seed(service, write_command(check_in=date(2027, 5, 6), client_id=client_id), True)
    await seed(service, write_command(check_in=date(2027, 5, 3), hotel_id="hotel-paris"))

    page = (
        await service.http.get(
            "/reservations",
            params={
                "client_id": client_id,
                "status": "CONFIRMED",
                "check_in_from": "2027-05-02",
                "check_in_to": "2027-05-05",
                "limit": 2,
                "offset": 1,
            },
        )
    ).json()
    cancelled = (
        await service.http.get(
            "/reservations", params={"client_id": client_id, "status": "CANCELLED"}
        )
    ).json()
    paris = (await service.http.get("/reservations", params={"hotel_id": "hotel-paris"})).json()

    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [item["stay"]["check_in"] for item in page["items"]] == ["2027-05-03", "2027-05-04"]
    assert cancelled["total"] == 1
    assert [c["status"] for c in cancelled["items"][0]["status_history"]] == [
        "CONFIRMED",
        "CANCELLED",
    ]
    assert [item["hotel"]["id"] for item in paris["items"]] == ["hotel-paris"]


async def test_unknown_reservations_are_404_with_a_reason(service: RunningService) -> None:
    for path in ("/reservations/no-such-id", "/reservations/by-code/ABCDEFGH"):
        response = await service.http.get(path)
        assert response.status_code == 404, path
        assert "no reservation" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/reservations/by-code/ABC", {}),
        ("/reservations/by-code/ABCDEFG0", {}),
        ("/reservations/by-code/%24ne%3A1", {}),
        ("/reservations", {"status": "PENDING"}),
        ("/reservations", {"check_in_from": "2027-13-01"}),
        ("/reservations", {"check_in_from": "2027-05-10", "check_in_to": "2027-05-01"}),
        ("/reservations", {"limit": "0"}),
        ("/reservations", {"limit": "10000"}),
        ("/reservations", {"limit": "many"}),
        ("/reservations", {"offset": "-1"}),
        ("/reservations", {"offset": "99999999999999999999"}),
        ("/reservations", {"client_id": ""}),
        ("/reservations", {"hotel_id": "h" * 65}),
    ],
)
async def test_bad_input_gets_a_4xx_with_a_reason(
    service: RunningService, path: str, params: dict[str, str]
) -> None:
    response = await service.http.get(path, params=params)

    assert 400 <= response.status_code < 500, response.text
    assert response.json()["detail"]


async def test_health_and_metrics(service: RunningService) -> None:
    await seed(service, write_command())

    health = await service.http.get("/health")
    metrics = await service.http.get("/metrics")

    assert health.status_code == 200
    assert health.json()["checks"] == {"broker": "ok", "store": "ok"}
    assert 'reservations_outcomes_total{outcome="written"}' in metrics.text
