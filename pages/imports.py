"""Import `/import`: upload a bank file, check the preview, then import it in one go."""

from __future__ import annotations

from dataclasses import dataclass, field

from nicegui import app, events, ui
from sqlalchemy.orm import Session

from components import core
from components.frame import frame
from components.money import MONEY_CELL, default_currency
from fintrack import categories, imports, money, search
from fintrack.imports import csv_format

TABLE_LIMIT = 1000
ERROR_LIMIT = 100
STATUS_LABELS = {
    "new": "New",
    "duplicate": "Duplicate",
    "match": "Matches",
    "excluded": "Left out",
}
ROW_COLUMNS = [
    {"name": "line", "label": "Line", "field": "line", "align": "right"},
    {"name": "date", "label": "Date", "field": "date", "align": "left"},
    {"name": "payee", "label": "Payee", "field": "payee", "align": "left"},
    {"name": "amount", "label": "Amount", "field": "amount", "align": "right"},
    {"name": "category", "label": "Category", "field": "category", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "reason", "label": "Note", "field": "reason", "align": "left"},
]


def _settings_limit() -> int:
    settings = getattr(app.state, "settings", None)
    return getattr(settings, "max_upload_mb", 20)


def _accounts(s: Session) -> dict[int, search.AccountChoice]:
    return {a.id: a for a in search.account_choices(s, open_only=True)}


@dataclass
class _Start:
    """What the page needs before a file comes."""

    currency: str
    accounts: dict[int, search.AccountChoice]
    paths: dict[int, str]


def _start(s: Session) -> _Start:
    return _Start(
        # The stored preference (Settings), else the setting: read once per page build.
        currency=default_currency(s),
        accounts=_accounts(s),
        paths={option.id: option.path for option in categories.options(s)},
    )


@dataclass
class Upload:
    """What the person uploaded and decided so far."""

    data: bytes = b""
    filename: str = ""
    mapping: csv_format.CsvMapping | None = None
    excluded: set[int] = field(default_factory=set)
    as_new: set[int] = field(default_factory=set)


def _analyse(s: Session, upload: Upload, target: int | str, currency: str) -> tuple:
    """Read and plan off the event loop; returns (parsed, plan) or raises ImportFileError.

    Nothing is written: a new account only comes into being when the import is committed.
    """
    account_id = imports.resolve_account(s, target, currency)
    profile = None if upload.mapping else imports.csv_profile(s, account_id)
    parsed = imports.read(
        upload.data,
        upload.filename,
        currency,
        profile=profile,
        mapping=upload.mapping,
        max_mb=_settings_limit(),
    )
    choices = imports.Choices(frozenset(upload.excluded), frozenset(upload.as_new))
    result = parsed, imports.plan(s, account_id, parsed, choices)
    s.rollback()
    return result


def _commit(
    s: Session,
    upload: Upload,
    target: int | str,
    currency: str,
    parsed: imports.ParsedFile,
    skip_errors: bool,
    progress: dict,
) -> tuple[int, imports.Summary]:
    def report(done: int, total: int) -> None:
        progress["value"] = done / total if total else 1.0

    account_id = imports.resolve_account(s, target, currency)
    choices = imports.Choices(
        frozenset(upload.excluded), frozenset(upload.as_new), skip_errors=skip_errors
    )
    summary = imports.commit(s, account_id, parsed, upload.filename, choices, report)
    if upload.mapping is not None and parsed.mapping is not None:
        imports.save_profile(s, account_id, parsed.mapping)
    progress["value"] = 1.0
    return account_id, summary


