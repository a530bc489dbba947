"""Sign-in (throttled), sign-out, the events stream's tickets, and the operators' lockouts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from infra.problems import Refusal
from web.accounts import passwords
from web.accounts.demo import DEMO_PASSWORDS
from web.accounts.roles import Account
from web.accounts.store import AccountStore
from web.auth import TICKET_SECONDS, CurrentUser, Operator, Sessions, issue_ticket, issue_token
from web.logins import LoginThrottle
from web.settings import WebSettings

router = APIRouter(prefix="/api/auth", tags=["auth"])

UNAUTHORIZED: dict[int | str, dict[str, Any]] = {401: {"description": "Not signed in."}}
OPERATORS_ONLY: dict[int | str, dict[str, Any]] = {
    **UNAUTHORIZED,
    403: {"description": "Operators only."},
}


Username = Annotated[str, Path(min_length=1, max_length=200)]
Address = Annotated[str, Path(min_length=1, max_length=200)]


class TicketRequest(BaseModel):
    booking_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/token",
    responses={
        401: {"description": "Wrong username or password."},
        429: {"description": "Too many wrong passwords; retry after `Retry-After` seconds."},
    },
)
async def token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> dict[str, Any]:
    settings: WebSettings = request.app.state.settings
    throttle: LoginThrottle = request.app.state.logins
    # Bounded keys; usernames are lower case, so `Agent` and `agent` count as one account.
    address, username = _address(request), form.username[:200].lower()
    wait = throttle.retry_after(username, address)
    if wait:  # locked: the password is not even looked at
        raise Refusal(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "auth.locked_out",
            "Too many wrong passwords: sign-in is locked for a while (an operator can lift it).",
            {"seconds": wait},
            headers={"Retry-After": str(wait)},
        )
    account = await authenticate(request, username, form.password)
    if account is None:
        throttle.failed(username, address)
        raise Refusal(
            status.HTTP_401_UNAUTHORIZED, "auth.wrong_password", "Wrong username or password."
        )
    throttle.succeeded(username)
    if not account.active:  # said only to whoever knows the password
        raise Refusal(
            status.HTTP_403_FORBIDDEN,
            "auth.account_disabled",
            "This account is disabled: ask your agency's manager or head office.",
        )
    token, session_id, expires_at = issue_token(settings, account.username, account.role)
    await accounts(request).open_session(session_id, account.username, expires_at)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": settings.token_ttl_minutes * 60,
        "role": str(account.role),
    }


async def authenticate(request: Request, username: str, password: str) -> Account | None:
    """The account whose password this is, or None. Outside demo mode a demo password opens
    nothing, even on a store a demo once seeded."""
    settings: WebSettings = request.app.state.settings
    store = accounts(request)
    found = await store.login_of(username) if len(password) <= passwords.MAX_LENGTH else None
    matches, renew = await passwords.matches(found[1] if found else None, password)
    if found is None or not matches:
        return None
    if password in DEMO_PASSWORDS and not settings.demo_mode:
        return None
    if renew:
        await store.renew_hash(username, await passwords.hashed(password))
    return found[0]


def accounts(request: Request) -> AccountStore:
    store: AccountStore = request.app.state.accounts
    return store


def sessions(request: Request) -> Sessions:
    found: Sessions = request.app.state.sessions
    return found


@router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT, responses=UNAUTHORIZED)
async def sign_out(request: Request, user: CurrentUser) -> Response:
    await accounts(request).revoke_session(user.token_id)
    sessions(request).forget(user.username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/tickets", status_code=status.HTTP_201_CREATED, responses=UNAUTHORIZED)
async def ticket(request: Request, user: CurrentUser, body: TicketRequest) -> dict[str, Any]:
    """A one-use ticket, valid `expires_in` seconds, to open one booking's events stream:
    `GET /api/bookings/{booking_id}/events?ticket=...` (for EventSource, which cannot send
    an Authorization header)."""
    settings: WebSettings = request.app.state.settings
    return {
        "ticket": issue_ticket(settings, user, body.booking_id),
        "expires_in": TICKET_SECONDS,
    }


@router.get("/lockouts", responses=OPERATORS_ONLY)
async def lockouts(request: Request, user: Operator) -> dict[str, dict[str, int]]:
    """Usernames and addresses locked out now, with the seconds left (this process's)."""
    throttle: LoginThrottle = request.app.state.logins
    return throttle.lockouts()


@router.post("/lockouts/{username}/lift", responses=OPERATORS_ONLY)
async def lift_account(request: Request, user: Operator, username: Username) -> dict[str, Any]:
    throttle: LoginThrottle = request.app.state.logins
    return {"username": username, "lifted": throttle.lift_account(username.lower())}


@router.post("/address-lockouts/{address}/lift", responses=OPERATORS_ONLY)
async def lift_address(request: Request, user: Operator, address: Address) -> dict[str, Any]:
    throttle: LoginThrottle = request.app.state.logins
    return {"address": address, "lifted": throttle.lift_address(address)}
