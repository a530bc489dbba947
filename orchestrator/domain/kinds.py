"""Every saga kind the orchestrator runs, in every version still able to finish a saga."""

from __future__ import annotations

from orchestrator.domain.booking import BOOKINGS
from orchestrator.domain.change import CHANGES
from orchestrator.domain.definition import DefinitionRegistry

SAGAS = DefinitionRegistry((*BOOKINGS.definitions, *CHANGES.definitions))
