"""The ledger's invariants hold under random sequences of operations.

Each example runs a random sequence (add, split with mixed signs, transfer, edit, delete,
move and merge categories, delete an account keeping or deleting transfer sides) inside one
database transaction that is rolled back afterwards, and then checks: balances
are the opening balance plus the lines the sequence left, transfer pairs point at each other
and sum to zero, split lines sum to their total, the totals of search, reports and accounts
agree, and no row points at a row that is gone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from fintrack import accounts, categories, reports, transaction_list, transactions
from fintrack.errors import InputError
from fintrack.filters import TransactionFilters
from fintrack.models import Category, Split, Tag, Transaction, TransactionTag

DAY = dt.date(2026, 3, 1)
sizes = st.integers(min_value=1, max_value=10**9)
signed = st.one_of(sizes, sizes.map(lambda n: -n))
picks = st.integers(min_value=0, max_value=50)

operations = st.one_of(
    st.tuples(st.just("add"), picks, signed, picks, st.integers(0, 60)),
    st.tuples(st.just("split"), picks, st.lists(st.tuples(signed, picks), min_size=2, max_size=3)),
    st.tuples(st.just("transfer"), picks, picks, sizes),
    st.tuples(st.just("edit"), picks, signed),
    st.tuples(st.just("delete"), picks),
    st.tuples(st.just("move"), picks, picks),
    st.tuples(st.just("merge"), picks, picks),
    st.tuples(st.just("drop_account"), picks, st.booleans()),
)


@dataclass
class Model:
    """What the sequence of operations left, kept independently of the database."""

    accounts: dict[int, int] = field(default_factory=dict)  # id -> opening balance
    amounts: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (account, amount)
    plain: list[int] = field(default_factory=list)  # ids that are neither split nor transfer

    def pick(self, ids: list[int], index: int) -> int | None:
        return ids[index % len(ids)] if ids else None


def _setup(session: Session) -> tuple[Model, list[int]]:
    model = Model()
    for name, opening in (("Checking", 100_00), ("Savings", 0), ("Card", -50_00)):
        account_id = accounts.create_account(
            session, accounts.AccountInput(name, opening_balance=opening)
        )
        model.accounts[account_id] = opening
    food = categories.create_category(session, "Food")
    categories.create_category(session, "Groceries", food)
    categories.create_category(session, "Home")
    income = categories.create_category(session, "Income", kind="income")
    categories.create_category(session, "Salary", income)
    return model, [o.id for o in categories.options(session)]


def _apply(session: Session, model: Model, operation: tuple) -> None:
    kind, *args = operation
    account_ids = sorted(model.accounts)
    category_ids = list(session.scalars(select(Category.id).order_by(Category.id)))
    if kind == "add":
        account, amount, category, offset = args
        account_id = model.pick(account_ids, account)
        if account_id is None:
            return
        new = transactions.create_transaction(
            session,
            transactions.TransactionInput(
                account_id,
                DAY + dt.timedelta(days=offset),
                amount,
                "Shop",
                category_id=model.pick(category_ids, category),
                tags=["random"],
            ),
        )
        model.amounts[new] = (account_id, amount)
        model.plain.append(new)
    elif kind == "split":
        account, lines = args
        account_id = model.pick(account_ids, account)
        total = sum(amount for amount, _ in lines)
        if account_id is None or total == 0:
            return
        new = transactions.create_transaction(
            session,
            transactions.TransactionInput(
                account_id,
                DAY,
                total,
                "Market",
                splits=[transactions.SplitInput(model.pick(category_ids, c), a) for a, c in lines],
            ),
        )
        model.amounts[new] = (account_id, total)
    elif kind == "transfer":
        source, target, amount = args
        from_id, to_id = model.pick(account_ids, source), model.pick(account_ids, target)
        if from_id is None or from_id == to_id:
            return
        out, back = transactions.create_transfer(session, from_id, to_id, DAY, amount)
        model.amounts[out] = (from_id, -amount)
        model.amounts[back] = (to_id, amount)
    elif kind == "edit":
        index, amount = args
        target = model.pick(model.plain, index)
        if target is None:
            return
        data = transactions.get_transaction(session, target)
        data.amount = amount
        transactions.update_transaction(session, target, data)
        model.amounts[target] = (data.account_id, amount)
    elif kind == "delete":
        target = model.pick(sorted(model.amounts), args[0])
        if target is None:
            return
        other = session.get(Transaction, target).transfer_id
        transactions.delete_transaction(session, target)
        for gone in (target, other):
            model.amounts.pop(gone, None)
            if gone in model.plain:
                model.plain.remove(gone)
    elif kind in ("move", "merge"):
        source, target = (model.pick(category_ids, i) for i in args)
        if source is None:
            return
        try:
            with session.begin_nested():
                if kind == "move":
                    categories.move_category(session, source, target, change_kind=True)
                else:
                    categories.merge_category(session, source, target)
        except InputError:
            pass  # refused (a cycle, a name taken): the savepoint undid it
    else:
        index, keep = args
        account_id = model.pick(account_ids, index)
        if account_id is None:
            return
        sides = dict(
            session.execute(
                select(Transaction.id, Transaction.transfer_id).where(
                    Transaction.account_id == account_id
                )
            ).all()
        )
        accounts.delete_account(session, account_id, keep_other_sides=keep)
        del model.accounts[account_id]
        for own, other in sides.items():
            model.amounts.pop(own, None)
            if own in model.plain:
                model.plain.remove(own)
            if other is not None and not keep:
                model.amounts.pop(other, None)
            elif other is not None:
                model.plain.append(other)  # kept as a plain amount
        session.expire_all()


def _check(session: Session, model: Model) -> None:
    session.flush()
    # Balances: opening plus what the operations left, account by account.
    listed = accounts.balances(session)
    assert {a.id for a in listed} == set(model.accounts)
    for account in listed:
        lines = [amount for owner, amount in model.amounts.values() if owner == account.id]
        assert account.balance == model.accounts[account.id] + sum(lines)
        assert account.transactions == len(lines)
    assert accounts.net_worth(session) == (
        {"EUR": sum(a.balance for a in listed)} if listed else {}
    )

    # Transfer pairs point at each other and sum to zero (one currency here).
    other = aliased(Transaction)
    pairs = session.execute(
        select(Transaction.id, Transaction.amount, other.id, other.amount, other.transfer_id).join(
            other, other.id == Transaction.transfer_id
        )
    ).all()
    for own_id, amount, other_id, other_amount, back in pairs:
        assert back == own_id and amount + other_amount == 0 and other_id != own_id
    linked = session.scalar(select(func.count()).where(Transaction.transfer_id.is_not(None)))
    assert linked == len(pairs)

    # Split lines sum to their transaction's amount; only split transactions have lines.
    totals = session.execute(
        select(Transaction.id, Transaction.amount, Transaction.is_split, func.sum(Split.amount))
        .outerjoin(Split, Split.transaction_id == Transaction.id)
        .group_by(Transaction.id, Transaction.amount, Transaction.is_split)
    ).all()
    for _, amount, is_split, lines in totals:
        assert (lines == amount) if is_split else lines is None

    # Totals agree: the list's net, the reports' net and the sum of non-transfer lines.
    own = [a for i, (_, a) in model.amounts.items() if i not in _transfer_ids(session)]
    summaries = transaction_list.summarize(session, TransactionFilters())
    net = sum(s.net for s in summaries)
    assert net == sum(own)
    figures = reports.period_report(session, reports.ReportFilters(), []).summary
    assert sum(f.net for f in figures.values()) == net
    lines = _lines(session)
    assert sum(s.inflow for s in summaries) == sum(a for _, a, _ in lines if a > 0)
    assert sum(s.outflow for s in summaries) == sum(a for _, a, _ in lines if a < 0)
    income = sum(a for _, a, kind in lines if kind == "income")
    assert sum(f.income for f in figures.values()) == income

    # No orphans: every reference points at a row that exists.
    for column, target in (
        (Split.transaction_id, Transaction.id),
        (TransactionTag.transaction_id, Transaction.id),
        (TransactionTag.tag_id, Tag.id),
        (Transaction.category_id, Category.id),
        (Split.category_id, Category.id),
        (Category.parent_id, Category.id),
    ):
        assert not session.scalar(
            select(func.count())
            .select_from(column.table)
            .where(column.is_not(None), column.not_in(select(target)))
        )


def _transfer_ids(session: Session) -> set[int]:
    return set(session.scalars(select(Transaction.id).where(Transaction.transfer_id.is_not(None))))


def _lines(session: Session) -> list[tuple[int | None, int, str]]:
    """Every line that counts as income or expense, read straight from the tables: plain
    transactions and split lines (transfers left out), each with the kind it counts as."""
    kinds = dict(session.execute(select(Category.id, Category.kind)).all())
    plain = session.execute(
        select(Transaction.category_id, Transaction.amount).where(
            Transaction.transfer_id.is_(None), Transaction.is_split.is_(False)
        )
    ).all()
    split = session.execute(select(Split.category_id, Split.amount)).all()
    return [
        (c, a, kinds[c] if c is not None else ("income" if a > 0 else "expense"))
        for c, a in [*plain, *split]
    ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operations, min_size=1, max_size=12))
def test_ledger_invariants_hold_after_any_sequence(session: Session, steps: list[tuple]) -> None:
    try:
        model, _ = _setup(session)
        for step in steps:
            _apply(session, model, step)
        _check(session, model)
    finally:
        session.rollback()
