"""The agents' app and public API, and the operators' dashboard, composed in a lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from contracts.topology import Topology
from infra.http import probes_router
from infra.logging import configure_logging
from infra.messaging.broker import make_broker
from infra.messaging.publisher import Publisher
from infra.problems import install_refusals
from infra.runtime import broker_ping, start_broker, stop_broker
from web.accounts.demo import ensure_operator, seed_demo
from web.accounts.store import AccountStore
from web.auth import Sessions, SpentTickets
from web.booking_requests import BookingRequests
from web.dead_letters import DeadLetters
from web.edge import COMMON, BodyLimit
from web.entrypoints import (
    accounts_api,
    asyncapi_api,
    auth_api,
    changes_api,
    dashboard_api,
    hotels_api,
    partners_api,
    public_api,
    voucher_api,
)
from web.entrypoints.progress_feed import subscribe_progress
from web.logins import LoginThrottle
from web.partners.channel import PartnerChannel
from web.progress import ProgressHub
from web.settings import WebSettings
from web.upstream import Upstreams

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"


def create_app(service: str, settings: WebSettings | None = None) -> FastAPI:
    """`service` is "web" (the agents' app and public API) or "dashboard"."""
    settings = settings or WebSettings()
    broker = make_broker(settings.amqp_url, settings.prefetch_count)
    topology = Topology(settings.booking_namespace)
    hub = ProgressHub()
    subscribe_progress(broker, topology, hub, service, settings.message_signer())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(service, settings.log_level, settings.log_json)
        app.state.accounts = await AccountStore.open(settings.accounts_db_url)
        app.state.sessions = Sessions(app.state.accounts, settings.session_check_seconds)
        app.state.booking_requests = BookingRequests(app.state.accounts.engine)
        if settings.demo_mode:
            await seed_demo(app.state.accounts)
        await ensure_operator(
            app.state.accounts, settings.operator_username, settings.operator_password
        )
        app.state.upstreams = Upstreams.from_settings(settings)
        app.state.dead_letters = DeadLetters(settings.amqp_url, topology, app.state.accounts.engine)
        if partners is not None:
            partners.open(app.state.accounts, app.state.booking_requests, app.state.upstreams)
        await start_broker(broker, topology)
        await app.state.dead_letters.open()
        try:
            yield
        finally:
            await app.state.dead_letters.close()
            await stop_broker(broker)
            await app.state.upstreams.aclose()
            await app.state.accounts.close()

    app = FastAPI(title=f"Booking platform: {service}", lifespan=lifespan)
    app.add_middleware(BodyLimit)  # no request body is read past MAX_BODY_BYTES (413)
    install_refusals(app)  # every refusal answers with its code and params
    app.state.settings = settings
    app.state.broker = broker
    app.state.publisher = Publisher(broker, topology, service, settings.message_signer())
    # Partners' requests and outcomes, beside the public API whose booking path they share.
    partners = PartnerChannel(broker, app.state.publisher) if service == "web" else None
    app.state.progress = hub
    app.state.logins = LoginThrottle(
        settings.login_failures_per_account,
        settings.login_failures_per_address,
        settings.login_window_seconds,
        settings.login_lockout_seconds,
    )
    app.state.tickets = SpentTickets()
    probes = {"broker": lambda: broker_ping(broker), "accounts": lambda: app.state.accounts.ping()}
    app.include_router(probes_router(service, probes))
    app.include_router(auth_api.router, responses=COMMON)
    app.include_router(public_api.router)
    app.include_router(voucher_api.router)
    app.include_router(changes_api.router)
    app.include_router(dashboard_api.router)
    app.include_router(accounts_api.router)
    app.include_router(hotels_api.router)
    app.include_router(partners_api.router)
    app.include_router(asyncapi_api.router)
    # Mounted last: the API routes above match first, the page's files take everything else.
    static = STATIC_ROOT / ("dashboard" if service == "dashboard" else "agents")
    app.mount("/shared", StaticFiles(directory=STATIC_ROOT / "shared"), name="shared")
    app.mount("/", StaticFiles(directory=static, html=True), name="pages")
    return app
