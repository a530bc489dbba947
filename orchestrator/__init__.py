"""The saga orchestrator: durable booking and cancellation sagas over the broker."""
