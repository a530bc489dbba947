from infra.stores.alembic_env import run_migrations

run_migrations()
