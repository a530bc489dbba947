"""People and agencies: who am I, my password, agencies (operators), users (operators, and
agency managers for their own agents)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from infra.problems import Param, Refusal
from web.accounts import passwords
from web.accounts.demo import DEMO_PASSWORDS
from web.accounts.roles import (
    AGENCY_ROLES,
    Account,
    Role,
    User,
    may_see_account,
    refusal_to_create,
    refusal_to_manage,
)
from web.accounts.store import Agency, Clash, NewUser
from web.auth import CurrentUser, Operator, forbidden
from web.edge import COMMON, CONFLICT, NOT_FOUND
from web.entrypoints.auth_api import accounts, authenticate, sessions
from web.entrypoints.hotels_api import known_hotels
from web.logins import LoginThrottle

router = APIRouter(prefix="/api", tags=["people"], responses=COMMON | NOT_FOUND | CONFLICT)

USERNAME = r"^[a-z0-9][a-z0-9._-]{2,63}$"
Username = Annotated[str, Path(pattern=USERNAME)]
NO_SUCH_ACCOUNT = "No such account (or not one you manage)."


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=passwords.MAX_LENGTH)
    new_password: str = Field(max_length=passwords.MAX_LENGTH)


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: str = Field(max_length=passwords.MAX_LENGTH)


class ManagerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME)
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(max_length=passwords.MAX_LENGTH)


AGENCY_ID = r"^[a-z0-9][a-z0-9-]{1,63}$"


class UserIn(ManagerIn):
    role: Role = Role.AGENT
    agency_id: str | None = Field(default=None, pattern=AGENCY_ID)
    hotel_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=50
    )


class AgencyFields(BaseModel):
    """What names an agency (or a partner, an agency without people)."""

    model_config = ConfigDict(extra="forbid")

    agency_id: str | None = Field(default=None, pattern=AGENCY_ID)
    name: str = Field(min_length=2, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(pattern=r"^[A-Za-z]{2}$")
    time_zone: str = Field(min_length=1, max_length=64)
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "time_zone_unknown",
                "'{time_zone}' is not a time zone (write it as Europe/Paris)",
                {"time_zone": value},
            ) from None
        return value


class AgencyIn(AgencyFields):
    manager: ManagerIn


def _account_out(account: Account) -> dict[str, Any]:
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": str(account.role),
        "agency_id": account.agency_id,
        "hotel_ids": sorted(account.hotel_ids),
        "active": account.active,
        "created_at": account.created_at and account.created_at.isoformat(),
    }


def _agency_out(agency: Agency, users: int | None = None) -> dict[str, Any]:
    out = {
        "agency_id": agency.agency_id,
        "name": agency.name,
        "city": agency.city,
        "country": agency.country,
        "time_zone": agency.time_zone,
        "currency": agency.currency,
        "active": agency.active,
    }
    return out if users is None else out | {"users": users}


# The refusals of web/accounts/roles.py, each a sentence, with their codes.
ROLE_REFUSAL_CODES = {
    "An agency manager creates agents only.": "account.managers_create_agents_only",
    "An agency manager creates agents of their own agency only.": "account.own_agency_only",
    "Only operators and agency managers create accounts.": "account.creators_only",
    "You cannot disable, enable or reset your own account here.": "account.not_your_own",
    "You manage the agents of your own agency only.": "account.own_agents_only",
}


def _unprocessable(code: str, detail: str, params: Mapping[str, Param] | None = None) -> Refusal:
    return Refusal(status.HTTP_422_UNPROCESSABLE_ENTITY, code, detail, params)


def _conflict(code: str, detail: str, params: Mapping[str, Param] | None = None) -> Refusal:
    return Refusal(status.HTTP_409_CONFLICT, code, detail, params)


def _role_refusal(refused: str, status_code: int = status.HTTP_403_FORBIDDEN) -> Refusal:
    code = ROLE_REFUSAL_CODES.get(refused, "account.not_allowed")
    return Refusal(status_code, code, refused)


async def _clash(request: Request, exc: Clash, agency_id: str | None, username: str) -> Refusal:
    """The agency id or the username that is taken, said with its code."""
    if agency_id is not None and await accounts(request).agency(agency_id) is not None:
        return _conflict("account.agency_exists", str(exc), {"agency_id": agency_id})
    return _conflict("account.username_taken", str(exc), {"username": username})


def _check_password(password: str, username: str) -> None:
    if password in DEMO_PASSWORDS:
        raise _unprocessable(
            "password.demo", "This password is published with the demo: choose another."
        )
    if (weak := passwords.weakness(password, username)) is not None:
        raise _unprocessable(weak.code, weak.detail, weak.params)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:56] or "agency"


# ---- me --------------------------------------------------------------------------------------


@router.get("/me")
async def me(request: Request, user: CurrentUser) -> dict[str, Any]:
    agency = await accounts(request).agency(user.agency_id) if user.agency_id else None
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": str(user.role),
        "agency": _agency_out(agency) if agency else None,
        "hotel_ids": sorted(user.hotel_ids),
    }


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(request: Request, user: CurrentUser, body: PasswordChange) -> Response:
    """A new password: every other session of the account ends; this one goes on. Wrong
    current passwords count towards the account's sign-in lockout, so a stolen token cannot
    be used to guess the password."""
    throttle: LoginThrottle = request.app.state.logins
    address = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(user.username, address)
    if wait:
        raise Refusal(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "auth.locked_out",
            "Too many wrong passwords: try again later.",
            {"seconds": wait},
            headers={"Retry-After": str(wait)},
        )
    if await authenticate(request, user.username, body.current_password) is None:
        throttle.failed(user.username, address)
        raise Refusal(
            status.HTTP_400_BAD_REQUEST,
            "auth.current_password_wrong",
            "The current password is wrong.",
        )
    if body.new_password == body.current_password:
        raise _unprocessable(
            "password.unchanged", "The new password must differ from the current one."
        )
    _check_password(body.new_password, user.username)
    new_hash = await passwords.hashed(body.new_password)
    await accounts(request).set_password(user.username, new_hash, keep=user.token_id)
    sessions(request).forget(user.username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- agencies (operators) --------------------------------------------------------------------


@router.get("/agencies")
async def list_agencies(request: Request, user: Operator) -> dict[str, Any]:
    found = await accounts(request).agencies()
    return {"items": [_agency_out(agency, users) for agency, users in found]}


@router.post("/agencies", status_code=status.HTTP_201_CREATED)
async def create_agency(request: Request, user: Operator, body: AgencyIn) -> dict[str, Any]:
    """An agency and its first manager, who then creates the agency's agents."""
    _check_password(body.manager.password, body.manager.username)
    agency = Agency(
        agency_id=body.agency_id or f"agency-{_slug(body.city)}",
        name=body.name,
        city=body.city,
        country=body.country.upper(),
        time_zone=body.time_zone,
        currency=body.currency.upper(),
    )
    manager = NewUser(
        username=body.manager.username,
        display_name=body.manager.display_name,
        role=Role.AGENCY_MANAGER,
        password_hash=await passwords.hashed(body.manager.password),
        agency_id=agency.agency_id,
        created_by=user.username,
    )
    try:
        await accounts(request).create_agency(agency, manager)
    except Clash as exc:
        raise await _clash(request, exc, agency.agency_id, manager.username) from None
    created = await accounts(request).account(manager.username)
    assert created is not None
    return {"agency": _agency_out(agency), "manager": _account_out(created)}


