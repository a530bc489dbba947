"""What a run measures: CPU seconds per process, latency percentiles, and py-spy profiles."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from tests.bench.system import ProcessGroup

# The servers every system shares, found by their process names.
SERVER_PROCESSES = {
    "RabbitMQ": ("beam.smp",),
    "MariaDB": ("mariadbd", "mysqld"),
    "MongoDB-protocol server": ("nx-27017", "mongod"),
}


def server_groups() -> list[ProcessGroup]:
    groups = {label: ProcessGroup(label) for label in SERVER_PROCESSES}
    for process in psutil.process_iter(["name", "cmdline"]):
        name = process.info["name"] or ""
        command = " ".join(process.info["cmdline"] or [])
        for label, names in SERVER_PROCESSES.items():
            if name in names or any(f"/{n} " in f"{command} " for n in names):
                groups[label].pids.append(process.pid)
    return [group for group in groups.values() if group.pids]


def cpu_seconds(group: ProcessGroup) -> float:
    """User + system CPU seconds used so far by the group's processes (and their children)."""
    total = 0.0
    for pid in group.pids:
        try:
            process = psutil.Process(pid)
            members = (
                [process, *process.children(recursive=True)]
                if group.include_children
                else [process]
            )
            for member in members:
                times = member.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


@dataclass
class CpuMeter:
    """CPU used by each group between `begin()` and `end()`. Children that appear or vanish
    in between are counted from what they used while seen; prefork pools keep theirs."""

    groups: list[ProcessGroup]

    def begin(self) -> None:
        self._start = {group.label: cpu_seconds(group) for group in self.groups}

    def end(self) -> dict[str, float]:
        return {
            group.label: round(max(0.0, cpu_seconds(group) - self._start[group.label]), 2)
            for group in self.groups
        }


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or below."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


class Profiler:
    """py-spy sampling the given processes for the run, written as collapsed stacks."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._running: list[tuple[str, subprocess.Popen[bytes], Path]] = []

    def start(self, groups: Sequence[ProcessGroup], seconds: float) -> None:
        executable = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        self._directory.mkdir(parents=True, exist_ok=True)
        for group in groups:
            for pid in group.pids:
                name = group.label.replace(": ", "-").replace(" ", "-")
                output = self._directory / f"{name}.txt"
                command = [executable, "record", "--pid", str(pid), "--duration", str(int(seconds))]
                command += [
                    "--rate",
                    "67",
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--output",
                    str(output),
                ]
                if group.include_children:
                    command.append("--subprocesses")
                process = subprocess.Popen(
                    command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                self._running.append((group.label, process, output))

    def finish(self, top: int = 12) -> dict[str, dict[str, list[tuple[str, float]]]]:
        """Per process: where its samples fall by package, and its busiest project functions."""
        summaries: dict[str, dict[str, list[tuple[str, float]]]] = {}
        for label, process, output in self._running:
            process.wait(timeout=120)
            if output.exists():
                collapsed = output.read_text()
                summaries[label] = {
                    "by_package": package_shares(collapsed, top),
                    "project_functions": project_shares(collapsed, top),
                }
        self._running.clear()
        return summaries


PROJECT_PACKAGES = ("contracts", "infra", "orchestrator", "rooms", "clients", "reservations", "web")


def _stacks(collapsed: str) -> Iterator[tuple[list[str], int]]:
    """py-spy's collapsed stacks: "frame;frame;frame count" per line, root first."""
    for line in collapsed.splitlines():
        stack, _, samples = line.rpartition(" ")
        if stack and samples.isdigit():
            yield stack.split(";"), int(samples)


def _package(frame: str) -> str:
    """`function (package/module.py:12)` -> `package`; `asyncio` for the standard library's."""
    location = frame.rpartition(" (")[2]
    return location.split("/")[0].split(".")[0] if "/" in location else "python"


def package_shares(collapsed: str, top: int) -> list[tuple[str, float]]:
    """Each sample charged to the package of its innermost frame: where the time is spent."""
    counts: Counter[str] = Counter()
    for frames, samples in _stacks(collapsed):
        counts[_package(frames[-1])] += samples
    total = sum(counts.values()) or 1
    return [(name, round(count / total, 3)) for name, count in counts.most_common(top)]


def project_shares(collapsed: str, top: int) -> list[tuple[str, float]]:
    """Each project function's share of samples, counted once per stack it is on."""
    counts: Counter[str] = Counter()
    total = 0
    for frames, samples in _stacks(collapsed):
        total += samples
        for frame in {f for f in frames if _package(f) in PROJECT_PACKAGES}:
            if not frame.startswith(("<module>", "main ")):
                counts[frame] += samples
    return [(frame, round(count / max(1, total), 3)) for frame, count in counts.most_common(top)]
