"""Pure rules of reservations: no I/O."""
