"""`make chaos`: each fault in turn against a fresh platform under the bench workload.

    python -m tests.chaos [--scenarios kill-rooms pause-rooms-20 ...] [--agents 32]
                          [--load-seconds 30] [--quick] [--list] [--out .run/chaos]

Each scenario: a fresh namespace, databases and nx-27017; every service as a process (two of
each for `replicas-kill-one`); agents booking through the public API; the fault a third of the
way into the load; the load stopped; a settle until no saga is open and the work queues are
empty; the operator's retry of every STUCK saga; the invariants read from the stores.
RabbitMQ and MariaDB are the machine's (AMQP_URL and TEST_MYSQL_URL when set), except that
`rabbitmq-restart` and `mariadb-restart` start a private server to restart. Writes chaos.json
and chaos.md to --out, prints the table, and exits 1 when any scenario breaks an invariant.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import shlex
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from tests.bench.stores import bench_client_ids
from tests.chaos import report
from tests.chaos.poison import KINDS
from tests.chaos.run import Options, run_scenario
from tests.chaos.scenarios import every_scenario, quick, select


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.chaos",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scenarios", nargs="+", metavar="NAME", help="default: every one")
    parser.add_argument("--list", action="store_true", help="print the scenarios and exit")
    parser.add_argument("--agents", type=int, default=32)
    parser.add_argument("--load-seconds", type=float, default=30.0, help="of load per fault")
    parser.add_argument("--quick", action="store_true", help="faults a third as long (>= 5 s)")
    parser.add_argument("--settle-seconds", type=float, default=180.0)
    parser.add_argument("--follow-seconds", type=float, default=120.0)
    parser.add_argument("--drain-seconds", type=float, default=60.0)
    parser.add_argument("--step-deadline", type=float, default=10.0, help="the orchestrator's")
    parser.add_argument("--poison-per-kind", type=int, default=200, help="on every queue in all")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--out", type=Path, default=Path(".run/chaos"))
    return parser.parse_args()


async def main(args: argparse.Namespace) -> int:
    try:
        scenarios = select(every_scenario(), args.scenarios)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.quick:
        scenarios = [quick(scenario) for scenario in scenarios]
    if args.list:
        for scenario in scenarios:
            print(f"{scenario.name:<24} {scenario.summary}")
        return 0
    options = Options(
        agents=args.agents,
        load_seconds=args.load_seconds,
        settle_seconds=args.settle_seconds,
        follow_seconds=args.follow_seconds,
        drain_seconds=args.drain_seconds,
        step_deadline_seconds=args.step_deadline,
        poison_count=args.poison_per_kind * len(KINDS),
        client_ids=bench_client_ids(args.clients),
        log_dir=args.out / "logs",
    )
    # SIGTERM ends the run as Ctrl-C does: the scenario under way removes what it started.
    running = asyncio.current_task()
    assert running is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, running.cancel)
    results = []
    for scenario in scenarios:
        results.append(await run_scenario(scenario, options))
        report.write(results, context(args), args.out)  # a stopped run keeps what it did
    path = report.write(results, context(args), args.out)
    print()
    print(report.table(results))
    print(f"\nwritten: {path} and {path.with_suffix('.json')}; services' logs in {options.log_dir}")
    return 1 if any(result["broken"] for result in results) else 0


def context(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join(["python", "-m", "tests.chaos", *sys.argv[1:]]),
        "agents": args.agents,
        "load_seconds": args.load_seconds,
        "quick": args.quick,
        "step_deadline_seconds": args.step_deadline,
        "poison_count": args.poison_per_kind * len(KINDS),
        "cores": psutil.cpu_count(),
        "python": platform.python_version(),
    }


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(arguments())))
