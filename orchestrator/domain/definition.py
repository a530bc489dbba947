"""Saga definitions as data: steps, their commands, replies, compensations, deadlines, retries."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from contracts.base import Command, Reply
from contracts.topology import Service
from orchestrator.domain.model import BookingData, Saga, SagaState


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, up to `max_attempts` sends of a command."""

    max_attempts: int = 3
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(seconds=30)

    def delay(self, attempt: int, seed: str) -> timedelta:
        """The wait after the `attempt`-th send timed out.

        The jitter is drawn from a hash of `seed` rather than a random generator, so the
        transition stays a pure function and replaying it gives the same schedule.
        """
        ceiling = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        delay: timedelta = ceiling * _unit_fraction(f"{seed}/{attempt}")
        return delay


def _unit_fraction(seed: str) -> float:
    digest = hashlib.sha256(seed.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class StepDefinition:
    name: str
    service: Service
    build_command: Callable[[Saga], Command]
    succeeds_on: tuple[type[Reply], ...]
    fails_on: tuple[type[Reply], ...] = ()
    record: Callable[[BookingData, Reply], BookingData] = lambda data, _reply: data
    failure_reason: Callable[[Reply], str] = lambda reply: f"{reply.message_type} refused it."
    compensation: str | None = None
    deadline: timedelta = timedelta(seconds=10)
    retry: RetryPolicy = RetryPolicy()

    def accepts(self, reply: Reply) -> bool:
        return isinstance(reply, self.succeeds_on + self.fails_on)


@dataclass(frozen=True)
class Milestone:
    """The state a saga reaches once every one of `steps` has succeeded."""

    state: SagaState
    steps: frozenset[str]


@dataclass(frozen=True)
class SagaDefinition:
    kind: str
    version: int
    steps: Mapping[str, StepDefinition]
    forward: tuple[tuple[str, ...], ...]  # stages in order; the steps of a stage run in parallel
    milestones: tuple[Milestone, ...]
    cancellation: tuple[tuple[str, ...], ...] = ()

    def step(self, name: str) -> StepDefinition:
        return self.steps[name]

    def step_for(self, reply: Reply) -> StepDefinition | None:
        return next((s for s in self.steps.values() if s.accepts(reply)), None)

    def is_forward(self, name: str) -> bool:
        return any(name in stage for stage in self.forward)


class UnknownDefinition(LookupError):
    pass


@dataclass(frozen=True)
class DefinitionRegistry:
    """Every version of every saga kind; new sagas start under the newest version."""

    definitions: tuple[SagaDefinition, ...]

    def get(self, kind: str, version: int) -> SagaDefinition:
        for definition in self.definitions:
            if definition.kind == kind and definition.version == version:
                return definition
        raise UnknownDefinition(f"no definition of {kind!r} version {version}")

    def current(self, kind: str) -> SagaDefinition:
        versions = [d for d in self.definitions if d.kind == kind]
        if not versions:
            raise UnknownDefinition(f"no definition of {kind!r}")
        return max(versions, key=lambda d: d.version)
