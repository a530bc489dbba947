"""How a saga kind is written down: steps as do/undo pairs, stages, and the two rules that
read them (which state a saga has reached, and in which order its steps are undone).

A step says, in one place, what it sends and to whom, which replies mean done and which mean
refused (with the sentence an agent reads), what a done reply adds to the saga's data, its own
deadline and retry, and the step that undoes it. A saga kind lists its forward stages in order
(a stage of several steps runs them in parallel) and what cancelling it means. The engine
(`flow.py`) knows no step by name: everything it does with a step comes from here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from contracts.base import Command, Event, Reply
from contracts.topology import Service
from orchestrator.domain.model import BookingData, Saga, SagaState


@dataclass(frozen=True)
class Retry:
    """How often a step's command is sent before the step gives up (a forward step) or the
    saga shows STUCK while it goes on being resent (an undo): exponential backoff with full
    jitter between sends."""

    attempts: int = 3
    first_delay: timedelta = timedelta(seconds=0.5)
    max_delay: timedelta = timedelta(seconds=10)

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


def _keep(data: BookingData, _reply: Reply) -> BookingData:
    return data


Reason = Callable[[Reply], str]


@dataclass(frozen=True)
class Step:
    """One step of a saga: a command to one service, the replies that end it, and its undo.

    `done` replies succeed it (and `record` folds them into the saga's data); `refused`
    replies fail it, each mapped to the sentence an agent reads. A refused step did nothing,
    so it is not undone; a step done, or one that never answered (it may have happened), is
    undone by `undo`. `deadline` is how long one send waits for an answer, `retry` how many
    sends the step gets.
    """

    name: str
    to: Service
    send: Callable[[Saga], Command]
    done: tuple[type[Reply], ...]
    refused: Mapping[type[Reply], Reason] = field(default_factory=dict)
    record: Callable[[BookingData, Reply], BookingData] = _keep
    undo: Step | None = None
    deadline: timedelta = timedelta(seconds=10)
    retry: Retry = Retry()
    reaches: SagaState | None = None  # the state a saga shows once this step (and all written
    # before it in the forward stages) succeeded
    gives_up: bool = True  # False past the point of no return: out of attempts, the saga
    # shows STUCK and the step goes on being resent, as an undo does, instead of compensating

    def answers(self, reply: Reply) -> bool:
        return isinstance(reply, self.done) or type(reply) in self.refused

    def succeeded_with(self, reply: Reply) -> bool:
        return isinstance(reply, self.done)

    def refusal(self, reply: Reply) -> str:
        return self.refused[type(reply)](reply)

    def undone_by(self, undo: Step | None) -> Step:
        """The same step with another undo (an older version's pairing)."""
        return replace(self, undo=undo)

    def timed(self, deadline: timedelta, retry: Retry) -> Step:
        """The same step, and its undo, with another deadline and retry."""
        undo = self.undo.timed(deadline, retry) if self.undo else None
        return replace(self, deadline=deadline, retry=retry, undo=undo)


Stage = tuple[Step, ...]  # steps started together; the stage is done when all are
# The public event a saga publishes when it ends in a state, and its name (`booking.<name>`).
EndEvent = Callable[[Saga, SagaState], tuple[Event, str] | None]


def _no_event(_saga: Saga, _state: SagaState) -> tuple[Event, str] | None:
    return None


def together(*steps: Step) -> Stage:
    """A stage whose steps run in parallel."""
    return steps


def _stages(written: Sequence[Step | Stage]) -> tuple[Stage, ...]:
    return tuple(item if isinstance(item, tuple) else (item,) for item in written)


@dataclass(frozen=True, init=False)
class SagaDefinition:
    """A saga kind at one version: its forward stages and its cancellation, in order.

    Without a written cancellation, cancelling runs the same rule as a failure: the undo of
    every forward step, last written first, one after the other. `ends_with` gives the public
    event published when a saga of this kind ends."""

    kind: str
    version: int
    forward: tuple[Stage, ...]
    cancellation: tuple[Stage, ...]
    ends_with: EndEvent
    steps: Mapping[str, Step]  # every step by name: forward, their undos, cancellation
    forward_names: tuple[str, ...]  # the forward steps, in the order they are written

    def __init__(
        self,
        kind: str,
        version: int,
        forward: Sequence[Step | Stage],
        cancellation: Sequence[Step | Stage] | None = None,
        ends_with: EndEvent = _no_event,
    ) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "ends_with", ends_with)
        object.__setattr__(self, "forward", _stages(forward))
        names = tuple(step.name for stage in self.forward for step in stage)
        object.__setattr__(self, "forward_names", names)
        if cancellation is None:
            undos = (step.undo for stage in reversed(self.forward) for step in reversed(stage))
            cancellation = [undo for undo in undos if undo is not None]
        object.__setattr__(self, "cancellation", _stages(cancellation))
        object.__setattr__(self, "steps", self._index())

    def _index(self) -> dict[str, Step]:
        found: dict[str, Step] = {}
        for step in self._every_step():
            if found.setdefault(step.name, step) != step:
                raise ValueError(f"{self.kind} v{self.version}: two steps named {step.name}")
        return found

    def _every_step(self) -> Iterator[Step]:
        for stage in (*self.forward, *self.cancellation):
            for step in stage:
                yield step
                if step.undo is not None:
                    yield step.undo

    def step(self, name: str) -> Step:
        return self.steps[name]

    def timed(self, deadline: timedelta, retry: Retry) -> SagaDefinition:
        """This definition with every step on one deadline and retry (a deployment's override,
        for tests and fault drills that need short deadlines)."""

        def retimed(stages: tuple[Stage, ...]) -> list[Stage]:
            return [tuple(step.timed(deadline, retry) for step in stage) for stage in stages]

        return SagaDefinition(
            self.kind,
            self.version,
            retimed(self.forward),
            retimed(self.cancellation),
            self.ends_with,
        )

    def step_for(self, reply: Reply) -> Step | None:
        return next((s for s in self.steps.values() if s.answers(reply)), None)

    def is_forward(self, name: str) -> bool:
        return name in self.forward_names

    def past_no_return(self, started: set[str]) -> bool:
        """Whether a step that never gives up has started: from then on the saga only goes
        forward, and no one may make it compensate."""
        return any(not self.steps[name].gives_up for name in started if self.is_forward(name))

    def state_reached(self, succeeded: set[str]) -> SagaState:
        """The state of the last forward step of the longest run, in the order written, whose
        steps all succeeded (PENDING before any): a milestone is never shown before every step
        written ahead of it is done, even when a parallel one answers first."""
        reached = SagaState.PENDING
        for name in self.forward_names:
            if name not in succeeded:
                break
            reached = self.steps[name].reaches or reached
        return reached

    def undo_order(self, may_have_happened: set[str]) -> tuple[str, ...]:
        """THE compensation rule: the undo of every forward step that happened or may have
        (done, or gave no answer), last written first. A step with no undo (a check) is
        skipped; a refused step did nothing and is not in `may_have_happened`."""
        return tuple(
            undo.name
            for name in reversed(self.forward_names)
            if name in may_have_happened and (undo := self.steps[name].undo) is not None
        )


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

    def timed(self, deadline: timedelta, retry: Retry) -> DefinitionRegistry:
        return DefinitionRegistry(tuple(d.timed(deadline, retry) for d in self.definitions))

    def current(self, kind: str) -> SagaDefinition:
        versions = [d for d in self.definitions if d.kind == kind]
        if not versions:
            raise UnknownDefinition(f"no definition of {kind!r}")
        return max(versions, key=lambda d: d.version)
