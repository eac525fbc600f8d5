from sqlalchemy import inspect
from sqlalchemy.engine import Engine


def test_migrations_create_alembic_version(engine: Engine) -> None:
    assert "alembic_version" in inspect(engine).get_table_names()
