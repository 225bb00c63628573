"""search text trigram index (PostgreSQL)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 14:40:00

The transactions search matches words anywhere in payee and notes (`LIKE '%word%'`), which no
B-tree index serves. A trigram GIN index on the searched expression keeps it fast at 100k+
rows. SQLite has no such index type; its search scans, which is fine at its scale.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Must stay identical to fintrack.search.SEARCH_TEXT, or the planner will not use the index.
SEARCH_TEXT = "lower(payee || ' ' || payee_norm || ' ' || coalesce(notes, ''))"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_transactions_search_trgm ON transactions "
        f"USING gin (({SEARCH_TEXT}) gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_transactions_search_trgm")
