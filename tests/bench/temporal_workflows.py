"""The Temporal baseline's workflow: the booking saga, one workflow execution per booking.

Three activities, as the Celery baseline's three tasks: hold a room (rooms database), verify the
client (clients database), write the reservation (Mongo). Saga style as Temporal's own samples
write it: the undo of a step (release the hold) is put on a compensation list *before* the step
runs, since an activity that timed out may still have committed, and on a failure the list is
run in reverse. A booking that fails ends the workflow normally with a "failed" result and its
reason, so the load generator reads every end as the workflow's result.

Activities are called by name: this module is imported into the workflow sandbox and must not
pull in the store drivers (the activities live in temporal_worker.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

WORKFLOW = "BookingSaga"
HOLD_ROOM = "hold_room"
VERIFY_CLIENT = "verify_client"
WRITE_RESERVATION = "write_reservation"
RELEASE_HOLD = "release_hold"

# ApplicationError types of the two business failures: not retried, they end the saga.
NO_ROOM = "NoRoom"
UNKNOWN_CLIENT = "UnknownClient"
REASONS = {NO_ROOM: "no_room", UNKNOWN_CLIENT: "unknown_client"}

# A step that raises anything else (a broken connection, a deadlock) is retried from 50 ms,
# doubling to 2 s, without end: the store comes back or the agent gives up on the booking.
STEP_TIMEOUT = timedelta(seconds=30)
STEP_RETRIES = RetryPolicy(
    initial_interval=timedelta(milliseconds=50),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=2),
    non_retryable_error_types=[NO_ROOM, UNKNOWN_CLIENT],
)


def failure_reason(error: ActivityError) -> str:
    cause = error.cause
    if isinstance(cause, ApplicationError):
        return REASONS.get(cause.type or "", f"error: {cause.type}")
    return f"error: {type(cause).__name__}"


@workflow.defn(name=WORKFLOW)
class BookingSaga:
    @workflow.run
    async def run(self, request: dict[str, Any]) -> dict[str, Any]:
        booking_id = request["booking_id"]
        compensations: list[tuple[str, Any]] = []
        try:
            compensations.append((RELEASE_HOLD, booking_id))
            room_id = await self._step(HOLD_ROOM, request)
            await self._step(VERIFY_CLIENT, request["client_id"])
            await self._step(WRITE_RESERVATION, {**request, "room_id": room_id})
        except ActivityError as error:
            for name, argument in reversed(compensations):
                await self._step(name, argument)
            return {"booking_id": booking_id, "status": "failed", "reason": failure_reason(error)}
        return {"booking_id": booking_id, "status": "confirmed", "reason": None}

    @staticmethod
    async def _step(name: str, argument: Any) -> Any:
        return await workflow.execute_activity(
            name, argument, start_to_close_timeout=STEP_TIMEOUT, retry_policy=STEP_RETRIES
        )
