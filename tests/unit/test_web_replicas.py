"""Which replica of a service web reads from, and when a request may move to the next one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from web.settings import WebSettings
from web.upstream import Replicas, replica_order

pytestmark = pytest.mark.unit

URLS = ["http://127.0.0.1:7001", "http://127.0.0.1:7002"]
Behaviour = Callable[[httpx.Request], httpx.Response]


def test_replicas_are_tried_as_configured_while_none_is_down() -> None:
    assert replica_order([0.0, 0.0, 0.0], now=10.0) == [0, 1, 2]


def test_a_replica_marked_down_comes_last_until_its_time_is_up() -> None:
    assert replica_order([15.0, 0.0, 0.0], now=10.0) == [1, 2, 0]
    assert replica_order([15.0, 0.0, 0.0], now=15.0) == [0, 1, 2]


def test_when_every_replica_is_down_each_is_still_tried_soonest_back_first() -> None:
    assert replica_order([30.0, 12.0, 20.0], now=10.0) == [1, 2, 0]


def test_the_replicas_setting_is_a_comma_separated_list_else_the_single_url() -> None:
    several = WebSettings(orchestrator_urls=" http://a:5004, http://b:5004,", demo_mode=True)
    single = WebSettings(orchestrator_url="http://a:5004", demo_mode=True)

    assert several.replica_urls()["orchestrator"] == ["http://a:5004", "http://b:5004"]
    assert single.replica_urls()["orchestrator"] == ["http://a:5004"]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Fleet:
    """Two replicas behind mock transports; each behaves as its port's behaviour says."""

    def __init__(self, **behaviours: Behaviour) -> None:
        self.behaviours = behaviours
        self.calls: Counter[str] = Counter()
        self.clock = Clock()
        transport = Replicas(URLS, down_seconds=5, clock=self.clock, transport=self._mock)
        self.client = httpx.AsyncClient(base_url=URLS[0], transport=transport)

    def _mock(self) -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        name = {7001: "first", 7002: "second"}[request.url.port or 0]
        assert request.headers["Host"] == request.url.netloc.decode()
        self.calls[name] += 1
        return self.behaviours.get(name, answers)(request)


def answers(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"port": request.url.port})


def refuses(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def drops(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("server disconnected", request=request)


def proxy_says_gone(request: httpx.Request) -> httpx.Response:
    return httpx.Response(502)


@pytest.mark.parametrize("first", [refuses, drops, proxy_says_gone])
async def test_a_read_a_replica_cannot_answer_goes_to_the_next(first: Behaviour) -> None:
    fleet = Fleet(first=first)

    response = await fleet.client.get("/sagas")

    assert response.status_code == 200 and response.json() == {"port": 7002}


async def test_a_replica_that_failed_is_skipped_for_a_while_then_tried_again() -> None:
    fleet = Fleet(first=refuses)
    await fleet.client.get("/sagas")
    fleet.behaviours.pop("first")

    await fleet.client.get("/sagas")
    assert fleet.calls["first"] == 1, "skipped while marked down"

    fleet.clock.now += 5
    response = await fleet.client.get("/sagas")
    assert response.json() == {"port": 7001} and fleet.calls["first"] == 2


async def test_a_write_moves_on_only_when_the_connection_was_never_made() -> None:
    refused = Fleet(first=refuses)
    dropped = Fleet(first=drops)

    moved = await refused.client.post("/sagas/s-1/retry")
    with pytest.raises(httpx.RemoteProtocolError):
        await dropped.client.post("/sagas/s-1/retry")

    assert moved.json() == {"port": 7002}
    assert dropped.calls == Counter(first=1), "a write that may have been sent is not sent again"


async def test_a_kept_alive_connection_closed_under_a_read_is_resent_to_the_same_replica() -> None:
    failures = iter([drops])
    fleet = Fleet(first=lambda request: next(failures, answers)(request))

    response = await fleet.client.get("/sagas")

    assert response.json() == {"port": 7001} and fleet.calls == Counter(first=2)


async def test_when_every_replica_fails_the_last_failure_is_what_the_caller_sees() -> None:
    unreachable = Fleet(first=refuses, second=refuses)
    gone = Fleet(first=proxy_says_gone, second=proxy_says_gone)

    with pytest.raises(httpx.ConnectError):
        await unreachable.client.get("/sagas")
    response = await gone.client.get("/sagas")

    assert response.status_code == 502 and gone.calls == Counter(first=1, second=1)
