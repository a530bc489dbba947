"""Service tokens: proof that an HTTP caller of an internal API is one of the platform's services.

The internal APIs (rooms, clients, reservations, orchestrator) answer only a request that
carries `Authorization: Bearer <token>`, where the token is a JWT (HS256) the caller minted
a moment ago under a key derived from the platform's `SERVICE_KEY`: `iss` names the caller,
`aud` the service it is for, `exp` a minute or so ahead. A token for another service, signed
with another key, expired, or minted for longer than `MAX_LIFETIME` is refused with a 401 that
says why. `/health` and `/metrics` stay open: probes and Prometheus carry no key, and neither
answers anything but liveness and counters (no personal data, no business data).

Why a token and not mutual TLS: every process already holds the one per-run `SERVICE_KEY`
(it signs every broker command and reply), so the token needs no certificate authority, no
per-service certificates to issue, rotate and mount, and works the same under `make up`, in
compose, in tests over an in-process ASGI transport, and behind any proxy; the audience and the
short expiry bound what a leaked token is good for.

The key the tokens are signed with is derived from `SERVICE_KEY` under its own label, so a token
and a message signature can never stand in for each other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Generator, Iterable

import httpx
import jwt
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

ALGORITHM = "HS256"
DOMAIN = b"booking-platform.service-token.v1"
TOKEN_LIFETIME_SECONDS = 60
# A token is reused by its client until this close to its expiry, then a fresh one is minted.
REFRESH_BEFORE_SECONDS = 20
# Tolerated clock difference between two hosts.
LEEWAY_SECONDS = 5
# Refused however well signed: a token minted to last longer than this.
MAX_LIFETIME_SECONDS = 300
OPEN_PATHS = frozenset({"/health", "/metrics"})
SCHEME = "bearer"


def token_key(service_key: str | bytes) -> bytes:
    """The key service tokens are signed with, derived from the platform's service key."""
    raw = service_key.encode() if isinstance(service_key, str) else service_key
    return hmac.new(raw, DOMAIN, hashlib.sha256).digest()


class ServiceTokens:
    """Mints and checks service tokens with one service key."""

    def __init__(self, service_key: str | bytes, clock: Callable[[], float] = time.time) -> None:
        self._key = token_key(service_key)
        self._clock = clock

    def __repr__(self) -> str:  # never the key
        return "ServiceTokens(<key>)"

    def mint(
        self, caller: str, audience: str, lifetime_seconds: float = TOKEN_LIFETIME_SECONDS
    ) -> str:
        now = int(self._clock())
        claims = {
            "iss": caller,
            "aud": audience,
            "iat": now,
            "exp": now + int(lifetime_seconds),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def check(self, token: str, audience: str) -> str | None:
        """None when `token` proves a caller of ours for `audience`, else the reason it does not."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=audience,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            return "the service token has expired"
        except jwt.InvalidAudienceError:
            return f"the service token is not for the {audience} service"
        except jwt.InvalidSignatureError:
            return "the service token is not signed with the platform's service key"
        except jwt.MissingRequiredClaimError as exc:
            return f"the service token has no {exc.claim!r} claim"
        except jwt.ImmatureSignatureError:
            return "the service token is issued in the future"
        except jwt.InvalidTokenError:
            return "the service token is malformed"
        if not isinstance(claims["iss"], str) or not claims["iss"]:
            return "the service token does not name its caller"
        if claims["exp"] - claims["iat"] > MAX_LIFETIME_SECONDS:
            return f"the service token lives longer than {MAX_LIFETIME_SECONDS} s"
        return None


class ServiceAuth(httpx.Auth):
    """An httpx auth that sends a fresh service token for `audience` with every request."""

    def __init__(self, tokens: ServiceTokens, caller: str, audience: str) -> None:
        self._tokens = tokens
        self._caller = caller
        self._audience = audience
        self._token = ""
        self._renew_at = 0.0

    def token(self) -> str:
        now = time.monotonic()
        if now >= self._renew_at:
            self._token = self._tokens.mint(self._caller, self._audience)
            self._renew_at = now + TOKEN_LIFETIME_SECONDS - REFRESH_BEFORE_SECONDS
        return self._token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request


class RequireServiceToken:
    """ASGI middleware: every HTTP request but `open_paths` must carry a service token for
    `audience`, else it is answered 401 with the reason (and `WWW-Authenticate: Bearer`)."""

    def __init__(
        self,
        app: ASGIApp,
        tokens: ServiceTokens,
        audience: str,
        open_paths: Iterable[str] = OPEN_PATHS,
    ) -> None:
        self.app = app
        self._tokens = tokens
        self._audience = audience
        self._open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._open_paths:
            await self.app(scope, receive, send)
            return
        reason = self._refusal(scope)
        if reason is None:
            await self.app(scope, receive, send)
            return
        await _unauthorized(send, reason)

    def _refusal(self, scope: Scope) -> str | None:
        values = [value for name, value in scope["headers"] if name == b"authorization"]
        if not values:
            return "this internal API answers only the platform's services: no service token"
        scheme, _, token = values[0].decode("latin-1").partition(" ")
        if len(values) > 1 or scheme.lower() != SCHEME or not token.strip():
            return "the Authorization header is not one Bearer service token"
        return self._tokens.check(token.strip(), self._audience)


async def _unauthorized(send: Send, reason: str) -> None:
    body = json.dumps({"detail": reason}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", b'Bearer realm="booking-platform services"'),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def require_service_token(app: FastAPI, service_key: str | bytes, audience: str) -> None:
    """Lock a service's FastAPI app: only callers holding the platform's key reach its API."""
    app.add_middleware(RequireServiceToken, tokens=ServiceTokens(service_key), audience=audience)
