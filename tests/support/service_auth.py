"""The one way tests, the bench and the chaos harness call an internal API: as one of the
platform's services, with a fresh service token for the service they call.

The token is signed under the run's service key (`tests.support.signing.service_key`) unless
a harness gives the key of the deployment it drives.
"""

from __future__ import annotations

from typing import Any

import httpx

from infra.service_auth import ServiceAuth, ServiceTokens
from tests.support.signing import service_key

CALLER = "tests"


def service_auth(audience: str, key: str | None = None) -> ServiceAuth:
    """An httpx auth proving the caller is one of ours to the `audience` service."""
    return ServiceAuth(ServiceTokens(key or service_key()), caller=CALLER, audience=audience)


def service_headers(audience: str, key: str | None = None) -> dict[str, str]:
    """The Authorization header for one request to the `audience` service."""
    return {"Authorization": f"Bearer {service_auth(audience, key).token()}"}


def internal_client(audience: str, key: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client of the `audience` service's internal API (`base_url`, `transport`,
    `timeout` ... as httpx takes them) that sends a service token with every request."""
    return httpx.AsyncClient(auth=service_auth(audience, key), **kwargs)
