"""Demo clients for `make up`: a dozen travellers from every inhabited continent.

Addresses use the reserved example domains and phone numbers are fictional, so the demo
holds no real person's data. Ids derive from the address, so seeding twice adds nothing.
The first few were registered by the demo agent's agency (Lomé), the others by agencies
elsewhere, so the demo shows both what an agency reads of its own clients and the masked
view of the group's other clients.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from clients.adapters import repository
from clients.domain.model import ClientDetails, DocumentType, register
from clients.domain.rules import email_key

DEMO_NAMESPACE = uuid.UUID("6f1c2a4e-6b0e-4d8e-9a57-2f6f0c1d9e11")
_P, _N = DocumentType.PASSPORT, DocumentType.NATIONAL_ID

DEMO_CLIENTS: tuple[ClientDetails, ...] = (
    ClientDetails(
        "Kofi", "Mensah", "kofi.mensah@example.com", "+22890112233", "TG", _P, "TG0481726"
    ),
    ClientDetails("Amara", "Diallo", "amara.diallo@example.org", "+221771234567", "SN"),
    ClientDetails(
        "Chloé", "Martin", "chloe.martin@example.fr", "+33612345678", "FR", _N, "X4RTBPFW4"
    ),
    ClientDetails("Lukas", "Schneider", "lukas.schneider@example.de", "+4915123456789", "DE"),
    ClientDetails(
        "Sofía", "Ramírez", "sofia.ramirez@example.mx", "+525512345678", "MX", _P, "G12345678"
    ),
    ClientDetails("Mateus", "Oliveira", "mateus.oliveira@example.com.br", "+5511987654321", "BR"),
    ClientDetails(
        "Noah", "Johnson", "noah.johnson@example.com", "+12025550143", "US", _P, "A03481234"
    ),
    ClientDetails("Yuki", "Tanaka", "yuki.tanaka@example.jp", "+819012345678", "JP"),
    ClientDetails(
        "Priya", "Raman", "priya.raman@example.in", "+919876543210", "IN", _P, "K1234567"
    ),
    ClientDetails("Wei", "Zhang", "wei.zhang@example.cn", "+8613812345678", "CN"),
    ClientDetails("Aroha", "Ngata", "aroha.ngata@example.nz", "+64211234567", "NZ"),
    ClientDetails(
        "Olivia", "Smith", "olivia.smith@example.com.au", "+61412345678", "AU", _P, "PA1234567"
    ),
    ClientDetails("Fatima Zahra", "El Amrani", "fatima.elamrani@example.ma", "+212612345678", "MA"),
)


DEMO_AGENCY = "agency-lome"
OTHER_AGENCIES = ("agency-paris", "agency-montreal", "agency-tokyo")
DEMO_AGENCY_CLIENTS = 6


def demo_registrar(index: int) -> str:
    """The agency that registered the `index`th demo client."""
    if index < DEMO_AGENCY_CLIENTS:
        return DEMO_AGENCY
    return OTHER_AGENCIES[index % len(OTHER_AGENCIES)]


def demo_client_id(details: ClientDetails) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, email_key(details.email)))


async def seed_demo_clients(engine: AsyncEngine) -> int:
    """Add the demo clients that are missing; returns how many were added."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session, session.begin():
        return await _add_missing(session)


async def _add_missing(session: AsyncSession) -> int:
    present = await repository.existing_email_keys(
        session, [email_key(details.email) for details in DEMO_CLIENTS]
    )
    now = datetime.now(UTC)
    added = 0
    for index, details in enumerate(DEMO_CLIENTS):
        if email_key(details.email) not in present:
            client = register(demo_client_id(details), details, now, demo_registrar(index))
            await repository.add(session, client)
            added += 1
    return added
