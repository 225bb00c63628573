"""Rules `/settings/rules`: categorize, tag and rename transactions by payee, amount, account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from nicegui import ui
from sqlalchemy.orm import Session

from components import core
from components.category_select import category_choices, category_select
from components.dialogs import confirm
from components.form import Form
from components.frame import frame
from components.money import MONEY_CELL, MoneyInput
from fintrack import categories, display, money, rules
from fintrack.accounts import AccountChoice, account_choices
from fintrack.preferences import default_currency

T = TypeVar("T")
TEST_PAGE = 50
CHANGE_COLUMNS = [
    {"name": "date", "label": "Date", "field": "date", "align": "left"},
    {"name": "account", "label": "Account", "field": "account", "align": "left"},
    {"name": "payee", "label": "Payee", "field": "payee", "align": "left"},
    {"name": "amount", "label": "Amount", "field": "amount", "align": "right"},
    {"name": "change", "label": "Would change", "field": "change", "align": "left"},
]


def _load(s: Session) -> tuple[list[rules.RuleInput], list, list[AccountChoice]]:
    return rules.list_rules(s), categories.options(s), account_choices(s, open_only=True)


def _test(s: Session, data: rules.RuleInput, offset: int) -> rules.RulePreview:
    return rules.preview_rule(s, data, limit=TEST_PAGE, offset=offset)


def _describe(
    rule: rules.RuleInput, paths: dict[int, str], accounts: dict[int, str], currency: str
) -> str:
    conditions = []
    if rule.payee_contains:
        conditions.append(f'payee contains "{rule.payee_contains}"')
    if rule.payee_regex:
        conditions.append(f"payee matches /{rule.payee_regex}/")
    if rule.amount_min is not None:
        conditions.append(f"amount ≥ {money.format_amount(rule.amount_min, currency)}")
    if rule.amount_max is not None:
        conditions.append(f"amount ≤ {money.format_amount(rule.amount_max, currency)}")
    if rule.account_id is not None:
        conditions.append(f"account is {accounts.get(rule.account_id, '?')}")
    actions = []
    if rule.set_category_id:
        actions.append(f"category {paths.get(rule.set_category_id, '?')}")
    if rule.add_tags:
        actions.append(f"tags {', '.join(rule.add_tags)}")
    if rule.rename_payee:
        actions.append(f'payee "{rule.rename_payee}"')
    return f"If {' and '.join(conditions)}: {'; '.join(actions)}"


class RulesScreen(Form[rules.RuleInput]):
    """The list of rules and the form that edits, tests and applies one."""

    def __init__(self, currency: str) -> None:
        super().__init__()
        self.editing: int | None = None
        self.offset = 0
        self.currency = currency
        self.listing = core.Panel(_load, lambda loaded: self._show(*loaded), "w-full gap-1")
        self._form()
        self.results = ui.column().classes("w-full")

    async def refresh(self) -> None:
        """Load the rules and the form's choices again."""
        await self.listing.refresh()

    def _show(
        self,
        rule_list: list[rules.RuleInput],
        options: list[categories.CategoryOption],
        account_list: list[AccountChoice],
    ) -> None:
        self.paths = {o.id: o.path for o in options}
        self.account_names = {a.id: a.name for a in account_list}
        self.account.set_options(dict(self.account_names))
        self.category.set_options(category_choices(options))
        ui.label("Rules run in order of priority, lowest number first.").classes("text-grey-7")
        if not rule_list:
            ui.label("No rules yet: describe one below.")
        for rule in rule_list:
            with ui.card().classes("w-full py-2"), ui.row().classes("w-full items-center"):
                ui.label(str(rule.priority)).classes("text-grey-7 w-8")
                with ui.column().classes("gap-0 grow"):
                    name = rule.name + ("" if rule.enabled else " (off)")
                    ui.label(name).classes("text-subtitle2")
                    ui.label(
                        _describe(rule, self.paths, self.account_names, self.currency)
                    ).classes("text-body2 text-grey-8")
                ui.button("Edit", on_click=lambda r=rule: self.edit(r)).props(
                    f'flat aria-label="Edit {rule.name}"'
                )
                ui.button("Delete", on_click=lambda r=rule: self.ask_delete(r)).props(
                    f'flat color=negative aria-label="Delete {rule.name}"'
                )

    def _form(self) -> None:
        """The form; `refresh` fills the account and category choices (one load per build)."""
        with ui.card().classes("w-full"):
            self.heading = ui.label("New rule").classes("text-subtitle1")
            with ui.row().classes("w-full gap-4"):
                self.name = ui.input("Name").classes("w-64")
                self.priority = ui.number("Priority", value=100, precision=0).classes("w-32")
                self.enabled = ui.switch("Enabled", value=True)
            ui.label("When").classes("text-subtitle2")
            with ui.row().classes("w-full gap-4"):
                self.contains = ui.input("Payee contains").classes("w-64")
                self.regex = ui.input(
                    "Payee matches pattern", validation=rules.regex_problem
                ).classes("w-64")
                # Amounts are signed as everywhere: spending 10 to 50 is -50 to -10.
                self.amount_min = (
                    MoneyInput("Amount from", currency=self.currency)
                    .props('hint="negative = money out"')
                    .classes("w-40")
                )
                self.amount_max = MoneyInput("Amount to", currency=self.currency).classes("w-40")
                self.account = ui.select({}, label="Account", clearable=True).classes("w-48")
            ui.label("Then").classes("text-subtitle2")
            with ui.row().classes("w-full gap-4"):
                self.category = category_select([], label="Set category").classes("w-64")
                self.tags = ui.input("Add tags", placeholder="comma separated").classes("w-64")
                self.rename = ui.input("Rename payee to").classes("w-64")
            self.status = ui.label().classes("text-negative").props('role="alert"')
            with ui.row().classes("gap-2"):
                self.save_button = ui.button("Save rule", icon="save", on_click=self.save)
                ui.button("Test on existing transactions", on_click=lambda: self.test(0)).props(
                    "outline"
                )
                ui.button("Apply to existing transactions", on_click=self.ask_apply).props(
                    "outline"
                )
                ui.button("New rule", on_click=self.clear).props("flat")

        self.fields = {
            "name": self.name,
            "priority": self.priority,
            "payee_contains": self.contains,
            "payee_regex": self.regex,
            "amount_min": self.amount_min,
            "amount_max": self.amount_max,
            "account_id": self.account,
            "set_category_id": self.category,
            "add_tags": self.tags,
            "rename_payee": self.rename,
        }

    def data(self) -> rules.RuleInput:
        """The form as a rule."""
        return rules.RuleInput(
            name=self.name.value or "",
            priority=self.whole_at("priority") or 0,
            enabled=bool(self.enabled.value),
            payee_contains=self.contains.value or None,
            payee_regex=self.regex.value or None,
            amount_min=self.amount_at("amount_min"),
            amount_max=self.amount_at("amount_max"),
            account_id=self.account.value,
            set_category_id=self.category.value,
            add_tags=(self.tags.value or "").split(","),
            rename_payee=self.rename.value or None,
            id=self.editing,
        )

    async def submit(self, fn: Callable[..., T], *args: Any, **options: Any) -> core.Done[T] | None:
        """A change from the form: a refusal shows next to its field and, as the form is long,
        under it too, next to the buttons."""
        done = await super().submit(fn, *args, **options)
        if done is None and self.status is not None and not self.status.text:
            self.status.text = next((e.error for e in self.fields.values() if e.error), "")
        return done

    def edit(self, rule: rules.RuleInput) -> None:
        self.editing = rule.id
        self.heading.text = f"Edit rule “{rule.name}”"
        currency = self.currency
        self.name.value = rule.name
        self.priority.value = rule.priority
        self.enabled.value = rule.enabled
        self.contains.value = rule.payee_contains or ""
        self.regex.value = rule.payee_regex or ""
        for field, value in (
            (self.amount_min, rule.amount_min),
            (self.amount_max, rule.amount_max),
        ):
            field.value = money.format_input(value, currency) if value is not None else ""
        self.account.value = rule.account_id
        self.category.value = rule.set_category_id
        self.tags.value = ", ".join(rule.add_tags)
        self.rename.value = rule.rename_payee or ""
        self.results.clear()

    def clear(self) -> None:
        self.edit(rules.RuleInput(name=""))
        self.editing = None
        self.heading.text = "New rule"
        self.priority.value = 100

    async def save(self) -> None:
        data = self.read()
        if data is None:
            return
        saved = await self.submit(rules.save_rule, data)
        if saved is None:
            return
        self.editing = saved.value
        ui.notify(f"Saved rule “{data.name.strip()}”.", type="positive")
        self.heading.text = f"Edit rule “{data.name.strip()}”"
        await self.refresh()

    async def test(self, offset: int = 0) -> None:
        data = self.read()
        if data is None:
            return
        result = await self.submit(_test, data, offset)
        if result is None:
            return
        self.offset = offset
        self._show_test(result.value)

    def _show_test(self, result: rules.RulePreview) -> None:
        self.results.clear()
        with self.results, ui.card().classes("w-full"):
            if not result.total:
                ui.label("This rule would change no existing transaction.")
                return
            last = self.offset + len(result.changes)
            ui.label(
                f"This rule would change {result.total} transactions "
                f"(showing {self.offset + 1}–{last})."
            )
            rows = [
                {
                    "id": c.id,
                    "date": display.date(c.date),
                    "account": c.account,
                    "payee": c.payee,
                    "amount": money.format_amount(c.amount, c.currency),
                    "change": _change_text(c),
                }
                for c in result.changes
            ]
            table = ui.table(columns=CHANGE_COLUMNS, rows=rows, row_key="id").classes("w-full")
            table.add_slot("body-cell-amount", MONEY_CELL)
            with ui.row():
                if self.offset:
                    ui.button(
                        "Previous", on_click=lambda: self.test(max(0, self.offset - TEST_PAGE))
                    ).props("flat")
                if last < result.total:
                    ui.button("Next", on_click=lambda: self.test(last)).props("flat")

    async def ask_apply(self) -> None:
        data = self.read()
        if data is None:
            return
        tested = await self.submit(_test, data, 0)
        if tested is None:
            return
        result = tested.value
        if not result.total:
            self.results.clear()
            with self.results:
                ui.label("This rule would change no existing transaction.")
            return
        confirm(
            f"Apply “{data.name or 'this rule'}”?",
            f"This changes the category, payee or tags of {result.total} existing "
            "transactions. It cannot be undone in one step.",
            "Apply",
            lambda: self._apply(data),
        )

    async def _apply(self, data: rules.RuleInput) -> None:
        changed = await self.submit(rules.apply_rule, data)
        if changed is None:
            return
        self.results.clear()
        with self.results:
            ui.label(f"Changed {changed.value} transactions.").classes("text-positive")

    def ask_delete(self, rule: rules.RuleInput) -> None:
        async def delete() -> None:
            if await core.change(rules.delete_rule, rule.id, what="delete") is None:
                return
            if self.editing == rule.id:
                self.clear()
            await self.refresh()

        confirm(
            f"Delete the rule “{rule.name}”?",
            "The rule goes; transactions it already changed keep their category, payee and tags.",
            "Delete",
            delete,
        )


def _change_text(change: rules.Change) -> str:
    parts = []
    if change.new_category:
        parts.append(f"category {change.category or '(none)'} → {change.new_category}")
    if change.new_payee:
        parts.append(f"payee → {change.new_payee}")
    if change.new_tags:
        parts.append(f"add tags {', '.join(change.new_tags)}")
    return "; ".join(parts)


class RulesPage:
    """`/settings/rules`: the rules screen, reached from Settings."""

    def __init__(self) -> None:
        with frame("Rules", "/settings"):
            ui.link("← Settings", "/settings").classes("text-primary")
            core.Panel(default_currency, RulesScreen)
