"""Alembic environment: the database URL comes from the app's configuration."""

from alembic import context

from fintrack import config as app_config
from fintrack import db
from fintrack.models import Base

alembic_config = context.config
url = alembic_config.get_main_option("sqlalchemy.url") or app_config.load().database_url


def run() -> None:
    engine = db.make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
