"""import history with undo, possible duplicates, reconciliation

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29 00:10:00

An import batch counts the possible duplicates it left out and remembers when it was
undone; a transaction remembers the statement date it was reconciled against.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(
            sa.Column("possible_duplicates", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("import_batches") as batch:
        batch.alter_column("possible_duplicates", server_default=None)
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("reconciled_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.drop_column("reconciled_on")
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("undone_at")
        batch.drop_column("possible_duplicates")
