"""SQLAlchemy 2.0 typed models: the whole schema.

Money columns hold integer minor units (cents) as BIGINT; the currency lives on the account.
A transaction's sign is the account's point of view: negative money leaves the account.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ACCOUNT_KINDS = (
    "checking",
    "savings",
    "credit_card",
    "cash",
    "investment",
    "loan",
    "other_asset",
    "other_liability",
)
LIABILITY_KINDS = ("credit_card", "loan", "other_liability")
CATEGORY_KINDS = ("expense", "income")
INTERVAL_UNITS = ("day", "week", "month", "year")
RATE_SOURCES = ("ecb", "manual")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as a Table (`Model.__table__` is typed as any FromClause)."""
    return Base.metadata.tables[model.__tablename__]


class AppState(Base):
    """Small key/value facts the app keeps in the database (session version, preferences)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_at", "attempted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(200))
    client: Mapped[str] = mapped_column(String(100))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACCOUNT_KINDS}", name="kind"),
        CheckConstraint("length(currency) = 3", name="currency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="checking")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    opening_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    opening_date: Mapped[dt.date | None] = mapped_column(Date)
    institution: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    import_profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint(f"kind IN {CATEGORY_KINDS}", name="kind"),
        UniqueConstraint("parent_id", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default="expense")
    color: Mapped[str | None] = mapped_column(String(9))
    budget_rollover: Mapped[bool] = mapped_column(Boolean, default=False)

    parent: Mapped[Category | None] = relationship(remote_side=[id])


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class ImportBatch(Base):
    """One committed import of a file, so a person can see (and undo) what came from where."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(10))
    imported: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    # Rows left out because the account already held the same amount within a few days.
    possible_duplicates: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Transaction(Base):
    """One movement of money in one account.

    A transfer is two linked rows (`transfer_id` points at the other side). A split
    transaction has `is_split` set, no category of its own, and `Split` lines that add up
    to its amount. `external_id` (a bank's FITID) or `import_key` (fingerprint plus its
    occurrence number) make re-imports idempotent.
    """

    __tablename__ = "transactions"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        UniqueConstraint("account_id", "import_key"),
        Index("ix_transactions_account_date", "account_id", "date", "id"),
        # Balances (net worth) sum the amounts of an account up to a day from this index alone.
        Index("ix_transactions_balances", "account_id", "date", "amount"),
        Index("ix_transactions_date", "date", "id"),
        Index("ix_transactions_category_date", "category_id", "date"),
        Index("ix_transactions_payee_norm", "payee_norm"),
        Index("ix_transactions_amount", "amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    payee: Mapped[str] = mapped_column(String(255), default="")
    payee_norm: Mapped[str] = mapped_column(String(255), default="")
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    notes: Mapped[str | None] = mapped_column(Text)
    cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    is_split: Mapped[bool] = mapped_column(Boolean, default=False)
    transfer_id: Mapped[int | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(255))
    import_key: Mapped[str | None] = mapped_column(String(255))
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
    # The statement date it was reconciled against; editing it afterwards needs consent.
    reconciled_on: Mapped[dt.date | None] = mapped_column(Date)
    # A purchase in another currency: the booked `amount` is the truth, this is what the
    # receipt said (minor units of `original_currency`, same sign as `amount`).
    original_amount: Mapped[int | None] = mapped_column(BigInteger)
    original_currency: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    account: Mapped[Account] = relationship()
    category: Mapped[Category | None] = relationship()
    splits: Mapped[list[Split]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", passive_deletes=True
    )
    tags: Mapped[list[Tag]] = relationship(secondary="transaction_tags")


class Rate(Base):
    """A daily reference rate: `rate` units of `currency` per 1 EUR (the ECB's convention).

    EUR is the pivot and has no rows; a cross rate is derived through it. `source` is `ecb`
    or `manual`; a manual rate replaces the ECB's for its day and an ECB update never
    overwrites it.
    """

    __tablename__ = "rates"
    __table_args__ = (
        CheckConstraint("rate > 0", name="rate"),
        CheckConstraint(f"source IN {RATE_SOURCES}", name="source"),
    )

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(20, 10, asdecimal=True))
    source: Mapped[str] = mapped_column(String(6), default="ecb")


class Split(Base):
    __tablename__ = "splits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str | None] = mapped_column(String(255))

    parent: Mapped[Transaction] = relationship(back_populates="splits")
    category: Mapped[Category | None] = relationship()


class TransactionTag(Base):
    __tablename__ = "transaction_tags"

    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Rule(Base):
    """Categorization rule: conditions on payee, amount and account; actions on a transaction."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    payee_contains: Mapped[str | None] = mapped_column(String(255))
    payee_regex: Mapped[str | None] = mapped_column(String(255))
    amount_min: Mapped[int | None] = mapped_column(BigInteger)
    amount_max: Mapped[int | None] = mapped_column(BigInteger)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    set_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    add_tags: Mapped[str | None] = mapped_column(String(255))
    rename_payee: Mapped[str | None] = mapped_column(String(255))


class Budget(Base):
    """The amount budgeted for one category in one month (`month` is the month's first day)."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("category_id", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    month: Mapped[dt.date] = mapped_column(Date, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)


class RecurringSchedule(Base):
    """A transaction that comes back every `interval` units, posted or only reminded."""

    __tablename__ = "recurring_schedules"
    __table_args__ = (
        CheckConstraint(f"interval_unit IN {INTERVAL_UNITS}", name="interval_unit"),
        CheckConstraint("interval_count > 0", name="interval_count"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    transfer_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE")
    )
    payee: Mapped[str] = mapped_column(String(255), default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    template_splits: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    interval_unit: Mapped[str] = mapped_column(String(5), default="month")
    interval_count: Mapped[int] = mapped_column(Integer, default=1)
    day_of_month: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    max_count: Mapped[int | None] = mapped_column(Integer)
    auto_post: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecurringOccurrence(Base):
    """An occurrence that has been dealt with. The primary key is what makes catch-up post once."""

    __tablename__ = "recurring_occurrences"

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("recurring_schedules.id", ondelete="CASCADE"), primary_key=True
    )
    due_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
