"""`make bench`: the same booking workload through our platform, the floor, Celery and Temporal.

    python -m tests.bench [--agents 64] [--seconds 30] [--systems ours floor celery temporal]
                          [--out .run/bench] [--profile] [--tracing]

Systems: ours, floor, celery (tests/bench/celery_system.py) and temporal (a Temporal dev
server on SQLite and its workers, tests/bench/temporal_system.py); by default all four.
`--tracing` adds ours-traced, ours again with every process tracing (infra/tracing.py), and
the table says what tracing costs per booking.

Servers: AMQP_URL, TEST_MYSQL_URL and RESERVATIONS_MONGO_URL when set, else the local
RabbitMQ and MariaDB and an nx-27017 started here (as the tests find them). Writes
bench.json and bench.png to --out, and prints the table with our ratios to the others.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import platform
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from tests.bench import report
from tests.bench.run import LoadPlan, measure
from tests.bench.stores import bench_client_ids
from tests.bench.system import Servers, System
from tests.support import servers as found


def make_system(name: str, agents: int) -> System:
    if name in ("ours", "ours-traced"):
        from tests.bench.ours import OursSystem

        return OursSystem(agents, tracing=name == "ours-traced")
    if name == "floor":
        from tests.bench.floor import FloorSystem

        return FloorSystem()
    if name == "celery":
        from tests.bench.celery_system import CelerySystem

        return CelerySystem()
    if name == "temporal":
        from tests.bench.temporal_system import TemporalSystem

        return TemporalSystem()
    raise SystemExit(f"unknown system {name!r}: ours, ours-traced, floor, celery or temporal")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--agents", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warm-up", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument(
        "--alone", type=float, default=10.0, help="seconds of one agent alone after the load"
    )
    parser.add_argument(
        "--systems",
        nargs="+",
        default=["ours", "floor", "celery", "temporal"],
        help="any of: ours floor celery temporal",
    )
    parser.add_argument("--out", type=Path, default=Path(".run/bench"))
    parser.add_argument("--profile", action="store_true", help="py-spy each system's processes")
    parser.add_argument(
        "--tracing", action="store_true", help="ours also with tracing on (ours-traced), to compare"
    )
    args = parser.parse_args()
    if args.tracing and "ours-traced" not in args.systems:  # right after ours, if it runs
        systems = args.systems
        systems.insert(
            systems.index("ours") + 1 if "ours" in systems else len(systems), "ours-traced"
        )
    return args


async def main(args: argparse.Namespace) -> int:
    run_id = "bench" + uuid.uuid4().hex[:6]
    plan = LoadPlan(
        agents=args.agents,
        seconds=args.seconds,
        warm_up_seconds=args.warm_up,
        client_ids=bench_client_ids(args.clients),
        profile_dir=args.out / "profiles" if args.profile else None,
        alone_seconds=args.alone,
    )
    with contextlib.ExitStack() as stack:
        servers = Servers(
            amqp_url=stack.enter_context(found.rabbitmq()).url,
            mysql_url=stack.enter_context(found.mysql()).url,
            mongo_url=stack.enter_context(found.mongodb()).url,
            run_id=run_id,
        )
        results = [
            await measure(make_system(name, args.agents), servers, plan) for name in args.systems
        ]
    path = report.write(results, context(args, run_id), args.out)
    print(report.table(results))
    print(f"\nwritten: {path} and {path.with_suffix('.png')}")
    broken = any(i["holds"] is False for r in results for i in r["invariants"])
    return 1 if broken else 0


def context(args: argparse.Namespace, run_id: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "agents": args.agents,
        "seconds": args.seconds,
        "warm_up_seconds": args.warm_up,
        "cores": psutil.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "workload": "90% spread over the group, 5% unknown clients, 5% contention",
    }


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(arguments())))
