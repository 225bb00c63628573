"""Categories: a tree of any depth, each expense or income, with a stable color."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fintrack import words
from fintrack.errors import InputError
from fintrack.models import CATEGORY_KINDS, Budget, Category, Rule, Split, Transaction

SEPARATOR = " › "
UNCATEGORIZED_COLOR = "#9E9E9E"
NAME_MAX = 120
MAX_DEPTH = 10

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


class KindChangeError(CategoryError):
    """A move or a change that would change the kind of a sub-tree; the person has to agree
    first. Without `children`, the message is about a move."""

    def __init__(self, name: str, old: str, new: str, children: int | None = None) -> None:
        if children is None:
            super().__init__(
                "parent",
                f"Moving {name} there makes it and its sub-categories {new} instead of {old}; "
                "confirm to change their kind",
            )
        else:
            subject = (
                f"{name} and its {words.count(children, 'sub-category', 'sub-categories')} become"
                if children
                else f"{name} becomes"
            )
            super().__init__(
                "kind",
                f"{subject} {new} instead of {old}: what is booked on "
                f"{'them' if children else 'it'} counts as {new} in reports and budgets",
            )
        self.old, self.new = old, new


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


def category_color(category_id: int | None, color: str | None) -> str:
    """The category's own color, or a stable palette color chosen by its id."""
    if color:
        return color
    if category_id is None:
        return UNCATEGORIZED_COLOR
    return PALETTE[category_id % len(PALETTE)]


class CategoryTree:
    """The category tree, read whole once (a small table): paths, ancestors and roll-ups.

    `nodes` is in tree order: parents before their children, top-level categories by kind,
    siblings by name. A cycle (only a damaged database has one) is never reached from the top:
    its categories are left out of `nodes` (every walk ends) but kept in `by_id`.
    """

    def __init__(self, rows: Iterable[Any]) -> None:
        rows = list(rows)
        children: dict[int | None, list[Any]] = {}
        for row in rows:
            children.setdefault(row.parent_id, []).append(row)
        self.nodes: list[CategoryOption] = []
        # An explicit stack instead of recursion: any depth.
        stack: list[tuple[Any, str, int]] = [(row, "", 0) for row in _sorted(children, None, 0)]
        stack.reverse()
        while stack:
            row, prefix, depth = stack.pop()
            path = f"{prefix}{SEPARATOR}{row.name}" if prefix else row.name
            self.nodes.append(
                CategoryOption(row.id, row.name, path, row.kind, row.color, depth, row.parent_id)
            )
            stack.extend((c, path, depth + 1) for c in reversed(_sorted(children, row.id, 1)))
        self.by_id = {node.id: node for node in self.nodes}
        self._children: dict[int | None, list[int]] = defaultdict(list)
        for node in self.nodes:
            self._children[node.parent_id].append(node.id)
        for row in rows:
            # Only a cycle's categories are unreached: still named, so no sum is lost.
            if row.id not in self.by_id:
                self.by_id[row.id] = CategoryOption(
                    row.id, row.name, row.name, row.kind, row.color, 0, row.parent_id
                )

    @classmethod
    def load(cls, session: Session) -> CategoryTree:
        """Read every category (one query)."""
        return cls(
            session.execute(
                select(
                    Category.id, Category.name, Category.kind, Category.color, Category.parent_id
                )
            )
        )

    def __contains__(self, category_id: object) -> bool:
        return category_id in self.by_id

    def ancestors(self, category_id: int) -> list[int]:
        """The category itself, then its parent, up to its top-level category."""
        chain = [category_id]
        while (node := self.by_id.get(chain[-1])) is not None and node.parent_id is not None:
            if node.parent_id in chain:
                break
            chain.append(node.parent_id)
        return chain

    def path(self, category_id: int) -> str:
        """The full name, top-level first ("Food › Groceries")."""
        return self.by_id[category_id].path

    def paths(self) -> dict[int, str]:
        """Every category's full name by id."""
        return {node.id: node.path for node in self.nodes}

    def color(self, category_id: int) -> str:
        return category_color(category_id, self.by_id[category_id].color)

    def children(self, parent_id: int | None) -> list[int]:
        """The direct sub-categories (or the top-level categories for None), in tree order."""
        return self._children.get(parent_id, [])

    def rollup(self, own: Mapping[int, int]) -> dict[int, int]:
        """Totals per category: each category's own amount added to it and all its ancestors."""
        totals: dict[int, int] = defaultdict(int)
        for category_id, amount in own.items():
            for ancestor in self.ancestors(category_id):
                totals[ancestor] += amount
        return dict(totals)


