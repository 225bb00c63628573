"""Alembic environment: the database URL comes from the app's configuration."""

from alembic import context

from fintrack import config as app_config
from fintrack import db
from fintrack.models import Base

alembic_config = context.config


def configured_url() -> str:
    """Migrations use Neon's direct endpoint when one is configured, not the pooled one."""
    settings = app_config.load()
    return settings.database_direct_url or settings.database_url


url = alembic_config.get_main_option("sqlalchemy.url") or configured_url()


# PostgreSQL-only indexes the models cannot express; migrations alone manage them.
MIGRATION_ONLY_INDEXES = {"ix_transactions_search_trgm"}


def include_object(
    obj: object, name: str | None, kind: str, reflected: bool, other: object
) -> bool:
    return not (kind == "index" and name in MIGRATION_ONLY_INDEXES)


def run() -> None:
    engine = db.make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
