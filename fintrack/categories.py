"""Categories: a tree of any depth, each expense or income, with a stable color."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fintrack.errors import InputError
from fintrack.models import CATEGORY_KINDS, Budget, Category, Rule, Split, Transaction

SEPARATOR = " › "

# One fixed palette: a category gets its color once, at creation, and keeps it in every chart.
PALETTE = (
    "#4E79A7",
    "#F28E2B",
    "#E15759",
    "#76B7B2",
    "#59A14F",
    "#EDC948",
    "#B07AA1",
    "#FF9DA7",
    "#9C755F",
    "#BAB0AC",
    "#1F77B4",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#17BECF",
    "#BCBD22",
)

DEFAULT_TREE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Housing", "expense", ("Rent", "Utilities", "Maintenance")),
    ("Food", "expense", ("Groceries", "Restaurants", "Coffee")),
    ("Transport", "expense", ("Fuel", "Public transport", "Car")),
    ("Health", "expense", ()),
    ("Leisure", "expense", ("Travel", "Subscriptions", "Sports")),
    ("Shopping", "expense", ("Clothes", "Electronics")),
    ("Bills", "expense", ("Phone", "Internet", "Insurance")),
    ("Income", "income", ("Salary", "Bonus", "Interest", "Other income")),
)


class CategoryError(InputError):
    """A change to the tree that cannot be made; the message is for the person who asked."""


@dataclass(frozen=True)
class CategoryOption:
    """One category as pickers and lists show it, with its full path."""

    id: int
    name: str
    path: str
    kind: str
    color: str | None
    depth: int
    parent_id: int | None


@dataclass(frozen=True)
class CategoryTotal(CategoryOption):
    """A category's sum in a period: `own` is booked on it, `total` includes its descendants."""

    own: int
    total: int


def subtree_ids(session: Session, category_id: int) -> list[int]:
    """The category and all its descendants (recursive CTE in SQL)."""
    tree = select(Category.id).where(Category.id == category_id).cte("subtree", recursive=True)
    tree = tree.union_all(select(Category.id).where(Category.parent_id == tree.c.id))
    return list(session.scalars(select(tree.c.id)))


def options(session: Session) -> list[CategoryOption]:
    """Every category in tree order (parents before children, siblings by name)."""
    rows = session.execute(
        select(Category.id, Category.name, Category.kind, Category.color, Category.parent_id)
    ).all()
    children: dict[int | None, list] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    result: list[CategoryOption] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        siblings = sorted(
            children.get(parent_id, []),
            key=lambda r: (CATEGORY_KINDS.index(r.kind) if depth == 0 else 0, r.name.lower()),
        )
        for row in siblings:
            path = f"{prefix}{SEPARATOR}{row.name}" if prefix else row.name
            result.append(
                CategoryOption(row.id, row.name, path, row.kind, row.color, depth, row.parent_id)
            )
            walk(row.id, path, depth + 1)

    walk(None, "", 0)
    return result


def _next_color(session: Session) -> str:
    count = session.scalar(select(func.count()).select_from(Category)) or 0
    return PALETTE[count % len(PALETTE)]


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CategoryError("name", "Give the category a name")
    if len(name) > 120:
        raise CategoryError("name", "Use at most 120 characters")
    return name


def _check_unique(
    session: Session, name: str, parent_id: int | None, exclude: int | None = None
) -> None:
    query = select(Category.id).where(func.lower(Category.name) == name.lower())
    query = query.where(
        Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id
    )
    if exclude is not None:
        query = query.where(Category.id != exclude)
    if session.scalar(query.limit(1)) is not None:
        raise CategoryError("name", f'"{name}" already exists here')


