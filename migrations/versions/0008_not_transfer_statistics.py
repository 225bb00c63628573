"""planner statistics for the test that leaves transfers out of income and expenses

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 04:06:00

Every income and expense sum filters on `coalesce(transfer_id, 0) = 0` (see
`fintrack.flows.not_transfer`). Without statistics on that expression PostgreSQL guesses it
keeps 0.5% of the rows instead of nearly all, and sorts where hashing is cheaper: at a
million transactions the dashboard's monthly sums took about 40% longer. PostgreSQL 14 and
later keep statistics on expressions; SQLite has none to keep.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "st_transactions_not_transfer"


def _supported() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and bind.dialect.server_version_info >= (14,)


def upgrade() -> None:
    if _supported():
        op.execute(f"CREATE STATISTICS {NAME} ON (coalesce(transfer_id, 0)) FROM transactions")
        op.execute("ANALYZE transactions")


def downgrade() -> None:
    if _supported():
        op.execute(f"DROP STATISTICS IF EXISTS {NAME}")