class ImportScreen:
    """The page's widgets and the steps between them."""

    def __init__(self, start: _Start) -> None:
        self.upload = Upload()
        self.parsed: imports.ParsedFile | None = None
        self.plan: imports.Plan | None = None
        self.progress = {"value": 0.0}
        self.busy = False
        self.guess: csv_format.CsvMapping | None = None
        self.target: int | str | None = None
        self.default_code = start.currency
        self.currency_code = self.default_code
        self.accounts = start.accounts
        self.paths = start.paths
        self._build()

    def _build(self) -> None:
        with ui.card().classes("w-full"):
            ui.label("1. Choose the account and the file").classes("text-subtitle1")
            with ui.row().classes("w-full items-start gap-4"):
                self.account = ui.select(
                    {a.id: f"{a.name} ({a.currency})" for a in self.accounts.values()},
                    label="Account",
                    value=next(iter(self.accounts), None),
                    on_change=self._account_changed,
                ).classes("w-64")
                self.new_account = (
                    ui.input("Or a new account", placeholder="e.g. Main checking")
                    .classes("w-64")
                    .on("blur", self._account_changed)
                )
                self.currency = ui.input("Currency of a new account", value=self.default_code)
                self.currency.classes("w-48")
            limit = _settings_limit()
            ui.label(
                f"CSV, OFX, QFX or QIF exported by your bank, up to {limit} MB. "
                "Rows already imported are recognised and skipped."
            ).classes("text-grey-7")
            self.uploader = (
                ui.upload(
                    label="Bank file",
                    auto_upload=True,
                    max_file_size=limit * 1024 * 1024,
                    on_upload=self._received,
                    on_rejected=lambda: self._fail(f"The file is larger than {limit} MB."),
                )
                .props('accept=".csv,.tsv,.txt,.ofx,.qfx,.qif"')
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
        self.mapping_card = ui.card().classes("w-full")
        self.mapping_card.visible = False
        self.preview_card = ui.card().classes("w-full")
        self.preview_card.visible = False
        self.result = ui.column().classes("w-full")

    # -- steps -------------------------------------------------------------------------

    def _fail(self, text: str) -> None:
        self.message.text = text
        self.working.visible = False

    def _target(self) -> tuple[int | str | None, str]:
        name = (self.new_account.value or "").strip()
        if name:
            return name, (self.currency.value or self.default_code).strip().upper()
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
            self._fail("Choose an account or name a new one first.")
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
            self.mapping_card.visible = False
            if not isinstance(error, imports.ImportFileError):
                self._fail(core.report("read the file", error))
                return
            self._fail(f"{self.upload.filename}: {error}")
            if error.parsed is not None and error.parsed.mapping is not None:
                self._show_mapping(error.parsed)
            return
        self.working.visible = False
        if self.parsed.mapping is not None:
            self._show_mapping(self.parsed)
        else:
            self.mapping_card.visible = False
        self._show_preview()

    # -- mapping -----------------------------------------------------------------------

    def _show_mapping(self, parsed: imports.ParsedFile) -> None:
        mapping: csv_format.CsvMapping = parsed.mapping
        self.guess = mapping
        self.mapping_card.clear()
        self.mapping_card.visible = True
        columns = {-1: "(none)"} | {
            i: name or f"Column {i + 1}" for i, name in enumerate(mapping.header)
        }
        # Open when detection is unsure or failed, or while the person is correcting it.
        unsure = bool(parsed.doubts) or self.parsed is None or self.upload.mapping is not None
        with (
            self.mapping_card,
            ui.expansion("2. Columns", icon="view_column", value=unsure).classes("w-full"),
        ):
            for doubt in parsed.doubts:
                ui.label(f"Please check: {doubt}.").classes("text-warning")
            self.role_selects: dict[str, ui.select] = {}
            with ui.row().classes("w-full gap-3"):
                for role in csv_format.ROLES:
                    self.role_selects[role] = ui.select(
                        columns,
                        label=csv_format.ROLE_LABELS[role],
                        value=mapping.columns.get(role, -1),
                    ).classes("w-48")
            with ui.row().classes("gap-3"):
                self.date_order = ui.select(
                    csv_format.DATE_ORDERS, label="Dates", value=mapping.date_order
                ).classes("w-64")
                self.decimal_sep = ui.select(
                    csv_format.DECIMAL_SEPARATORS,
                    label="Decimal separator",
                    value=mapping.decimal_sep,
                ).classes("w-48")
                self.flip_sign = ui.checkbox(
                    "Charges are positive in this file (flip signs)", value=mapping.flip_sign
                )
            ui.button("Apply columns", icon="refresh", on_click=self._apply_mapping).props(
                "outline"
            )
            if self.parsed is not None and self.parsed.rows:
                ui.label("The first rows, read with these columns:").classes("text-grey-7")
                rows = [self._row(p) for p in self.plan.rows[:5]] if self.plan else []
                ui.table(columns=ROW_COLUMNS[1:4], rows=rows, row_key="line").props(
                    "dense flat"
                ).add_slot("body-cell-amount", MONEY_CELL)
            elif parsed.sample:
                ui.label("The first rows of the file:").classes("text-grey-7")
                sample_columns = [
                    {"name": str(i), "label": columns[i], "field": str(i), "align": "left"}
                    for i in range(len(mapping.header))
                ]
                sample_rows = [
                    {"_id": n, **{str(i): v for i, v in enumerate(cells)}}
                    for n, cells in enumerate(parsed.sample)
                ]
                ui.table(columns=sample_columns, rows=sample_rows, row_key="_id").props(
                    "dense flat"
                )

    async def _apply_mapping(self) -> None:
        chosen = {
            role: select.value
            for role, select in self.role_selects.items()
            if select.value is not None and select.value >= 0
        }
        self.upload.mapping = csv_format.with_changes(
            self.guess,
            columns=chosen,
            date_order=self.date_order.value,
            decimal_sep=self.decimal_sep.value,
            flip_sign=bool(self.flip_sign.value),
        )
        await self._analyse()

    # -- preview -----------------------------------------------------------------------

    def _row(self, planned: imports.PlannedRow) -> dict:
        row = planned.row
        return {
            "line": row.line,
            "date": row.date.isoformat(),
            "payee": planned.payee or row.payee,
            "amount": money.format_amount(row.amount, self.plan.currency),
            "category": self.paths.get(planned.category_id, ""),
            "status": STATUS_LABELS[planned.status],
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
                ui.label(f"Matches: {counts['match']}")
                ui.label(f"Errors: {len(plan.errors)}").classes(
                    "text-negative" if plan.errors else ""
                )
                if counts["excluded"]:
                    ui.label(f"Left out: {counts['excluded']}")
            if plan.errors:
                with ui.column().classes("gap-0"):
                    for problem in plan.errors[:ERROR_LIMIT]:
                        ui.label(str(problem)).classes("text-negative text-body2")
                    if len(plan.errors) > ERROR_LIMIT:
                        ui.label(f"… and {len(plan.errors) - ERROR_LIMIT} more")
            # Rows that will change something first; duplicates (with their reason) after.
            ordered = [p for p in plan.rows if p.status != "duplicate"]
            ordered += [p for p in plan.rows if p.status == "duplicate"]
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
                ui.button("Leave out selected", on_click=self._leave_out).props("outline")
                ui.button("Put back selected", on_click=self._put_back).props("outline")
                ui.button("Import selected matches as new", on_click=self._as_new).props("outline")
            self.skip_errors = ui.checkbox(
                f"Skip the {len(plan.errors)} rows with errors", value=False
            )
            self.skip_errors.visible = bool(plan.errors)
            total = counts["new"] + counts["match"]
            self.import_button = ui.button(
                f"Import {total} transactions", icon="download_done", on_click=self._import
            )
            if total == 0:
                self.import_button.disable()

    def _selected_lines(self) -> set[int]:
        return {row["line"] for row in self.table.selected}

    async def _leave_out(self) -> None:
        self.upload.excluded |= self._selected_lines()
        await self._analyse()

    async def _put_back(self) -> None:
        lines = self._selected_lines()
        self.upload.excluded -= lines
        self.upload.as_new -= lines
        await self._analyse()

    async def _as_new(self) -> None:
        self.upload.as_new |= self._selected_lines()
        await self._analyse()

    async def _import(self) -> None:
        if self.busy or self.parsed is None:
            return
        if self.plan.errors and not self.skip_errors.value:
            self.message.text = (
                f"{len(self.plan.errors)} rows cannot be read: fix the file, "
                "or tick “Skip the rows with errors”."
            )
            return
        self.busy = True
        self.import_button.disable()
        self.bar.visible = True
        self.progress["value"] = 0.0
        timer = ui.timer(0.2, lambda: self.bar.set_value(self.progress["value"]))
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
        self.mapping_card.visible = False
        self.upload = Upload()
        self.uploader.reset()
        self.result.clear()
        with self.result, ui.card().classes("w-full"):
            ui.label(f"Imported into {summary}.").classes("text-positive text-subtitle1")
            for problem in summary.errors[:ERROR_LIMIT]:
                ui.label(f"Skipped {problem}").classes("text-body2")
            ui.link("See the transactions", f"/transactions?account={account_id}").classes(
                "text-primary"
            )
        reloaded = await core.load(_accounts)
        if reloaded is None:
            return
        self.accounts = reloaded.value
        self.account.set_options(
            {a.id: f"{a.name} ({a.currency})" for a in self.accounts.values()}, value=account_id
        )
        self.new_account.value = ""


@ui.page("/import")
def import_page() -> None:
    with frame("Import", "/import"):
        core.Panel(_start, ImportScreen)
