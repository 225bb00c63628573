"""exchange rates and a transaction's original amount

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-29 00:20:00

`rates` holds daily reference rates (units of a currency per 1 EUR, ECB or typed by hand);
a transaction may keep the amount and currency its receipt showed beside the booked amount.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column("source", sa.String(length=6), nullable=False),
        sa.CheckConstraint("rate > 0", name=op.f("ck_rates_rate")),
        sa.CheckConstraint("source IN ('ecb', 'manual')", name=op.f("ck_rates_source")),
        sa.PrimaryKeyConstraint("currency", "date", name=op.f("pk_rates")),
    )
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("original_amount", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("original_currency", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.drop_column("original_currency")
        batch.drop_column("original_amount")
    op.drop_table("rates")