def subtree_ids(session: Session, category_id: int) -> list[int]:
    """The category and all its descendants (recursive CTE in SQL)."""
    tree = select(Category.id).where(Category.id == category_id).cte("subtree", recursive=True)
    # UNION, not UNION ALL: a cycle (from a damaged database) then ends instead of growing.
    tree = tree.union(select(Category.id).where(Category.parent_id == tree.c.id))
    return list(session.scalars(select(tree.c.id)))


def options(session: Session) -> list[CategoryOption]:
    """Every category in tree order (parents before children, siblings by name)."""
    return CategoryTree.load(session).nodes


def _sorted(children: dict[int | None, list[Any]], parent_id: int | None, depth: int) -> list[Any]:
    """Siblings in display order: top-level by kind first, then by name."""
    return sorted(
        children.get(parent_id, []),
        key=lambda r: (CATEGORY_KINDS.index(r.kind) if depth == 0 else 0, r.name.lower()),
    )


def _next_color(session: Session) -> str:
    count = session.scalar(select(func.count()).select_from(Category)) or 0
    return PALETTE[count % len(PALETTE)]


def clean_name(name: str) -> str:
    """A category name with its spaces tidied; CategoryError when it cannot be used."""
    name = " ".join((name or "").split())
    if not name:
        raise CategoryError("name", "Give the category a name")
    if len(name) > NAME_MAX:
        raise CategoryError("name", f"Use at most {NAME_MAX} characters")
    if SEPARATOR.strip() in name:
        mark = SEPARATOR.strip()
        raise CategoryError("name", f'A name cannot contain "{mark}": it separates the levels')
    return name


def depth_of(session: Session, category_id: int | None) -> int:
    """How many levels there are above a category's children (0 for the top)."""
    if category_id is None:
        return 0
    return len(CategoryTree.load(session).ancestors(category_id))


def _height(session: Session, category_id: int) -> int:
    """Levels of the sub-tree under a category, itself included."""
    tree = CategoryTree.load(session)
    height, level, seen = 0, [category_id], set()
    while level:
        height += 1
        seen.update(level)
        level = [c for i in level for c in tree.children(i) if c not in seen]
    return height


def _check_depth(levels: int) -> None:
    if levels > MAX_DEPTH:
        raise CategoryError("parent", f"Categories go at most {MAX_DEPTH} levels deep")


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
    name = clean_name(name)
    if parent_id is not None:
        kind = _get(session, parent_id).kind
        _check_depth(depth_of(session, parent_id) + 1)
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
    name = clean_name(name)
    _check_unique(session, name, category.parent_id, exclude=category_id)
    category.name = name
    session.flush()


def set_color(session: Session, category_id: int, color: str) -> None:
    """Give a category another color (`#RRGGBB`), used from then on in every chart."""
    category = _get(session, category_id)
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", color.strip()):
        raise CategoryError("color", "Choose a color like #4E79A7.")
    category.color = color.strip().upper()
    session.flush()


def set_kind(session: Session, category_id: int, kind: str, confirm: bool = False) -> None:
    """Make a top-level category and its whole sub-tree expense or income.

    Sub-categories always have their parent's kind, so only a top-level category changes it.
    Its transactions then count on the other side of every report and budget: unless
    `confirm`, a KindChangeError says what changes, for the person to agree.
    """
    category = _get(session, category_id)
    if kind not in CATEGORY_KINDS:
        raise CategoryError("kind", f"Kind must be one of {', '.join(CATEGORY_KINDS)}")
    if category.parent_id is not None:
        raise CategoryError(
            "kind", "A sub-category has its parent's kind: change the top-level category's kind"
        )
    if kind == category.kind:
        return
    ids = subtree_ids(session, category_id)
    if not confirm:
        raise KindChangeError(category.name, category.kind, kind, len(ids) - 1)
    session.execute(update(Category).where(Category.id.in_(ids)).values(kind=kind))
    session.expire_all()


def move_category(
    session: Session, category_id: int, new_parent_id: int | None, change_kind: bool = False
) -> None:
    """Put a category (with its sub-tree) under another parent, or at the top with None.

    Refuses a move under the category itself or one of its descendants. A move under a
    parent of the other kind (an expense sub-tree under Income) would turn every moved
    category into that kind: it is refused unless `change_kind` says the person agreed.
    """
    category = _get(session, category_id)
    kind = category.kind
    if new_parent_id is not None:
        if new_parent_id in subtree_ids(session, category_id):
            raise CategoryError(
                "parent", "A category cannot move under itself or one of its own sub-categories"
            )
        kind = _get(session, new_parent_id).kind
        _check_depth(depth_of(session, new_parent_id) + _height(session, category_id))
    if kind != category.kind and not change_kind:
        raise KindChangeError(category.name, category.kind, kind)
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
