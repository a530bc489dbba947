"""Bearer tokens (JWT, HS256) for agents and operators, and the role checks."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from web.settings import WebSettings

ALGORITHM = "HS256"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


class Role(StrEnum):
    AGENT = "agent"
    OPERATOR = "operator"


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    agency_id: str

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR


def authenticate(settings: WebSettings, username: str, password: str) -> User | None:
    accounts = {
        settings.agent_username: (settings.agent_password, Role.AGENT, settings.agent_agency_id),
        settings.operator_username: (settings.operator_password, Role.OPERATOR, "head-office"),
    }
    account = accounts.get(username)
    if account is None or not hmac.compare_digest(account[0].encode(), password.encode()):
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
    }
    return jwt.encode(claims, settings.token_secret, algorithm=ALGORITHM)


def read_token(settings: WebSettings, token: str) -> User:
    try:
        claims = jwt.decode(token, settings.token_secret, algorithms=[ALGORITHM])
        return User(claims["sub"], Role(claims["role"]), claims["agency"])
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise _unauthorized("The token is invalid or has expired.") from exc


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def current_user(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    if token is None:
        token = request.query_params.get("access_token")  # EventSource cannot send headers
    if not token:
        raise _unauthorized("Sign in first: this endpoint needs a bearer token.")
    settings: WebSettings = request.app.state.settings
    return read_token(settings, token)


async def operator(user: Annotated[User, Depends(current_user)]) -> User:
    if not user.is_operator:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Operators only.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
Operator = Annotated[User, Depends(operator)]