def _get(session: Session, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise CategoryError("category", "That category no longer exists")
    return category


def create_category(
    session: Session, name: str, parent_id: int | None = None, kind: str | None = None
) -> int:
    """Add a category; a sub-category takes its parent's kind. Returns the new id."""
    name = _clean_name(name)
    if parent_id is not None:
        kind = _get(session, parent_id).kind
    kind = kind or "expense"
    if kind not in CATEGORY_KINDS:
        raise CategoryError("kind", f"Kind must be one of {', '.join(CATEGORY_KINDS)}")
    _check_unique(session, name, parent_id)
    category = Category(name=name, parent_id=parent_id, kind=kind, color=_next_color(session))
    session.add(category)
    session.flush()
    return category.id


def rename_category(session: Session, category_id: int, name: str) -> None:
    """Give a category a new name, unique among its siblings."""
    category = _get(session, category_id)
    name = _clean_name(name)
    _check_unique(session, name, category.parent_id, exclude=category_id)
    category.name = name
    session.flush()


def move_category(session: Session, category_id: int, new_parent_id: int | None) -> None:
    """Put a category (with its sub-tree) under another parent, or at the top with None.

    Refuses a move under the category itself or one of its descendants. The moved sub-tree
    takes the kind of its new parent.
    """
    category = _get(session, category_id)
    if new_parent_id is not None:
        if new_parent_id in subtree_ids(session, category_id):
            raise CategoryError(
                "parent", "A category cannot move under itself or one of its own sub-categories"
            )
        kind = _get(session, new_parent_id).kind
    else:
        kind = category.kind
    _check_unique(session, category.name, new_parent_id, exclude=category_id)
    category.parent_id = new_parent_id
    session.flush()
    if kind != category.kind:
        ids = subtree_ids(session, category_id)
        session.execute(update(Category).where(Category.id.in_(ids)).values(kind=kind))
    session.expire_all()


def _reassign(session: Session, source_id: int, target_id: int | None) -> None:
    """Point transactions, split lines and rules of `source_id` at `target_id`."""
    session.execute(
        update(Transaction)
        .where(Transaction.category_id == source_id)
        .values(category_id=target_id)
    )
    session.execute(
        update(Split).where(Split.category_id == source_id).values(category_id=target_id)
    )
    session.execute(
        update(Rule).where(Rule.set_category_id == source_id).values(set_category_id=target_id)
    )


def usage(session: Session, category_id: int) -> int:
    """How many transactions and split lines are booked directly on the category."""
    direct = session.scalar(
        select(func.count()).select_from(Transaction).where(Transaction.category_id == category_id)
    )
    split = session.scalar(
        select(func.count()).select_from(Split).where(Split.category_id == category_id)
    )
    return (direct or 0) + (split or 0)


def merge_category(session: Session, source_id: int, target_id: int) -> None:
    """Move everything of `source_id` (transactions, split lines, sub-categories, budgets,
    rules) into `target_id` and delete `source_id`, in one database transaction."""
    if source_id == target_id:
        raise CategoryError("target", "Choose another category to merge into")
    source = _get(session, source_id)
    target = _get(session, target_id)
    if target_id in subtree_ids(session, source_id):
        raise CategoryError("target", "A category cannot merge into one of its own sub-categories")
    children = list(session.scalars(select(Category).where(Category.parent_id == source_id)))
    for child in children:
        _check_unique(session, child.name, target_id)
    _reassign(session, source_id, target_id)
    for child in children:
        child.parent_id = target_id
        moved = subtree_ids(session, child.id)
        session.execute(update(Category).where(Category.id.in_(moved)).values(kind=target.kind))
    _merge_budgets(session, source_id, target_id)
    session.flush()
    session.delete(source)
    session.flush()
    session.expire_all()


def _merge_budgets(session: Session, source_id: int, target_id: int) -> None:
    """Add the source's budgeted amounts to the target's, month by month."""
    targets = {
        b.month: b for b in session.scalars(select(Budget).where(Budget.category_id == target_id))
    }
    for budget in session.scalars(select(Budget).where(Budget.category_id == source_id)).all():
        existing = targets.get(budget.month)
        if existing:
            existing.amount += budget.amount
            session.delete(budget)
        else:
            budget.category_id = target_id
    session.flush()


def delete_category(session: Session, category_id: int, move_to: int | None = None) -> None:
    """Delete a category without sub-categories; its transactions and split lines go to
    `move_to` (another category) or become uncategorized when it is None."""
    category = _get(session, category_id)
    if session.scalar(select(Category.id).where(Category.parent_id == category_id).limit(1)):
        raise CategoryError("category", "Move or delete its sub-categories first")
    if move_to == category_id:
        raise CategoryError("move_to", "Choose another category for its transactions")
    if move_to is not None:
        _get(session, move_to)
    _reassign(session, category_id, move_to)
    session.delete(category)
    session.flush()
    session.expire_all()


def ensure_default_tree(session: Session) -> bool:
    """Create the default category tree when there are no categories yet. True if created."""
    if session.scalar(select(Category.id).limit(1)) is not None:
        return False
    for name, kind, children in DEFAULT_TREE:
        parent_id = create_category(session, name, kind=kind)
        for child in children:
            create_category(session, child, parent_id=parent_id)
    return True


def tree_totals(
    session: Session, start: dt.date | None, end: dt.date | None
) -> list[CategoryTotal]:
    """Every category with its own sum and its rolled-up sum (with descendants) for a period.

    Dates are inclusive; None leaves that side open. Split lines count in their own
    categories; transfers are excluded. Sums are in minor units, mixed currencies added as
    stored (one currency is the common case).
    """
    direct = select(Transaction.category_id.label("category_id"), Transaction.amount).where(
        Transaction.transfer_id.is_(None),
        Transaction.is_split.is_(False),
        Transaction.category_id.is_not(None),
    )
    split = (
        select(Split.category_id.label("category_id"), Split.amount)
        .join(Transaction, Transaction.id == Split.transaction_id)
        .where(Transaction.transfer_id.is_(None), Split.category_id.is_not(None))
    )
    if start is not None:
        direct = direct.where(Transaction.date >= start)
        split = split.where(Transaction.date >= start)
    if end is not None:
        direct = direct.where(Transaction.date <= end)
        split = split.where(Transaction.date <= end)
    lines = direct.union_all(split).subquery()
    own = dict(
        session.execute(
            select(lines.c.category_id, func.sum(lines.c.amount)).group_by(lines.c.category_id)
        ).all()
    )
    tree = options(session)
    totals = {option.id: int(own.get(option.id) or 0) for option in tree}
    # Tree order puts parents first: walking it backwards adds every child before its parent.
    for option in reversed(tree):
        if option.parent_id is not None:
            totals[option.parent_id] += totals[option.id]
    return [CategoryTotal(**vars(o), own=int(own.get(o.id) or 0), total=totals[o.id]) for o in tree]
