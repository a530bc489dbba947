"""The accounts store: agencies, users, the hotels a hotel manager runs, and sessions.

SQL (MySQL when `ACCOUNTS_DB_URL` names one, SQLite under `make up`), shared by the agents'
app and the dashboard, migrated at start-up like every other store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infra.stores.migrations import migrate
from infra.stores.sql import create_database_if_missing, make_engine
from web.accounts.roles import Account, Role, User
from web.accounts.tables import agencies, sessions, user_hotels, users

MIGRATIONS = Path(__file__).parent / "migrations"
# Sessions past their expiry are deleted this long after, at a sign-in.
EXPIRED_SESSIONS_KEPT = timedelta(days=1)


# An agency's kind: people book through the apps, or a partner system books over the broker.
AGENCY = "agency"
PARTNER = "partner"


class Clash(Exception):
    """An agency id or a username that is already taken."""


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    city: str
    country: str
    time_zone: str
    currency: str
    active: bool = True
    kind: str = AGENCY


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: Role
    password_hash: str
    agency_id: str | None = None
    hotel_ids: frozenset[str] = frozenset()
    created_by: str | None = None


def now_utc() -> datetime:
    """Now as the store keeps instants: naive, in UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class AccountStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    async def open(cls, url: str) -> AccountStore:
        await create_database_if_missing(url)
        engine = make_engine(url, pool_size=10)
        await migrate(engine, MIGRATIONS)
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(sa.select(1))

    # ---- people ----------------------------------------------------------------------------

    async def login_of(self, username: str) -> tuple[Account, str] | None:
        """The account and its password hash."""
        async with self.engine.connect() as connection:
            row = (
                (await connection.execute(sa.select(users).where(users.c.username == username)))
                .mappings()
                .first()
            )
            if row is None:
                return None
            hotels = await _hotels_of(connection, [username])
        return _account(row, hotels.get(username, frozenset())), str(row["password_hash"])

    async def account(self, username: str) -> Account | None:
        found = await self.accounts(usernames=[username])
        return found[0] if found else None

    async def accounts(
        self,
        agency_id: str | None = None,
        role: Role | None = None,
        usernames: Sequence[str] | None = None,
    ) -> list[Account]:
        query = sa.select(users).order_by(users.c.agency_id, users.c.role, users.c.username)
        if agency_id is not None:
            query = query.where(users.c.agency_id == agency_id)
        if role is not None:
            query = query.where(users.c.role == str(role))
        if usernames is not None:
            query = query.where(users.c.username.in_(usernames))
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
            hotels = await _hotels_of(connection, [r["username"] for r in rows])
        return [_account(r, hotels.get(r["username"], frozenset())) for r in rows]

    async def create_user(self, user: NewUser) -> None:
        async with self.engine.begin() as connection:
            await _insert_user(connection, user)

    async def set_password(self, username: str, password_hash: str, keep: str = "") -> None:
        """A new password: every session of the account but `keep` ends."""
        async with self.engine.begin() as connection:
            await connection.execute(
                users.update()
                .where(users.c.username == username)
                .values(password_hash=password_hash, password_changed_at=now_utc())
            )
            await _revoke_sessions(connection, username, keep)

    async def renew_hash(self, username: str, password_hash: str) -> None:
        """The same password under stronger hashing parameters: no session ends."""
        async with self.engine.begin() as connection:
            await connection.execute(
                users.update()
                .where(users.c.username == username)
                .values(password_hash=password_hash)
            )

    async def set_active(self, username: str, active: bool) -> None:
        """Disabling an account ends its sessions in the same transaction."""
        async with self.engine.begin() as connection:
            await connection.execute(
                users.update().where(users.c.username == username).values(active=active)
            )
            if not active:
                await _revoke_sessions(connection, username, keep="")

    # ---- agencies --------------------------------------------------------------------------

    async def agencies(self) -> list[tuple[Agency, int]]:
        """Every agency with its number of users."""
        counts = (
            sa.select(users.c.agency_id, sa.func.count().label("users"))
            .group_by(users.c.agency_id)
            .subquery()
        )
        query = (
            sa.select(agencies, sa.func.coalesce(counts.c.users, 0).label("user_count"))
            .select_from(agencies.outerjoin(counts, counts.c.agency_id == agencies.c.agency_id))
            .order_by(agencies.c.name)
        )
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [(_agency(row), int(row["user_count"])) for row in rows]

    async def agency(self, agency_id: str) -> Agency | None:
        query = sa.select(agencies).where(agencies.c.agency_id == agency_id)
        async with self.engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        return _agency(row) if row is not None else None

    async def create_agency(self, agency: Agency, manager: NewUser | None) -> None:
        """The agency and its first manager, together or not at all."""
        async with self.engine.begin() as connection:
            try:
                await connection.execute(
                    agencies.insert().values(**agency.__dict__, created_at=now_utc())
                )
            except IntegrityError:
                raise Clash(f"An agency {agency.agency_id!r} already exists.") from None
            if manager is not None:
                await _insert_user(connection, manager)

    # ---- sessions --------------------------------------------------------------------------

    async def open_session(self, session_id: str, username: str, expires_at: datetime) -> None:
        now = now_utc()
        async with self.engine.begin() as connection:
            await connection.execute(
                sessions.delete().where(sessions.c.expires_at < now - EXPIRED_SESSIONS_KEPT)
            )
            await connection.execute(
                sessions.insert().values(
                    session_id=session_id,
                    username=username,
                    created_at=now,
                    expires_at=expires_at.astimezone(UTC).replace(tzinfo=None),
                )
            )

    async def session_user(self, session_id: str) -> User | None:
        """The person of a live session: not revoked, not expired, account active."""
        query = (
            sa.select(users, sessions.c.expires_at, user_hotels.c.hotel_id)
            .select_from(
                sessions.join(users, users.c.username == sessions.c.username).outerjoin(
                    user_hotels, user_hotels.c.username == users.c.username
                )
            )
            .where(
                sessions.c.session_id == session_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > now_utc(),
                users.c.active.is_(True),
            )
        )
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        if not rows:
            return None
        first = rows[0]
        return User(
            username=first["username"],
            role=Role(first["role"]),
            agency_id=first["agency_id"],
            hotel_ids=frozenset(r["hotel_id"] for r in rows if r["hotel_id"] is not None),
            display_name=first["display_name"],
            token_id=session_id,
            expires_at=first["expires_at"].replace(tzinfo=UTC).timestamp(),
        )

    async def revoke_session(self, session_id: str) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                sessions.update()
                .where(sessions.c.session_id == session_id, sessions.c.revoked_at.is_(None))
                .values(revoked_at=now_utc())
            )


