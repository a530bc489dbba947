"""The rooms API's refusals: 422 answers shaped like FastAPI's own validation errors (each
item's `type` a code, its `ctx` the values), so clients parse one format, and the other
refusals with a code and params (infra/problems.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import HTTPException, status

from infra.problems import Param, Refusal
from rooms.domain.night_ranges import range_problem
from rooms.domain.stays import StayProblem, StayRejected

# Each stay problem's code: the same names web's own stay checks give (web/bookings.py).
STAY_CODES = {
    StayProblem.CHECK_OUT_NOT_AFTER_CHECK_IN: "stay_check_out_not_after_check_in",
    StayProblem.TOO_LONG: "stay_too_long",
    StayProblem.ARRIVAL_IN_THE_PAST: "stay_check_in_past",
    StayProblem.OVER_CAPACITY: "stay_over_capacity",
}


def unprocessable(
    location: tuple[str, ...], kind: str, message: str, ctx: Mapping[str, Any] | None = None
) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": list(location), "msg": message, "type": kind, "ctx": dict(ctx or {})}],
    )


def stay_refused(rejected: StayRejected) -> HTTPException:
    in_the_past = rejected.problem is StayProblem.ARRIVAL_IN_THE_PAST
    field = "check_in" if in_the_past else "check_out"
    code = STAY_CODES[rejected.problem]
    return unprocessable(("query", field), code, rejected.detail, rejected.params)


def bad_range(start: date, end: date, max_nights: int, where: str) -> HTTPException | None:
    """A 422 for a range of nights `[start, end)` that is empty or too long, else None."""
    problem = range_problem(start, end, max_nights)
    if problem is None:
        return None
    if end <= start:
        dates = {"start": start.isoformat(), "end": end.isoformat()}
        return unprocessable((where, "end"), "range_end_not_after_start", problem, dates)
    lengths = {"max_nights": max_nights, "nights": (end - start).days}
    return unprocessable((where, "end"), "range_too_long", problem, lengths)


def not_found(code: str, detail: str, params: Mapping[str, Param] | None = None) -> Refusal:
    return Refusal(status.HTTP_404_NOT_FOUND, code, detail, params)


def conflict(code: str, detail: str, params: Mapping[str, Param] | None = None) -> Refusal:
    return Refusal(status.HTTP_409_CONFLICT, code, detail, params)
