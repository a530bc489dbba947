"""Pure rules of the clients service: no I/O."""
