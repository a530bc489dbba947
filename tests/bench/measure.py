"""What a run measures: CPU seconds per process, latency percentiles, and py-spy profiles."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
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

    def finish(self, top: int = 15) -> dict[str, list[tuple[str, float]]]:
        """Per process, the functions with the most samples on the stack (inclusive share)."""
        summaries: dict[str, list[tuple[str, float]]] = {}
        for label, process, output in self._running:
            process.wait(timeout=120)
            if output.exists():
                summaries[label] = inclusive_shares(output.read_text(), top)
        self._running.clear()
        return summaries


def inclusive_shares(collapsed: str, top: int) -> list[tuple[str, float]]:
    """From py-spy's collapsed stacks ("a;b;c 12" per line): each frame's share of all samples,
    counted once per stack it appears in."""
    counts: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        total += int(samples)
        for frame in set(stack.split(";")):
            counts[frame] += int(samples)
    if not total:
        return []
    return [(frame, round(count / total, 3)) for frame, count in counts.most_common(top)]
