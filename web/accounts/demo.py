# ruff: noqa: E501
"""The demo group's people, seeded under `make up` and in the platform tests (demo mode only).

Seven agencies on six continents, each with a manager and two agents; the historical demo
agent `agent` of Lomé; a hotel manager for the two Paris hotels; an operator. The README
lists these logins. Each demo password is hashed once and its hash shared by the accounts
that use it: a demo shortcut (seeding stays fast), never done for a real account.
"""

from __future__ import annotations

from web.accounts.passwords import hashed
from web.accounts.roles import Role
from web.accounts.store import AccountStore, Agency, Clash, NewUser

AGENT_PASSWORD = "agent-demo"
HOTEL_PASSWORD = "hotel-demo"
OPERATOR_PASSWORD = "operator-demo"
DEMO_PASSWORDS = frozenset({AGENT_PASSWORD, HOTEL_PASSWORD, OPERATOR_PASSWORD})

# One agency per line: id, name, city, country, time zone, currency, the login prefix.
# fmt: off
AGENCIES: tuple[tuple[Agency, str], ...] = (
    (Agency("agency-lome", "Lomé Voyages", "Lomé", "TG", "Africa/Lome", "XOF"), "lome"),
    (Agency("agency-dakar", "Teranga Travel", "Dakar", "SN", "Africa/Dakar", "XOF"), "dakar"),
    (Agency("agency-paris", "Paris Rive Gauche Voyages", "Paris", "FR", "Europe/Paris", "EUR"), "paris"),
    (Agency("agency-montreal", "Voyages Mont-Royal", "Montréal", "CA", "America/Toronto", "CAD"), "montreal"),
    (Agency("agency-tokyo", "Sakura Journeys", "Tokyo", "JP", "Asia/Tokyo", "JPY"), "tokyo"),
    (Agency("agency-sydney", "Harbour Travel Co.", "Sydney", "AU", "Australia/Sydney", "AUD"), "sydney"),
    (Agency("agency-saopaulo", "Paulista Viagens", "São Paulo", "BR", "America/Sao_Paulo", "BRL"), "saopaulo"),
)
# fmt: on
HOTEL_MANAGER = "hotels.paris"
PARIS_HOTELS = frozenset({"paris-lumiere", "paris-montmartre"})


def _users(agent_hash: str, hotel_hash: str, operator_hash: str) -> list[NewUser]:
    people = [
        NewUser("operator", "Head office operator", Role.OPERATOR, operator_hash),
        NewUser("agent", "Kossi Mensah", Role.AGENT, agent_hash, "agency-lome"),
        NewUser(
            HOTEL_MANAGER, "Claire Dubois", Role.HOTEL_MANAGER, hotel_hash, hotel_ids=PARIS_HOTELS
        ),
    ]
    for agency, prefix in AGENCIES:
        city = agency.city
        people += [
            NewUser(
                f"{prefix}.manager",
                f"{city} manager",
                Role.AGENCY_MANAGER,
                agent_hash,
                agency.agency_id,
            ),
            NewUser(
                f"{prefix}.agent1", f"{city} agent 1", Role.AGENT, agent_hash, agency.agency_id
            ),
            NewUser(
                f"{prefix}.agent2", f"{city} agent 2", Role.AGENT, agent_hash, agency.agency_id
            ),
        ]
    return people


async def seed_demo(store: AccountStore) -> None:
    """Seed the demo people once; a store that has them (or a seed racing this one) is left."""
    if await store.agency(AGENCIES[0][0].agency_id) is not None:
        return
    people = _users(
        await hashed(AGENT_PASSWORD), await hashed(HOTEL_PASSWORD), await hashed(OPERATOR_PASSWORD)
    )
    try:
        for agency, _ in AGENCIES:
            await store.create_agency(agency, manager=None)
    except Clash:
        return  # the other web process is seeding
    for person in people:
        try:
            await store.create_user(person)
        except Clash:
            continue


async def ensure_operator(store: AccountStore, username: str, password: str) -> None:
    """The first operator, from the settings, when the store has no such account yet: the way
    into a new installation. Once created, the account is managed like any other."""
    if await store.account(username) is not None:
        return
    try:
        await store.create_user(
            NewUser(username, "Head office operator", Role.OPERATOR, await hashed(password))
        )
    except Clash:
        return
