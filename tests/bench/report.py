"""The run's report: a JSON file, a PNG chart and a table on the terminal, with our figures
as ratios to the floor's and to Celery's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLOURS = {
    "ours": "#2f6fb0",
    "ours-traced": "#6f9fd0",
    "floor": "#8c8c8c",
    "celery": "#5a9e4b",
    "temporal": "#b05a2f",
}


def cpu_ms_per_booking(result: dict[str, Any]) -> float:
    """CPU of every process (servers and load generator included) per confirmed booking."""
    confirmed = result["confirmed_per_second"] * result["seconds"]
    return 1000 * sum(result["cpu_seconds"].values()) / confirmed if confirmed else float("nan")


def ratios(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    by_name = {result["system"]: result for result in results}
    ours = by_name.get("ours")
    if ours is None:
        return {}
    return {
        f"ours/{other}": {
            "throughput": round(ours["confirmed_per_second"] / theirs["confirmed_per_second"], 2)
            if theirs["confirmed_per_second"]
            else float("nan"),
            "p99": round(ours["latency_ms"]["p99"] / theirs["latency_ms"]["p99"], 2),
            "alone_p50": _ratio(ours, theirs),
            "cpu_per_booking": round(cpu_ms_per_booking(ours) / cpu_ms_per_booking(theirs), 2),
        }
        for other, theirs in by_name.items()
        if other != "ours"
    }


def tracing_cost(results: list[dict[str, Any]]) -> dict[str, float] | None:
    """What tracing costs ours (`--tracing`): ours-traced against ours, per confirmed booking."""
    by_name = {result["system"]: result for result in results}
    off, on = by_name.get("ours"), by_name.get("ours-traced")
    if off is None or on is None:
        return None
    cpu_off, cpu_on = cpu_ms_per_booking(off), cpu_ms_per_booking(on)
    return {
        "cpu_ms_per_booking_off": round(cpu_off, 2),
        "cpu_ms_per_booking_on": round(cpu_on, 2),
        "cpu_ms_per_booking_added": round(cpu_on - cpu_off, 2),
        "cpu_added_percent": round(100 * (cpu_on - cpu_off) / cpu_off, 1),
        "throughput_ratio": round(on["confirmed_per_second"] / off["confirmed_per_second"], 2)
        if off["confirmed_per_second"]
        else float("nan"),
        "p50_ms_added": round(on["latency_ms"]["p50"] - off["latency_ms"]["p50"], 1),
        "p99_ms_added": round(on["latency_ms"]["p99"] - off["latency_ms"]["p99"], 1),
    }


def _ratio(ours: dict[str, Any], theirs: dict[str, Any]) -> float:
    mine, other = (r.get("one_agent", {}).get("p50") for r in (ours, theirs))
    return round(mine / other, 2) if mine and other else float("nan")


def write(results: list[dict[str, Any]], context: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    report = {
        "context": context,
        "results": results,
        "ratios": ratios(results),
        "tracing_cost": tracing_cost(results),
    }
    path = directory / "bench.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    chart(results, directory / "bench.png")
    return path


def chart(results: list[dict[str, Any]], path: Path) -> None:
    names = [result["system"] for result in results]
    colours = [COLOURS.get(name, "#444444") for name in names]
    figure, (rate, latency, cpu) = plt.subplots(1, 3, figsize=(15, 4.8))
    rate.bar(names, [r["confirmed_per_second"] for r in results], color=colours)
    rate.set_title("confirmed bookings per second")
    width = 0.25
    for offset, key in enumerate(("p50", "p95", "p99")):
        positions = [n + (offset - 1) * width for n in range(len(names))]
        values = [r["latency_ms"][key] for r in results]
        latency.bar(positions, values, width, label=key, alpha=0.55 + 0.2 * offset, color=colours)
        for x, value in zip(positions, values, strict=True):
            latency.text(x, value, key, ha="center", va="bottom", fontsize=7)
    latency.set_xticks(range(len(names)), names)
    latency.set_title("submit-to-outcome latency (ms)")
    bottoms = [0.0] * len(names)
    labels = sorted({label for r in results for label in r["cpu_seconds"]})
    palette = plt.get_cmap("tab20")
    for index, label in enumerate(labels):
        per_booking = [
            1000
            * r["cpu_seconds"].get(label, 0.0)
            / max(1, r["confirmed_per_second"] * r["seconds"])
            for r in results
        ]
        cpu.bar(names, per_booking, bottom=bottoms, label=label, color=palette(index % 20))
        bottoms = [b + v for b, v in zip(bottoms, per_booking, strict=True)]
    cpu.set_title("CPU ms per confirmed booking, by process")
    cpu.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1, 1))
    figure.suptitle(
        f"{results[0]['agents']} agents, {results[0]['seconds']:.0f} s each,"
        " on the same RabbitMQ and stores"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        f"{'system':<11} {'confirmed/s':>11} {'ended/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'CPU ms/bk':>9} {'alone p50':>9} {'alone p99':>9}  invariants"
    ]
    for r in results:
        held = [i["holds"] for i in r["invariants"]]
        verdict = "all hold" if all(h is not False for h in held) else "BROKEN"
        alone = r.get("one_agent") or {}
        lines.append(
            f"{r['system']:<11} {r['confirmed_per_second']:>11} {r['ended_per_second']:>8} "
            f"{r['latency_ms']['p50']:>8} {r['latency_ms']['p95']:>8} {r['latency_ms']['p99']:>8} "
            f"{cpu_ms_per_booking(r):>9.1f} {alone.get('p50', '-'):>9} {alone.get('p99', '-'):>9}"
            f"  {verdict}"
        )
    for r in results:
        split = sorted(r["cpu_seconds"].items(), key=lambda item: -item[1])
        confirmed = max(1.0, r["confirmed_per_second"] * r["seconds"])
        shares = ", ".join(f"{label} {1000 * seconds / confirmed:.1f}" for label, seconds in split)
        lines.append(f"  [{r['system']}] CPU ms per confirmed booking: {shares}")
    for name, ratio in ratios(results).items():
        lines.append(
            f"{name}: throughput x{ratio['throughput']}, p99 x{ratio['p99']}, "
            f"one agent p50 x{ratio['alone_p50']}, CPU per booking x{ratio['cpu_per_booking']}"
        )
    cost = tracing_cost(results)
    if cost is not None:
        lines.append(
            f"tracing on: CPU per booking {cost['cpu_ms_per_booking_off']} -> "
            f"{cost['cpu_ms_per_booking_on']} ms (+{cost['cpu_ms_per_booking_added']} ms, "
            f"+{cost['cpu_added_percent']}%), throughput x{cost['throughput_ratio']}, "
            f"p50 +{cost['p50_ms_added']} ms, p99 +{cost['p99_ms_added']} ms"
        )
    for r in results:
        for i in r["invariants"]:
            mark = {True: "ok", False: "BROKEN", None: "n/a"}[i["holds"]]
            lines.append(f"  [{r['system']}] {mark:<6} {i['name']}: {i['detail']}")
    return "\n".join(lines)
