"""The injectors: each applies one scenario's fault and returns when the fault is over."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tests.chaos.platform import SERVICES, Deployment
from tests.chaos.poison import publish, signer
from tests.chaos.scenarios import Scenario


@dataclass
class FaultWindow:
    """When the fault began and when it was over (the service back and healthy), monotonic."""

    started: float
    ended: float = 0.0
    poison_sent: Counter[str] = field(default_factory=Counter)


Injector = Callable[[Scenario, Deployment], Awaitable[None]]


async def inject(scenario: Scenario, deployment: Deployment, poison_count: int) -> FaultWindow:
    window = FaultWindow(time.monotonic())
    if scenario.fault == "poison":
        window.poison_sent = await publish(
            deployment.servers.amqp_url,
            deployment.topology,
            poison_count,
            scenario.seconds,
            signer(deployment.platform.environment.get("SERVICE_KEY")),
        )
    else:
        await INJECTORS[scenario.fault](scenario, deployment)
    window.ended = time.monotonic()
    return window


async def _kill(scenario: Scenario, deployment: Deployment) -> None:
    """SIGKILL, then start again at once: the fault ends when it answers healthy."""
    assert scenario.target
    deployment.platform.kill_group(scenario.target)
    await asyncio.to_thread(deployment.platform.launch, scenario.target)


async def _pause(scenario: Scenario, deployment: Deployment) -> None:
    assert scenario.target
    deployment.platform.signal_group(scenario.target, signal.SIGSTOP)
    try:
        await asyncio.sleep(scenario.seconds)
    finally:
        deployment.platform.signal_group(scenario.target, signal.SIGCONT)


async def _stop(scenario: Scenario, deployment: Deployment) -> None:
    assert scenario.target
    deployment.platform.kill_group(scenario.target)
    await asyncio.sleep(scenario.seconds)
    await asyncio.to_thread(deployment.platform.launch, scenario.target)


async def _rabbitmq(scenario: Scenario, deployment: Deployment) -> None:
    node = deployment.servers.rabbitmq
    assert node is not None
    await asyncio.to_thread(node.ctl, "stop_app")
    try:
        await asyncio.sleep(scenario.seconds)
    finally:
        await asyncio.to_thread(node.ctl, "start_app")


async def _mariadb(scenario: Scenario, deployment: Deployment) -> None:
    server = deployment.servers.mariadb
    assert server is not None
    await asyncio.to_thread(server.stop)
    await asyncio.sleep(scenario.seconds)
    await asyncio.to_thread(server.start)


async def _mongo(scenario: Scenario, deployment: Deployment) -> None:
    mongo = deployment.servers.mongo
    await asyncio.to_thread(mongo.stop)
    await asyncio.sleep(scenario.seconds)
    await asyncio.to_thread(mongo.start)


async def _replicas(scenario: Scenario, deployment: Deployment) -> None:
    """The first replica of every service SIGKILLed at once, not started again."""
    for service in SERVICES:
        deployment.platform.kill_group(deployment.platform.names(service)[0])


INJECTORS: dict[str, Injector] = {
    "kill": _kill,
    "pause": _pause,
    "stop": _stop,
    "rabbitmq": _rabbitmq,
    "mariadb": _mariadb,
    "mongo": _mongo,
    "replicas": _replicas,
}
