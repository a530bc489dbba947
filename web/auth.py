"""Bearer tokens (JWT, HS256) for agents and operators, their revocation, the one-use tickets
of the events stream, and the role checks.

A token lasts `token_ttl_minutes` (15 by default) and must carry `exp`, `iat`, `sub` and `jti`;
sign-out puts its `jti` on the revocation list until it would have expired anyway. Tokens are
read from the Authorization header only, never from a URL. The events stream (EventSource
cannot send headers) takes instead a ticket: signed, bound to one booking and to the token it
came from, valid for `TICKET_SECONDS`, and taken once.

The revocation list and the spent tickets are kept in this process's memory (the web has no
shared store yet): a token signed out on one web process (the agents' app, the dashboard, a
replica) stays valid on the others until it expires, at most `token_ttl_minutes` later.
"""

from __future__ import annotations

import hmac
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import OAuth2PasswordBearer

from infra.actor import Actor
from web.settings import WebSettings

ALGORITHM = "HS256"
TICKET_SECONDS = 30
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti"]
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


class Role(StrEnum):
    AGENT = "agent"
    OPERATOR = "operator"


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    agency_id: str
    token_id: str = ""
    expires_at: float = 0.0  # epoch seconds

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    def acting(self) -> dict[str, str]:
        """The headers naming this person to a service that decides per person (clients)."""
        return Actor(self.username, str(self.role), self.agency_id).headers()


class Revocations:
    """Token ids signed out, each kept until its token would have expired."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def revoke(self, token_id: str, expires_at: float) -> None:
        self._prune()
        self._until[token_id] = expires_at

    def __contains__(self, token_id: str) -> bool:
        return token_id in self._until

    def _prune(self) -> None:
        now = time.time()
        for token_id in [key for key, until in self._until.items() if until < now]:
            del self._until[token_id]


def authenticate(settings: WebSettings, username: str, password: str) -> User | None:
    accounts = {
        settings.agent_username: (settings.agent_password, Role.AGENT, settings.agent_agency_id),
        settings.operator_username: (settings.operator_password, Role.OPERATOR, "head-office"),
    }
    account = accounts.get(username)
    # Compared in constant time, and compared even for an unknown username.
    expected = account[0] if account is not None else settings.token_secret
    matches = hmac.compare_digest(expected.encode(), password.encode())
    if account is None or not matches:
        return None
    return User(username, account[1], account[2])


def issue_token(settings: WebSettings, user: User) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": user.username,
        "role": str(user.role),
        "agency": user.agency_id,
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_ttl_minutes),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.token_secret, algorithm=ALGORITHM)


def _decode(settings: WebSettings, token: str, **options: Any) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            settings.token_secret,
            algorithms=[ALGORITHM],
            options={"require": REQUIRED_CLAIMS},
            **options,
        )
    except jwt.PyJWTError as exc:
        raise _unauthorized("The token is invalid or has expired.") from exc


def _user(claims: dict[str, Any], token_id: str) -> User:
    try:
        return User(
            claims["sub"], Role(claims["role"]), claims["agency"], token_id, float(claims["exp"])
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise _unauthorized("The token is invalid or has expired.") from exc


def read_token(settings: WebSettings, token: str, revoked: Revocations | None = None) -> User:
    claims = _decode(settings, token)
    if "use" in claims:  # a ticket is not a token
        raise _unauthorized("The token is invalid or has expired.")
    if revoked is not None and claims["jti"] in revoked:
        raise _unauthorized("This token was signed out.")
    return _user(claims, claims["jti"])


def issue_ticket(settings: WebSettings, user: User, booking_id: str) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": user.username,
        "role": str(user.role),
        "agency": user.agency_id,
        "iat": now,
        "exp": now + timedelta(seconds=TICKET_SECONDS),
        "jti": uuid.uuid4().hex,
        "use": "events",
        "booking": booking_id,
        "sid": user.token_id,  # the token it came from: signing that out voids the ticket
    }
    return jwt.encode(claims, settings.token_secret, algorithm=ALGORITHM)


class SpentTickets:
    """Ticket ids already taken, each kept until the ticket would have expired."""

    def __init__(self) -> None:
        self._revocations = Revocations()

    def take(self, ticket_id: str, expires_at: float) -> bool:
        if ticket_id in self._revocations:
            return False
        self._revocations.revoke(ticket_id, expires_at)
        return True


def redeem_ticket(
    settings: WebSettings,
    ticket: str,
    booking_id: str,
    revoked: Revocations,
    spent: SpentTickets,
) -> User:
    claims = _decode(settings, ticket)
    if claims.get("use") != "events" or claims.get("booking") != booking_id:
        raise _unauthorized("This ticket is not for this booking's events.")
    token_id = str(claims.get("sid", ""))
    if token_id in revoked:
        raise _unauthorized("This token was signed out.")
    user = _user(claims, token_id)
    if not spent.take(claims["jti"], float(claims["exp"])):
        raise _unauthorized("This ticket was already used; ask for a new one.")
    return user


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def current_user(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    if not token:
        raise _unauthorized("Sign in first: this endpoint needs a bearer token.")
    settings: WebSettings = request.app.state.settings
    return read_token(settings, token, request.app.state.revocations)


async def stream_user(
    request: Request,
    booking_id: str,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    ticket: Annotated[
        str | None,
        Query(
            max_length=2048,
            description="A one-use ticket from `POST /api/auth/tickets`, for clients that "
            "cannot send an Authorization header (EventSource).",
        ),
    ] = None,
) -> User:
    """The events stream's caller: a bearer token in the header, or a one-use ticket."""
    if token:
        return await current_user(request, token)
    if not ticket:
        raise _unauthorized("Sign in first: send a bearer token or a ticket.")
    state = request.app.state
    return redeem_ticket(state.settings, ticket, booking_id, state.revocations, state.tickets)


async def operator(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_operator:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Operators only.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
StreamUser = Annotated[User, Depends(stream_user)]
Operator = Annotated[User, Depends(operator)]
