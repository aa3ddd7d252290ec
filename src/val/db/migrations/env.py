from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy.exc import SAWarning

from val.db.session import make_engine
from val.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode alters a table by copying it; with foreign keys enforced, dropping the old copy of a
            # table other rows refer to (cases) fails. The pragma only takes effect outside a transaction.
            raw = connection.connection.driver_connection  # the sqlite3 connection, before any BEGIN
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=OFF")
            # Batch mode reflects the table it copies; SQLAlchemy cannot reflect an expression index and says so,
            # though the copy keeps it (tests/integration/test_migrations.py reads every index's name back).
            warnings.filterwarnings(
                "ignore", "Skipped unsupported reflection of expression-based index", SAWarning
            )
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if violations:
                raise SystemExit(f"the migration left rows that refer to nothing: {violations[:5]}")
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `val db upgrade` against a database")
run_migrations_online()
