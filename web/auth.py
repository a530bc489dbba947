"""Bearer tokens (JWT, HS256) over sessions in the accounts store, the one-use tickets of the
events stream, and the role checks.

A sign-in opens a session in the accounts store; the token names it (`jti`) and lasts
`token_ttl_minutes` (15 by default). Every request finds the session live (not signed out, not
expired, its account enabled) before it trusts the token, so a sign-out, a password change or
a disabled account ends a token on every web process: at once on the one that did it, within
`session_check_seconds` on the others (each keeps what it found that long). Tokens are read
from the Authorization header only, never from a URL. The events stream (EventSource cannot
send headers) takes instead a ticket: signed, bound to one booking and to the session it came
from, valid for `TICKET_SECONDS`, and taken once (by the process it is redeemed on).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Query, Request, status
from fastapi.security import OAuth2PasswordBearer

from infra.problems import Refusal
from web.accounts.roles import Role, User
from web.accounts.store import AccountStore
from web.settings import WebSettings

ALGORITHM = "HS256"
TICKET_SECONDS = 30
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti"]
SESSIONS_CACHED = 50_000  # live sessions a process remembers at most
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def issue_token(settings: WebSettings, username: str, role: Role) -> tuple[str, str, datetime]:
    """A token for a new session: the token, the session id, and when both expire."""
    now = datetime.now(UTC)
    expires_at = now + timedelta(minutes=settings.token_ttl_minutes)
    session_id = uuid.uuid4().hex
    claims = {"sub": username, "role": str(role), "iat": now, "exp": expires_at, "jti": session_id}
    return jwt.encode(claims, settings.token_secret, algorithm=ALGORITHM), session_id, expires_at


class Sessions:
    """Live sessions as found in the accounts store, each trusted for `seconds` after."""

    def __init__(
        self, store: AccountStore, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store, self.seconds, self.clock = store, seconds, clock
        self._found: dict[str, tuple[float, User]] = {}

    async def user(self, session_id: str) -> User | None:
        cached = self._found.get(session_id)
        if cached is not None and cached[0] > self.clock():
            return cached[1]
        user = await self.store.session_user(session_id)
        if user is None:
            self._found.pop(session_id, None)
            return None
        if len(self._found) >= SESSIONS_CACHED:
            self._found.clear()
        self._found[session_id] = (self.clock() + self.seconds, user)
        return user

    def forget(self, username: str) -> None:
        """Look again for every session of `username` (signed out, disabled, new password)."""
        for session_id in [k for k, (_, u) in self._found.items() if u.username == username]:
            del self._found[session_id]


def _decode(settings: WebSettings, token: str) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            settings.token_secret,
            algorithms=[ALGORITHM],
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as exc:
        raise _unauthorized("auth.token_invalid", "The token is invalid or has expired.") from exc


async def read_token(settings: WebSettings, token: str, sessions: Sessions) -> User:
    claims = _decode(settings, token)
    if "use" in claims:  # a ticket is not a token
        raise _unauthorized("auth.token_invalid", "The token is invalid or has expired.")
    user = await sessions.user(str(claims["jti"]))
    if user is None or user.username != claims["sub"]:
        raise _unauthorized("auth.session_ended", "This session has ended: sign in again.")
    return user


def issue_ticket(settings: WebSettings, user: User, booking_id: str) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": user.username,
        "iat": now,
        "exp": now + timedelta(seconds=TICKET_SECONDS),
        "jti": uuid.uuid4().hex,
        "use": "events",
        "booking": booking_id,
        "sid": user.token_id,  # the session it came from: ending that voids the ticket
    }
    return jwt.encode(claims, settings.token_secret, algorithm=ALGORITHM)


class SpentTickets:
    """Ticket ids already taken, each kept until the ticket would have expired."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._until: dict[str, float] = {}

    def take(self, ticket_id: str, expires_at: float) -> bool:
        now = self.clock()
        for spent in [key for key, until in self._until.items() if until < now]:
            del self._until[spent]
        if ticket_id in self._until:
            return False
        self._until[ticket_id] = expires_at
        return True


async def redeem_ticket(
    settings: WebSettings, ticket: str, booking_id: str, sessions: Sessions, spent: SpentTickets
) -> User:
    claims = _decode(settings, ticket)
    if claims.get("use") != "events" or claims.get("booking") != booking_id:
        raise _unauthorized(
            "auth.ticket_wrong_booking", "This ticket is not for this booking's events."
        )
    user = await sessions.user(str(claims.get("sid", "")))
    if user is None or user.username != claims["sub"]:
        raise _unauthorized("auth.session_ended", "This session has ended: sign in again.")
    if not spent.take(claims["jti"], float(claims["exp"])):
        raise _unauthorized("auth.ticket_used", "This ticket was already used; ask for a new one.")
    return user


def _unauthorized(code: str, detail: str) -> Refusal:
    return Refusal(
        status.HTTP_401_UNAUTHORIZED, code, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def forbidden(code: str, detail: str) -> Refusal:
    return Refusal(status.HTTP_403_FORBIDDEN, code, detail)


async def current_user(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    if not token:
        raise _unauthorized(
            "auth.sign_in_first", "Sign in first: this endpoint needs a bearer token."
        )
    state = request.app.state
    return await read_token(state.settings, token, state.sessions)


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
        raise _unauthorized("auth.sign_in_first", "Sign in first: send a bearer token or a ticket.")
    state = request.app.state
    return await redeem_ticket(state.settings, ticket, booking_id, state.sessions, state.tickets)


async def operator(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_operator:
        raise forbidden("auth.operators_only", "Operators only.")
    return user


async def booker(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.books:
        raise forbidden(
            "auth.bookers_only", "Only an agency's agents and managers book and handle clients."
        )
    return user


async def booking_handler(user: Annotated[User, Depends(current_user)]) -> User:
    if user.manages_hotels:
        raise forbidden(
            "auth.hotel_managers_read_only",
            "Hotel managers read their hotels' bookings; agencies change them.",
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]
StreamUser = Annotated[User, Depends(stream_user)]
Operator = Annotated[User, Depends(operator)]
Booker = Annotated[User, Depends(booker)]
BookingHandler = Annotated[User, Depends(booking_handler)]
