"""The agents' web app and public API (port 5000) and the operators' dashboard (port 5005)."""