# ---- users -----------------------------------------------------------------------------------


@router.get("/users")
async def list_users(
    request: Request,
    user: CurrentUser,
    agency_id: Annotated[str | None, Query(max_length=64)] = None,
    role: Role | None = None,
) -> dict[str, Any]:
    if user.role is Role.AGENCY_MANAGER:
        agency_id = user.agency_id  # their own agency's people, whatever was asked
    elif not user.is_operator:
        raise forbidden("auth.operators_and_managers_only", "Operators and agency managers only.")
    found = await accounts(request).accounts(agency_id=agency_id, role=role)
    return {"items": [_account_out(a) for a in found]}


@router.post("/users", status_code=status.HTTP_201_CREATED)
async def create_user(request: Request, user: CurrentUser, body: UserIn) -> dict[str, Any]:
    agency_id = body.agency_id
    if user.role is Role.AGENCY_MANAGER and agency_id is None:
        agency_id = user.agency_id
    if (refused := refusal_to_create(user, body.role, agency_id)) is not None:
        raise _role_refusal(refused)
    await _check_new_user(request, body, agency_id)
    new = NewUser(
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        password_hash=await passwords.hashed(body.password),
        agency_id=agency_id if body.role in AGENCY_ROLES else None,
        hotel_ids=frozenset(body.hotel_ids) if body.role is Role.HOTEL_MANAGER else frozenset(),
        created_by=user.username,
    )
    try:
        await accounts(request).create_user(new)
    except Clash as exc:
        raise await _clash(request, exc, None, new.username) from None
    created = await accounts(request).account(new.username)
    assert created is not None
    return _account_out(created)


