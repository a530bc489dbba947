"""422 answers shaped like FastAPI's own validation errors, so clients parse one format."""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException, status

from rooms.domain.night_ranges import range_problem
from rooms.domain.stays import StayRejected


def unprocessable(location: tuple[str, ...], kind: str, message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": list(location), "msg": message, "type": kind}],
    )


def stay_refused(rejected: StayRejected) -> HTTPException:
    field = "check_in" if rejected.problem.value == "arrival_in_the_past" else "check_out"
    return unprocessable(("query", field), rejected.problem.value, rejected.detail)


def bad_range(start: date, end: date, max_nights: int, where: str) -> HTTPException | None:
    """A 422 for a range of nights `[start, end)` that is empty or too long, else None."""
    problem = range_problem(start, end, max_nights)
    return None if problem is None else unprocessable((where, "end"), "invalid_range", problem)


def not_found(what: str, row_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no {what} {row_id!r}")


def conflict(message: str) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, detail=message)
