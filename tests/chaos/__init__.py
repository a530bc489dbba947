"""`make chaos`: the bench workload through the public API while faults are injected one at a
time, each on a fresh platform, then the invariants checked from the stores."""
