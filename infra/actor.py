"""The person on whose behalf a service calls an internal API.

The service token (`infra.service_auth`) proves that the caller is one of the platform's
services; only web knows people, so web says in three headers which person acts: their user
name, role and agency. The clients service decides from them what that person may see of a
client and records every read of full personal data against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

USER_HEADER = "x-actor-user"
ROLE_HEADER = "x-actor-role"
AGENCY_HEADER = "x-actor-agency"
_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")


class MissingActor(ValueError):
    """A request that needs a person did not name one (or named one unreadably)."""


@dataclass(frozen=True)
class Actor:
    user: str
    role: str
    agency: str

    def headers(self) -> dict[str, str]:
        return {USER_HEADER: self.user, ROLE_HEADER: self.role, AGENCY_HEADER: self.agency}

    @classmethod
    def from_headers(cls, user: str | None, role: str | None, agency: str | None) -> Actor:
        values = {USER_HEADER: user, ROLE_HEADER: role, AGENCY_HEADER: agency}
        for name, value in values.items():
            if value is None or not _VALUE.fullmatch(value):
                raise MissingActor(f"the {name} header must name the person acting")
        return cls(user or "", role or "", agency or "")
