"""Import `/import`: upload a bank file, check and edit the preview, import it in one go;
the history of imports below, each with Undo."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import app, events, ui
from sqlalchemy.orm import Session

from components import core
from components.frame import frame
from components.import_history import HISTORY_LIMIT, HistoryCard
from components.import_mapping import MappingCard
from components.import_preview import ERROR_LIMIT, PreviewCard, Upload
from components.progress import Progress
from components.upload import file_upload
from fintrack import categories, imports, words
from fintrack.accounts import AccountChoice, account_choices
from fintrack.categories import CategoryOption
from fintrack.imports import csv_format, history
from fintrack.preferences import default_currency

NEW_ACCOUNT = "new"
EXISTING_ACCOUNT = "existing"


def _settings_limit() -> int:
    settings = getattr(app.state, "settings", None)
    return getattr(settings, "max_upload_mb", 20)


def _accounts(s: Session) -> dict[int, AccountChoice]:
    return {a.id: a for a in account_choices(s, open_only=True)}


@dataclass
class Start:
    """What the page needs before it can be shown, read off the event loop."""

    accounts: dict[int, AccountChoice]
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
) -> tuple[int, imports.ImportSummary]:
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
        self.preview = PreviewCard(self.options, self._analyse, self._import)
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
            self.preview.hide()
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
        self.preview.show(self.upload, self.parsed, self.plan)

    async def _apply_mapping(self, mapping: csv_format.CsvMapping) -> None:
        self.upload.mapping = mapping
        # A new reading gives rows other payees: earlier edits no longer apply.
        self.upload.payees.clear()
        await self._analyse()

    async def _import(self) -> None:
        if self.busy or self.parsed is None:
            return
        if self.plan.errors and not self.preview.skip_errors:
            self.message.text = (
                f"{words.count(len(self.plan.errors), 'row')} cannot be read: fix the file, "
                "or tick “Skip the rows with errors”."
            )
            return
        self.busy = True
        self.preview.import_button.disable()
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
                bool(self.preview.skip_errors),
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
            self.preview.import_button.enable()
            return
        finally:
            timer.cancel()
            self.busy = False
        self.bar.set_value(1.0)
        self.preview.hide()
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
