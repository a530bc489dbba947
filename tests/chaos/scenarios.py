"""Every fault `make chaos` injects, one scenario each, declared as data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

Fault = Literal["kill", "pause", "stop", "rabbitmq", "mariadb", "mongo", "replicas", "poison"]
SERVICES = ("orchestrator", "rooms", "clients", "reservations", "web")
PARTICIPANTS = ("rooms", "clients", "reservations")
# A shortened fault still outlasts a step's deadline's share of it: never under five seconds.
QUICK_SHARE, QUICK_FLOOR_SECONDS = 1 / 3, 5.0


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: Fault
    what: str  # what the fault does, with {target} and {seconds}
    target: str | None = None  # the service a process fault hits
    seconds: float = 0.0  # how long the fault lasts: paused, stopped, down or poisoning
    replicas: int = 1  # processes of every service for the whole run

    @property
    def summary(self) -> str:
        return self.what.format(target=self.target, seconds=f"{self.seconds:g}")

    @property
    def private_rabbitmq(self) -> bool:
        """Faults on a server get a server of their own, so other runs on the machine go on."""
        return self.fault == "rabbitmq"

    @property
    def private_mariadb(self) -> bool:
        return self.fault == "mariadb"


def every_scenario() -> list[Scenario]:
    scenarios = [
        Scenario(f"kill-{service}", "kill", "SIGKILL {target}, start it again", service)
        for service in SERVICES
    ]
    for seconds in (20, 90):
        scenarios += [
            Scenario(
                f"pause-{service}-{seconds}",
                "pause",
                "SIGSTOP {target} for {seconds} s, then SIGCONT",
                service,
                seconds,
            )
            for service in PARTICIPANTS
        ]
    scenarios += [
        Scenario(
            f"stop-{service}-90", "stop", "kill {target}, start it {seconds} s later", service, 90
        )
        for service in PARTICIPANTS
    ]
    return [
        *scenarios,
        Scenario(
            "rabbitmq-restart",
            "rabbitmq",
            "rabbitmqctl stop_app, start_app {seconds} s later",
            None,
            30,
        ),
        Scenario(
            "mariadb-restart", "mariadb", "MariaDB stopped, started {seconds} s later", None, 10
        ),
        Scenario(
            "mongo-stop-60", "mongo", "nx-27017 stopped {seconds} s, same port and data", None, 60
        ),
        Scenario(
            "replicas-kill-one",
            "replicas",
            "two replicas of every service, one of each SIGKILLed mid-run",
            replicas=2,
        ),
        Scenario(
            "poison-messages",
            "poison",
            "poison messages of every kind on every work queue, over {seconds} s of load",
            seconds=10,
        ),
    ]


def select(scenarios: Sequence[Scenario], names: Iterable[str] | None) -> list[Scenario]:
    """The named scenarios in the order asked; every scenario when no name is given."""
    if not names:
        return list(scenarios)
    by_name = {scenario.name: scenario for scenario in scenarios}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ValueError(f"unknown scenario(s) {unknown}; known: {', '.join(by_name)}")
    return [by_name[name] for name in names]


def quick(scenario: Scenario) -> Scenario:
    """The same fault, shorter: a smoke run's version of it."""
    if not scenario.seconds:
        return scenario
    seconds = max(QUICK_FLOOR_SECONDS, round(scenario.seconds * QUICK_SHARE))
    return replace(scenario, seconds=seconds)
