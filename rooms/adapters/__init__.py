"""The rooms service's store: tables, migrations, repositories, seed data."""
