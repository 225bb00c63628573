"""Import `/import`: upload a bank file, check and edit the preview, import it in one go;
the history of imports below, each with Undo."""

from __future__ import annotations

from dataclasses import dataclass, field

from nicegui import app, events, ui
from sqlalchemy.orm import Session

from components import core
from components.category_select import category_select
from components.frame import frame
from components.money import MONEY_CELL, default_currency
from components.progress import Progress
from components.upload import file_upload
from fintrack import categories, imports, money, search, words
from fintrack.categories import CategoryOption
from fintrack.imports import csv_format, history
from pages.import_history import HISTORY_LIMIT, HistoryCard
from pages.import_mapping import MappingCard

TABLE_LIMIT = 1000
ERROR_LIMIT = 100
STATUS_LABELS = {
    "new": "New",
    "duplicate": "Duplicate",
    "possible": "Possible duplicate",
    "match": "Matches",
    "excluded": "Left out",
}
ROW_COLUMNS = [
    {"name": "line", "label": "Line", "field": "line", "align": "right"},
    {"name": "date", "label": "Date", "field": "date", "align": "left"},
    {"name": "payee", "label": "Payee", "field": "payee", "align": "left"},
    {"name": "memo", "label": "Memo", "field": "memo", "align": "left"},
    {"name": "amount", "label": "Amount", "field": "amount", "align": "right"},
    {"name": "category", "label": "Category", "field": "category", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "twin", "label": "Already in the account", "field": "twin", "align": "left"},
    {"name": "reason", "label": "Note", "field": "reason", "align": "left"},
]
NEW_ACCOUNT = "new"
EXISTING_ACCOUNT = "existing"


def _settings_limit() -> int:
    settings = getattr(app.state, "settings", None)
    return getattr(settings, "max_upload_mb", 20)


def _accounts(s: Session) -> dict[int, search.AccountChoice]:
    return {a.id: a for a in search.account_choices(s, open_only=True)}


@dataclass
class Start:
    """What the page needs before it can be shown, read off the event loop."""

    accounts: dict[int, search.AccountChoice]
    options: list[CategoryOption]
    currency: str
    last_account: int | None
    batches: list[history.BatchInfo]


def _start(s: Session) -> Start:
    batches = history.list_batches(s, limit=HISTORY_LIMIT)
    return Start(
        _accounts(s),
        categories.options(s),
        # The stored preference (Settings), else the setting: read once per page build.
        default_currency(s),
        next((b.account_id for b in batches if b.undone_at is None), None),
        batches,
    )


@dataclass
class Upload:
    """What the person uploaded and decided so far (lines are the rows' file lines)."""

    data: bytes = b""
    filename: str = ""
    mapping: csv_format.CsvMapping | None = None
    excluded: set[int] = field(default_factory=set)
    as_new: set[int] = field(default_factory=set)
    keep: set[int] = field(default_factory=set)
    payees: dict[int, str] = field(default_factory=dict)
    categories: dict[int, int | None] = field(default_factory=dict)

    def choices(self, skip_errors: bool = False) -> imports.Choices:
        """The decisions as the core takes them."""
        return imports.Choices(
            frozenset(self.excluded),
            frozenset(self.as_new),
            skip_errors,
            frozenset(self.keep),
            payees=dict(self.payees),
            categories=dict(self.categories),
        )


def _analyse(s: Session, upload: Upload, target: int | str, currency: str) -> tuple:
    """Read and plan off the event loop; returns (parsed, plan) or raises ImportFileError.

    Nothing is written: a new account only comes into being when the import is committed,
    in the file's currency when the file states one.
    """
    profile = None
    if isinstance(target, int) and not upload.mapping:
        profile = imports.csv_profile(s, target)
    parsed = imports.read(
        upload.data,
        upload.filename,
        currency,
        profile=profile,
        mapping=upload.mapping,
        max_mb=_settings_limit(),
    )
    account_id = imports.resolve_account(s, target, parsed.currency or currency)
    result = parsed, imports.plan(s, account_id, parsed, upload.choices())
    s.rollback()
    return result


def _commit(
    s: Session,
    upload: Upload,
    target: int | str,
    currency: str,
    parsed: imports.ParsedFile,
    skip_errors: bool,
    progress: Progress,
) -> tuple[int, imports.Summary]:
    def report(done: int, total: int) -> None:
        progress.fraction = done / total if total else 1.0

    account_id = imports.resolve_account(s, target, parsed.currency or currency)
    summary = imports.commit(
        s, account_id, parsed, upload.filename, upload.choices(skip_errors), report
    )
    if upload.mapping is not None and parsed.mapping is not None:
        imports.save_profile(s, account_id, parsed.mapping)
    progress.fraction = 1.0
    return account_id, summary


