"""A confirmed booking's voucher: a printable page and a PDF, in English or French, for whoever
may see the booking. Both need the bearer token, so the apps fetch them and open the result."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse, Response

from infra.problems import Refusal
from web.accounts.roles import User
from web.auth import CurrentUser
from web.catalogue import HotelCatalogue
from web.edge import COMMON, CONFLICT, NOT_FOUND, PathId, Responses
from web.entrypoints.public_api import Hotels, Services, booking_details
from web.upstream import Upstreams
from web.vouchers.html import voucher_page
from web.vouchers.model import NotConfirmed, Voucher, voucher
from web.vouchers.pdf import voucher_pdf

router = APIRouter(prefix="/api", tags=["bookings"], responses=COMMON | NOT_FOUND | CONFLICT)
Lang = Annotated[Literal["en", "fr"], Query(description="the voucher's language")]
# Neither page nor PDF runs anything or loads anything from elsewhere.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Cache-Control": "no-store",  # a client's name: kept by no cache
}
HTML: Responses = {200: {"content": {"text/html": {}}, "description": "The voucher, printable."}}
PDF: Responses = {200: {"content": {"application/pdf": {}}, "description": "The voucher as a PDF."}}


@router.get("/bookings/{booking_id}/voucher", response_class=HTMLResponse, responses=HTML)
async def voucher_html(
    user: CurrentUser, services: Services, hotels: Hotels, booking_id: PathId, lang: Lang = "en"
) -> HTMLResponse:
    made = await _voucher(user, services, hotels, booking_id, lang)
    return HTMLResponse(voucher_page(made), headers=HEADERS)


@router.get("/bookings/{booking_id}/voucher.pdf", response_class=Response, responses=PDF)
async def voucher_pdf_file(
    user: CurrentUser, services: Services, hotels: Hotels, booking_id: PathId, lang: Lang = "en"
) -> Response:
    made = await _voucher(user, services, hotels, booking_id, lang)
    content = await asyncio.to_thread(voucher_pdf, made)  # some milliseconds of CPU
    name = f"voucher-{made.code.value}-{lang}.pdf"
    disposition = {"Content-Disposition": f'inline; filename="{name}"'}
    return Response(content, media_type="application/pdf", headers=HEADERS | disposition)


async def _voucher(
    user: User,
    services: Upstreams,
    hotels: HotelCatalogue,
    booking_id: str,
    lang: Literal["en", "fr"],
) -> Voucher:
    booking = await booking_details(user, services, hotels, booking_id)
    try:
        return voucher(booking, lang)
    except NotConfirmed:
        raise Refusal(
            status.HTTP_409_CONFLICT,
            "voucher.not_confirmed",
            f"Only a confirmed booking has a voucher; this one is {booking['status']}.",
            params={"status": booking["status"]},
        ) from None
