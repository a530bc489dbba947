"""The clients store: tables, queries, migrations and demo data."""