async def _insert_user(connection: AsyncConnection, user: NewUser) -> None:
    now = now_utc()
    try:
        await connection.execute(
            users.insert().values(
                username=user.username,
                display_name=user.display_name,
                role=str(user.role),
                agency_id=user.agency_id,
                password_hash=user.password_hash,
                active=True,
                created_at=now,
                created_by=user.created_by,
                password_changed_at=now,
            )
        )
    except IntegrityError:
        raise Clash(f"The username {user.username!r} is taken.") from None
    if user.hotel_ids:
        await connection.execute(
            user_hotels.insert(),
            [{"username": user.username, "hotel_id": h} for h in sorted(user.hotel_ids)],
        )


async def _revoke_sessions(connection: AsyncConnection, username: str, keep: str) -> None:
    await connection.execute(
        sessions.update()
        .where(
            sessions.c.username == username,
            sessions.c.session_id != keep,
            sessions.c.revoked_at.is_(None),
        )
        .values(revoked_at=now_utc())
    )


async def _hotels_of(
    connection: AsyncConnection, usernames: Sequence[str]
) -> dict[str, frozenset[str]]:
    if not usernames:
        return {}
    query = sa.select(user_hotels).where(user_hotels.c.username.in_(list(usernames)))
    found: dict[str, set[str]] = {}
    for row in (await connection.execute(query)).all():
        found.setdefault(row[0], set()).add(row[1])
    return {username: frozenset(hotels) for username, hotels in found.items()}


def _account(row: Any, hotel_ids: frozenset[str]) -> Account:
    return Account(
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        agency_id=row["agency_id"],
        hotel_ids=hotel_ids,
        active=bool(row["active"]),
        created_at=row["created_at"].replace(tzinfo=UTC),
    )


def _agency(row: Any) -> Agency:
    return Agency(
        agency_id=row["agency_id"],
        name=row["name"],
        city=row["city"],
        country=row["country"],
        time_zone=row["time_zone"],
        currency=row["currency"],
        active=bool(row["active"]),
        kind=row["kind"],
    )
