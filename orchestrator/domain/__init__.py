"""The pure core of the orchestrator: saga definitions as data and the transition function."""