async def _check_new_user(request: Request, body: UserIn, agency_id: str | None) -> None:
    _check_password(body.password, body.username)
    if body.role in AGENCY_ROLES:
        if agency_id is None:
            raise _unprocessable(
                "account.role_needs_agency",
                f"An account of role {body.role} belongs to an agency.",
                {"role": str(body.role)},
            )
        if await accounts(request).agency(agency_id) is None:
            raise _unprocessable(
                "account.no_such_agency",
                f"There is no agency {agency_id!r}.",
                {"agency_id": agency_id},
            )
    elif agency_id is not None:
        raise _unprocessable(
            "account.role_has_no_agency",
            f"An account of role {body.role} belongs to no agency.",
            {"role": str(body.role)},
        )
    if body.role is Role.HOTEL_MANAGER:
        if not body.hotel_ids:
            raise _unprocessable(
                "account.hotel_manager_needs_hotel",
                "A hotel manager runs at least one hotel: name it.",
            )
        await _check_hotels(request, body.hotel_ids)
    elif body.hotel_ids:
        raise _unprocessable(
            "account.hotels_for_hotel_managers", "Only a hotel manager runs hotels."
        )


async def _check_hotels(request: Request, hotel_ids: list[str]) -> None:
    unknown = sorted(set(hotel_ids) - await known_hotels(request))
    if unknown:
        raise _unprocessable(
            "account.unknown_hotels",
            f"No hotel {', '.join(unknown)} in the group.",
            {"hotels": ", ".join(unknown)},
        )


async def _managed(request: Request, user: User, username: str) -> Account:
    target = await accounts(request).account(username)
    if target is None or not may_see_account(user, target):
        raise Refusal(status.HTTP_404_NOT_FOUND, "account.not_found", NO_SUCH_ACCOUNT)
    if (refused := refusal_to_manage(user, target)) is not None:
        if target.username == user.username:
            raise _role_refusal(refused, status.HTTP_409_CONFLICT)
        raise _role_refusal(refused)
    return target


@router.post("/users/{username}/disable")
async def disable_user(request: Request, user: CurrentUser, username: Username) -> dict[str, Any]:
    """Disable an account: its sessions end at once, and it cannot sign in until enabled."""
    target = await _managed(request, user, username)
    await accounts(request).set_active(target.username, active=False)
    sessions(request).forget(target.username)
    return _account_out(target) | {"active": False}


@router.post("/users/{username}/enable")
async def enable_user(request: Request, user: CurrentUser, username: Username) -> dict[str, Any]:
    target = await _managed(request, user, username)
    await accounts(request).set_active(target.username, active=True)
    return _account_out(target) | {"active": True}


@router.post("/users/{username}/password", status_code=status.HTTP_204_NO_CONTENT)
async def reset_password(
    request: Request, user: CurrentUser, username: Username, body: PasswordReset
) -> Response:
    """Set a forgotten password (operators, and agency managers for their agents): every
    session of the account ends; its owner then changes it to one only they know."""
    target = await _managed(request, user, username)
    _check_password(body.new_password, target.username)
    new_hash = await passwords.hashed(body.new_password)
    await accounts(request).set_password(target.username, new_hash)
    sessions(request).forget(target.username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
