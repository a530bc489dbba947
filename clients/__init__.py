"""The clients service: the platform's only store of personal data (names, contacts, documents)."""
