"""Database URLs are taken as pasted; Neon's pooled endpoint gets its special settings."""

import pytest

from fintrack import db

NEON_POOLED = (
    "postgresql://alex:pw@ep-cool-darkness-123456-pooler.eu-central-1.aws.neon.tech/fintrack"
    "?sslmode=require&channel_binding=require"
)


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql://u:p@h/d", "postgresql+psycopg://u:p@h/d"),
        ("postgresql+psycopg://u:p@h/d", "postgresql+psycopg://u:p@h/d"),
        ("  postgresql://u@h/d\n", "postgresql+psycopg://u@h/d"),
        ("sqlite:///data/fintrack.db", "sqlite:///data/fintrack.db"),
    ],
)
def test_urls_are_normalised(pasted: str, expected: str) -> None:
    assert db.normalize_url(pasted) == expected


def test_neon_query_options_pass_through_unchanged() -> None:
    url = db.normalize_url(NEON_POOLED)
    assert url.endswith("?sslmode=require&channel_binding=require")
    assert url.startswith("postgresql+psycopg://")


def test_neon_pooler_disables_prepared_statements() -> None:
    options = db.engine_options(NEON_POOLED)
    assert options["connect_args"]["prepare_threshold"] is None
    assert options["pool_pre_ping"] is True
    assert options["pool_recycle"] < 300  # Neon suspends idle computes after 5 minutes


def test_direct_postgres_keeps_prepared_statements() -> None:
    options = db.engine_options("postgresql://u@ep-cool-darkness-123456.aws.neon.tech/d")
    assert "prepare_threshold" not in options["connect_args"]
    assert options["connect_args"]["connect_timeout"] > 0


def test_sqlite_enforces_foreign_keys(tmp_path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