class ImportScreen:
    """The page's widgets and the steps between them."""

    def __init__(self, start: Start, requested: int | None) -> None:
        self.upload = Upload()
        self.parsed: imports.ParsedFile | None = None
        self.plan: imports.Plan | None = None
        self.progress = Progress()
        self.busy = False
        self.target: int | str | None = None
        self.default_code = start.currency
        self.currency_code = self.default_code
        self.accounts = start.accounts
        self.options = start.options
        self.paths = {option.id: option.path for option in start.options}
        # The account the person came from, else the one last imported into.
        chosen = next(
            (i for i in (requested, start.last_account) if i in self.accounts),
            next(iter(self.accounts), None),
        )
        self._build(chosen)
        self.history.show(start.batches)

    def _build(self, chosen: int | None) -> None:
        with ui.card().classes("w-full"):
            ui.label("1. Choose the account and the file").classes("text-subtitle1")
            self.mode = ui.radio(
                {EXISTING_ACCOUNT: "An existing account", NEW_ACCOUNT: "A new account"},
                value=EXISTING_ACCOUNT if self.accounts else NEW_ACCOUNT,
                on_change=self._mode_changed,
            ).props("inline")
            with ui.row().classes("w-full items-start gap-4"):
                self.account = ui.select(
                    {a.id: f"{a.name} ({a.currency})" for a in self.accounts.values()},
                    label="Account",
                    value=chosen,
                    on_change=self._account_changed,
                ).classes("w-64")
                self.new_account = (
                    ui.input("New account name", placeholder="e.g. Main checking")
                    .classes("w-64")
                    .on("blur", self._account_changed)
                )
                self.currency = ui.input(
                    "Currency (unless the file states one)", value=self.default_code
                ).classes("w-64")
            self._mode_changed()
            limit = _settings_limit()
            ui.label(
                "CSV, Excel (.xlsx), OFX, QFX, QIF, camt.053/052 (XML) or MT940 exported by "
                f"your bank, up to {limit} MB. Rows already imported are recognised and skipped."
            ).classes("text-grey-7")
            self.uploader = (
                file_upload(
                    "Bank file",
                    auto_upload=True,
                    max_file_size=limit * 1024 * 1024,
                    on_upload=self._received,
                    on_rejected=lambda: self._fail(f"The file is larger than {limit} MB."),
                )
                .props('accept=".csv,.tsv,.txt,.xlsx,.ofx,.qfx,.qif,.xml,.sta,.mt940,.swi"')
                .classes("w-full max-w-xl")
            )
            self.message = ui.label().classes("text-negative").props('role="alert"')
            self.working = ui.linear_progress(show_value=False).props("indeterminate")
            self.working.visible = False
            self.bar = (
                ui.linear_progress(value=0, show_value=False)
                .props('aria-label="Import progress"')
                .classes("w-full")
            )
            self.bar.visible = False
        self.mapping = MappingCard(self._apply_mapping)
        self.preview_card = ui.card().classes("w-full")
        self.preview_card.visible = False
        self.result = ui.column().classes("w-full")
        self.history = HistoryCard()

    # -- steps -------------------------------------------------------------------------

    def _fail(self, text: str) -> None:
        self.message.text = text
        self.working.visible = False

    def _mode_changed(self) -> None:
        new = self.mode.value == NEW_ACCOUNT
        self.account.visible = not new
        self.new_account.visible = self.currency.visible = new
        if self.upload.data and not self.busy:
            ui.timer(0, self._analyse, once=True)

    def _target(self) -> tuple[int | str | None, str]:
        if self.mode.value == NEW_ACCOUNT:
            name = (self.new_account.value or "").strip()
            return name or None, (self.currency.value or self.default_code).strip().upper()
        account = self.accounts.get(self.account.value)
        return (account.id, account.currency) if account else (None, self.default_code)

    async def _received(self, event: events.UploadEventArguments) -> None:
        self.upload = Upload(await event.file.read(), event.file.name)
        self.result.clear()
        self.bar.visible = False
        await self._analyse()

    async def _account_changed(self) -> None:
        if self.upload.data and not self.busy:
            await self._analyse()

    async def _analyse(self) -> None:
        target, currency = self._target()
        if target is None:
            self._fail(
                "Name the new account first."
                if self.mode.value == NEW_ACCOUNT
                else "Choose the account to import into."
            )
            return
        if len(currency) != 3 or not currency.isalpha():
            self._fail("A currency is a three-letter code such as EUR or USD.")
            return
        self.message.text = ""
        self.working.visible = True
        self.target, self.currency_code = target, currency
        try:
            self.parsed, self.plan = await core.call(
                _analyse, self.upload, target, currency, patience=None
            )
        except Exception as error:
            self.parsed = self.plan = None
            self.preview_card.visible = False
            if not isinstance(error, imports.ImportFileError):
                self.mapping.hide()
                self._fail(core.report("read the file", error))
                return
            self._fail(f"{self.upload.filename}: {error}")
            if error.parsed is not None and error.parsed.mapping is not None:
                self.mapping.show(error.parsed, unsure=True)
            else:
                self.mapping.hide()
            return
        self.working.visible = False
        if self.parsed.mapping is not None:
            # Open while the person is correcting it or detection is unsure.
            unsure = bool(self.parsed.doubts) or self.upload.mapping is not None
            self.mapping.show(self.parsed, unsure)
        else:
            self.mapping.hide()
        self._show_preview()

    async def _apply_mapping(self, mapping: csv_format.CsvMapping) -> None:
        self.upload.mapping = mapping
        # A new reading gives rows other payees: earlier edits no longer apply.
        self.upload.payees.clear()
        await self._analyse()

    # -- preview -----------------------------------------------------------------------

    def _row(self, planned: imports.PlannedRow) -> dict:
        row, twin, currency = planned.row, planned.twin, self.plan.currency
        return {
            "line": row.line,
            "date": row.date.isoformat(),
            "payee": planned.payee or row.payee,
            "memo": row.memo or "",
            "amount": money.format_amount(row.amount, currency),
            "category": self.paths.get(planned.category_id, ""),
            "status": STATUS_LABELS[planned.status],
            "twin": f"{twin.date.isoformat()} {twin.payee or '(no payee)'}" if twin else "",
            "reason": planned.reason,
        }

    def _show_preview(self) -> None:
        plan = self.plan
        self.preview_card.clear()
        self.preview_card.visible = True
        counts = {status: plan.count(status) for status in STATUS_LABELS}
        with self.preview_card:
            ui.label("3. Preview").classes("text-subtitle1")
            with ui.row().classes("gap-6"):
                ui.label(f"New: {counts['new']}").classes("text-positive")
                ui.label(f"Duplicates: {counts['duplicate']}")
                ui.label(f"Possible duplicates: {counts['possible']}").classes(
                    "text-warning" if counts["possible"] else ""
                )
                ui.label(f"Matches: {counts['match']}")
                ui.label(f"Errors: {len(plan.errors)}").classes(
                    "text-negative" if plan.errors else ""
                )
                if counts["excluded"]:
                    ui.label(f"Left out: {counts['excluded']}")
            if counts["possible"]:
                ui.label(
                    "Possible duplicates: the account already holds the same amount within a "
                    "few days (shown beside each). They are skipped unless you keep them."
                ).classes("text-warning text-body2")
            if self.parsed.balance_lines:
                lines = ", ".join(str(n) for n in self.parsed.balance_lines[:10])
                ui.label(f"Balance lines, not transactions: line {lines}").classes(
                    "text-grey-7 text-body2"
                )
            if plan.errors:
                with ui.column().classes("gap-0"):
                    for problem in plan.errors[:ERROR_LIMIT]:
                        ui.label(str(problem)).classes("text-negative text-body2")
                    if len(plan.errors) > ERROR_LIMIT:
                        ui.label(f"… and {len(plan.errors) - ERROR_LIMIT} more")
            # Rows that need a decision first, then new ones; duplicates (with reasons) last.
            order = {"possible": 0, "match": 1, "new": 2, "excluded": 3, "duplicate": 4}
            ordered = sorted(plan.rows, key=lambda p: order[p.status])
            shown = ordered[:TABLE_LIMIT]
            if len(ordered) > TABLE_LIMIT:
                ui.label(f"Showing the first {TABLE_LIMIT} of {len(ordered)} rows.")
            self.table = ui.table(
                columns=ROW_COLUMNS,
                rows=[self._row(p) for p in shown],
                row_key="line",
                selection="multiple",
                pagination=25,
            ).classes("w-full")
            self.table.add_slot("body-cell-amount", MONEY_CELL)
            with ui.row().classes("gap-2"):
                ui.button("Edit selected", icon="edit", on_click=self._edit).props("outline")
                ui.button("Keep selected duplicates", on_click=self._keep).props("outline")
                ui.button("Leave out selected", on_click=self._leave_out).props("outline")
                ui.button("Put back selected", on_click=self._put_back).props("outline")
                ui.button("Import selected matches as new", on_click=self._as_new).props("outline")
            self.skip_errors = ui.checkbox(
                f"Skip the {words.count(len(plan.errors), 'row')} with errors", value=False
            )
            self.skip_errors.visible = bool(plan.errors)
            total = counts["new"] + counts["match"]
            self.import_button = ui.button(
                f"Import {total} into {plan.account}", icon="download_done", on_click=self._import
            )
            if total == 0:
                self.import_button.disable()

    def _selected_lines(self) -> set[int]:
        return {row["line"] for row in self.table.selected}

    async def _keep(self) -> None:
        self.upload.keep |= self._selected_lines()
        self.upload.excluded -= self._selected_lines()
        await self._analyse()

    async def _leave_out(self) -> None:
        self.upload.excluded |= self._selected_lines()
        await self._analyse()

    async def _put_back(self) -> None:
        lines = self._selected_lines()
        self.upload.excluded -= lines
        self.upload.as_new -= lines
        self.upload.keep -= lines
        for line in lines:
            self.upload.payees.pop(line, None)
            self.upload.categories.pop(line, None)
        await self._analyse()

    async def _as_new(self) -> None:
        self.upload.as_new |= self._selected_lines()
        await self._analyse()

    def _edit(self) -> None:
        """Set the payee and/or category of the selected rows."""
        lines = self._selected_lines()
        if not lines:
            ui.notify("Select the rows to edit first.")
            return
        first = next(r for r in self.table.selected)
        with ui.dialog() as dialog, ui.card().classes("w-96 max-w-full"):
            ui.label(f"Edit {words.count(len(lines), 'row')}").classes("text-h6")
            payee = ui.input("Payee", value=first["payee"] if len(lines) == 1 else "")
            category = category_select(self.options, label="Category")
            ui.label("Empty fields leave the rows as they are.").classes("text-grey-7")

            async def save() -> None:
                for line in lines:
                    if (payee.value or "").strip():
                        self.upload.payees[line] = payee.value
                    if category.value is not None:
                        self.upload.categories[line] = category.value
                dialog.close()
                await self._analyse()

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Apply", on_click=save)
        dialog.open()

    async def _import(self) -> None:
        if self.busy or self.parsed is None:
            return
        if self.plan.errors and not self.skip_errors.value:
            self.message.text = (
                f"{words.count(len(self.plan.errors), 'row')} cannot be read: fix the file, "
                "or tick “Skip the rows with errors”."
            )
            return
        self.busy = True
        self.import_button.disable()
        self.bar.visible = True
        self.progress.fraction = 0.0
        timer = ui.timer(0.2, lambda: self.bar.set_value(self.progress.fraction))
        try:
            account_id, summary = await core.call(
                _commit,
                self.upload,
                self.target,
                self.currency_code,
                self.parsed,
                bool(self.skip_errors.value),
                self.progress,
                patience=None,
            )
        except Exception as error:
            # Nothing was written (one transaction); the person can try again.
            self.message.text = (
                str(error)
                if isinstance(error, imports.ImportFileError)
                else f"{core.report('import', error)} Nothing was imported."
            )
            self.bar.visible = False
            self.import_button.enable()
            return
        finally:
            timer.cancel()
            self.busy = False
        self.bar.set_value(1.0)
        self.preview_card.visible = False
        self.mapping.hide()
        self.upload = Upload()
        self.uploader.reset()
        self.result.clear()
        with self.result, ui.card().classes("w-full"):
            ui.label(f"Imported into {summary}.").classes("text-positive text-subtitle1")
            if summary.balance_check:
                ui.label(summary.balance_check.capitalize() + ".").classes("text-body1")
            for problem in summary.errors[:ERROR_LIMIT]:
                ui.label(f"Skipped {problem}").classes("text-body2")
            ui.link("See the transactions", f"/transactions?account={account_id}").classes(
                "text-primary"
            )
        reloaded = await core.load(_start)
        if reloaded is None:
            return
        start = reloaded.value
        self.accounts = start.accounts
        self.account.set_options(
            {a.id: f"{a.name} ({a.currency})" for a in self.accounts.values()}, value=account_id
        )
        self.mode.value = EXISTING_ACCOUNT
        self.new_account.value = ""
        self.history.show(start.batches)


class ImportPage:
    """`/import?account=ID`: the import screen, for the account the person came from."""

    def __init__(self, account: int | None = None) -> None:
        with frame("Import", "/import"):
            core.Panel(_start, lambda start: ImportScreen(start, account))
