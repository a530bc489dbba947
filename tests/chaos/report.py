"""The run's report: `chaos.json` with every figure, `chaos.md` with the table and what each
scenario's dead letters, STUCK sagas and broken invariants were."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.chaos.checks import BREAKING

COLUMNS = (
    ("scenario", "scenario"),
    ("fault s", "fault_took_seconds"),
    ("submitted", "submitted"),
    ("confirmed", "confirmed"),
    ("failed", "failed"),
    ("cancelled", "cancelled"),
    ("STUCK", "stuck"),
    ("STUCK after retry", "stuck_after_retry"),
    ("open", "open"),
    ("lost", "lost"),
    ("told wrong", "told_wrong"),
    ("doubled", "doubled"),
    ("sold, not held", "unheld"),
    ("holds left", "holds_left_behind"),
    ("reservation, no booking", "reservations_without_booking"),
    ("booking, not 1 reservation", "bookings_without_reservation"),
    ("changes made / failed", "changes"),
    ("stay ≠ reservation", "stay_disagrees"),
    ("dead letters", "dead_letters"),
    ("1st confirmation s", "recovery_seconds"),
    ("verdict", "broken"),
)


def write(results: list[dict[str, Any]], context: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "chaos.json").write_text(
        json.dumps({"context": context, "results": results}, indent=2, default=str)
    )
    path = directory / "chaos.md"
    path.write_text(markdown(results, context))
    return path


def markdown(results: list[dict[str, Any]], context: dict[str, Any]) -> str:
    lines = [
        f"# make chaos: {context['at']}",
        "",
        f"`{context['command']}`: {context['agents']} agents, {context['load_seconds']:.0f} s "
        f"of load around each fault, step deadline {context['step_deadline_seconds']:.0f} s, "
        f"{context['cores']} cores.",
        "",
        table(results),
        "",
        "Counts from the stores after the settle; the invariants after the operator's retry of "
        "every STUCK saga. *sold, not held*: nights of a confirmed reservation the rooms store "
        "holds for nobody. *1st confirmation s*: from the fault's end to the first confirmation "
        "an agent saw.",
        "",
        *details(results),
    ]
    return "\n".join(lines) + "\n"


def table(results: list[dict[str, Any]]) -> str:
    rows = [[title for title, _ in COLUMNS], ["---" for _ in COLUMNS]]
    rows += [[_cell(key, result) for _, key in COLUMNS] for result in results]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def _cell(key: str, result: dict[str, Any]) -> str:
    value = result.get(key)
    if key == "broken":
        return "ok" if not value else "**BROKEN: " + ", ".join(value) + "**"
    if key == "dead_letters":
        return str(sum((value or {}).values())) if "error" not in result else "-"
    if key == "changes" and "changes_asked" in result:
        return f"{result['changes_confirmed']} / {result['changes_failed']}"
    if value is None:
        return "-"
    return f"**{value}**" if key in BREAKING and value else str(value)


def details(results: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for result in results:
        lines += [f"## {result['scenario']}", "", result["summary"] + ".", ""]
        if result.get("error"):
            lines += [f"- could not run: `{result['error']}`", ""]
            continue
        lines.append(
            f"- accepted {result['accepted']}, refused {result['refused']}, no end seen by "
            f"the agent {result['no_end_seen']}, agents' retries {result['agent_retries']}; "
            f"fault took {result['fault_took_seconds']} s, settle {result['settle_seconds']} s"
        )
        for title, key in (
            ("failure reasons", "failure_reasons"),
            ("STUCK reasons", "stuck_reasons"),
            ("operator retries answered", "operator_retries"),
            ("holds left behind", "holds_left_behind_by_why"),
            ("dead letters", "dead_letters"),
            ("poison sent", "poison_sent"),
            ("messages still queued", "queued_after_settle"),
            ("agents' last errors without an end", "agent_errors"),
            ("examples", "examples"),
        ):
            found = {k: v for k, v in (result.get(key) or {}).items() if v}
            if found:
                lines.append(f"- {title}:")
                lines += [f"  - {name}: {count}" for name, count in sorted(found.items())]
        lines.append("")
    return lines
