"""Settings `/settings`: export, backup and restore, rules, preferences, password hash, about."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nicegui import app, events, ui
from sqlalchemy.orm import Session

import fintrack
from components import core
from components.dates import DateInput
from components.dialogs import confirm
from components.form import Form
from components.frame import frame
from components.progress import Progress
from components.upload import file_upload
from fintrack import auth, backup, currency, db, display, export, preferences, rates, twofactor
from fintrack.preferences import default_currency


def export_section() -> None:
    with ui.card().classes("w-full"):
        ui.label("Export").classes("text-h6")
        ui.label(
            "All transactions as a spreadsheet (CSV), or a complete backup of everything "
            "(JSON) that Restore below, or python -m fintrack restore, can load again."
        )
        with ui.row().classes("items-center gap-2"):
            ui.button(
                "Download CSV",
                icon="table_view",
                on_click=lambda: ui.download.from_url("/api/export/transactions.csv"),
            )
            ui.button(
                "Download backup",
                icon="download",
                on_click=lambda: ui.download.from_url("/api/export/backup.json"),
            ).props("outline")


def _inspect(s: Session, path: Path) -> tuple[backup.BackupHeader, dict[str, int]]:
    with path.open(encoding="utf-8") as stream:
        header = backup.read_header(stream)
    return header, backup.data_counts(s)


def _restore(s: Session, path: Path, progress: Progress) -> dict[str, int]:
    def report(table: str, rows: int) -> None:
        progress.text = f"Restoring {table.replace('_', ' ')}: {rows:,} rows"

    with path.open(encoding="utf-8") as stream:
        return backup.restore_backup(s, stream, replace=True, progress=report)


def restore_section() -> None:
    max_mb = app.state.settings.max_upload_mb
    # One restore at a time for the whole app, whichever tab started it.
    restoring: Progress = app.state.restore
    uploads: list[Path] = []
    with ui.card().classes("w-full"):
        ui.label("Restore").classes("text-h6")
        ui.label(
            "Load a backup made with Download backup. Everything in the database is replaced "
            "by the backup's contents; you are asked first."
        )
        upload = (
            file_upload("Backup file (.json)", auto_upload=True, max_file_size=max_mb << 20)
            .props('accept=".json,application/json"')
            .classes("w-full max-w-md")
        )
        progress = ui.linear_progress(show_value=False).props("indeterminate")
        progress.visible = False
        message = ui.label().props('role="status"')

    def show(text: str, error: bool = False) -> None:
        message.text = text
        message.classes(replace="text-negative" if error else "")

    timer = ui.timer(0.5, lambda: show(restoring.text), active=False)

    def forget_uploads() -> None:
        for path in uploads:
            path.unlink(missing_ok=True)

    ui.context.client.on_delete(forget_uploads)

    async def run_restore(path: Path) -> None:
        if restoring.busy:
            show("A restore is already running.", error=True)
            return
        restoring.busy, restoring.text = True, "Restoring…"
        upload.disable()
        progress.visible = True
        timer.activate()
        try:
            restored = await core.call(_restore, path, restoring, patience=None)
            message_text, error = f"Restored {backup.describe_counts(restored)}.", False
        except backup.BackupError as problem:
            message_text, error = f"Nothing was changed: {problem}.", True
        except Exception as problem:
            message_text = f"{core.report('restore', problem)} Nothing was changed."
            error = True
        finally:
            restoring.busy = False
            timer.deactivate()
            progress.visible = False
            upload.enable()
            path.unlink(missing_ok=True)
        show(message_text, error)

    async def received(event: events.UploadEventArguments) -> None:
        upload.reset()
        if restoring.busy:
            show("A restore is already running.", error=True)
            return
        handle, name = tempfile.mkstemp(prefix=export.TEMPORARY_PREFIXES[1], suffix=".json")
        os.close(handle)
        path = Path(name)
        uploads.append(path)
        try:
            await event.file.save(path)
            header, existing = await core.call(_inspect, path)
        except backup.BackupError as error:
            path.unlink(missing_ok=True)
            show(f"{event.file.name} cannot be restored: {error}.", error=True)
            return
        except Exception as error:
            path.unlink(missing_ok=True)
            show(core.report("read the backup", error), error=True)
            return
        show("")
        made = f"made {header.created_at[:10]}" if header.created_at else "of unknown date"
        consequence = (
            f"This replaces everything in the database ({backup.describe_counts(existing)}) "
            f"with the backup {event.file.name}, {made}."
            if existing
            else f"The database is empty; the backup {event.file.name}, {made}, will fill it."
        )
        confirm(
            "Restore this backup?",
            consequence,
            "Replace and restore" if existing else "Restore",
            lambda: run_restore(path),
        )

    upload.on_upload(received)
    upload.on_rejected(lambda: show(f"The file is larger than {max_mb} MB.", error=True))


def rules_section() -> None:
    with ui.card().classes("w-full"):
        ui.label("Rules").classes("text-h6")
        ui.label("Rules set the category, tags or payee of new and imported transactions.")
        ui.link("Categorization rules", "/settings/rules")


def _save_preferences(s: Session, code: str, number: str, date: str) -> display.Formats:
    preferences.set_default_currency(s, code)
    return display.save(s, number, date)


def preferences_section(code: str) -> None:
    shown = display.current()
    with ui.card().classes("w-full"):
        ui.label("Preferences").classes("text-h6")
        with ui.row().classes("items-start gap-2"):
            currency = (
                ui.input("Default currency for new accounts", value=code)
                .props("maxlength=3")
                .classes("w-64")
            )
            number = ui.select(list(display.NUMBER_FORMATS), label="Numbers", value=shown.number)
            date = ui.select(list(display.DATE_FORMATS), label="Dates", value=shown.date)
            number.mark("number-format")
            date.mark("date-format")
            for choice in (number, date):
                choice.classes("w-40")
            saved = ui.label().classes("self-center").props('role="status"')

        async def save() -> None:
            saved.text = ""
            stored = await core.change(
                _save_preferences,
                currency.value or "",
                number.value,
                date.value,
                fields={"currency": currency, "number_format": number, "date_format": date},
                busy=[button],
            )
            if stored is not None:
                display.use(stored.value)
                currency.value = (currency.value or "").strip().upper()
                saved.text = "Saved. Pages show the new formats when opened."

        button = ui.button("Save", on_click=save).props("outline").mark("preferences-save")


@dataclass
class _RatesView:
    """What the Currencies and rates section shows."""

    reporting: str
    status: rates.Status
    in_use: list[rates.RateRow]


def _rates_view(s: Session) -> _RatesView:
    in_use = currency.rates_in_use(s, dt.date.today())
    return _RatesView(currency.reporting_currency(s), rates.status(s), in_use)


def _status_text(status: rates.Status) -> str:
    updated = status.updated_at[:16].replace("T", " ") + " UTC" if status.updated_at else "never"
    newest = f"; newest rate {display.date(status.newest)}" if status.newest else ""
    return f"Rates last updated {updated}{newest} ({status.currencies} currencies)."


class _RateForm(Form[tuple[dt.date, str, str]]):
    """A rate typed by hand, read as `rates.set_rate` takes it: its day, code and rate."""

    def __init__(self) -> None:
        super().__init__()
        with ui.row().classes("items-start gap-2"):
            self.fields = {
                "day": DateInput(value=dt.date.today(), required=True).classes("w-40"),
                "code": ui.input("Currency").props("maxlength=3").classes("w-32").mark("rate-code"),
                "rate": ui.input("Units per 1 EUR")
                .props("inputmode=decimal")
                .classes("w-48")
                .mark("rate-value"),
            }
            self.button = ui.button("Save rate").props("outline").classes("self-center")

    def data(self) -> tuple[dt.date, str, str]:
        return (
            self.date_at("day", required=True),
            self.fields["code"].value or "",
            self.fields["rate"].value or "",
        )


def currencies_section() -> None:
    """Reporting currency, the state of the ECB rates, and rates typed by hand."""
    with ui.card().classes("w-full"):
        ui.label("Currencies and rates").classes("text-h6")
        ui.label(
            "Totals across accounts are shown in the reporting currency: money that moved is "
            "converted at its day's rate, balances at the rate of the day they are valued. "
            "Rates are the ECB's daily reference rates (units per 1 EUR), updated once a day; "
            "a rate typed here wins over the ECB's for its day."
        )
        with ui.row().classes("items-start gap-2"):
            reporting = ui.input("Reporting currency").props("maxlength=3").classes("w-48")
            save_reporting = ui.button("Save").props("outline").classes("self-center")
            reporting_saved = ui.label().classes("self-center").props('role="status"')
        status = ui.label().props('data-testid="rates-status"')
        problem = ui.label().classes("text-negative").props('role="alert"')
        table = ui.table(
            columns=[
                {"name": "currency", "label": "Currency", "field": "currency", "align": "left"},
                {"name": "rate", "label": "Per 1 EUR", "field": "rate", "align": "right"},
                {"name": "date", "label": "Date", "field": "date", "align": "left"},
                {"name": "source", "label": "Source", "field": "source", "align": "left"},
            ],
            rows=[],
            row_key="currency",
        ).classes("w-full max-w-xl")
        update = ui.button("Update from the ECB now", icon="sync").props("outline")
        ui.label("Enter or override a rate").classes("text-subtitle1 q-mt-sm")
        typed = _RateForm()
        rate_saved = ui.label().props('role="status"')

    def show(view: _RatesView) -> None:
        reporting.value = view.reporting
        status.text = _status_text(view.status)
        problem.text = (
            f"The last ECB update failed: {view.status.error}." if view.status.error else ""
        )
        table.rows = [
            {
                "currency": r.currency,
                "rate": f"{r.rate.normalize():f}",
                "date": display.date(r.date),
                "source": "typed in" if r.source == "manual" else "ECB",
            }
            for r in view.in_use
        ]

    async def refresh() -> None:
        loaded = await core.load(_rates_view, status=problem)
        if loaded is not None:
            show(loaded.value)

    async def save_reporting_currency() -> None:
        reporting_saved.text = ""
        saved = await core.change(
            currency.set_reporting_currency,
            reporting.value or "",
            fields=core.Only(reporting),
            busy=[save_reporting],
        )
        if saved is not None:
            reporting.value, reporting_saved.text = saved.value, "Saved."
            await refresh()

    async def update_now() -> None:
        rate_saved.text = ""
        # A failed update is kept as the last failure, which the refresh below shows.
        updated = await core.change(
            rates.update_from_ecb,
            fields=core.Only(core.LabelField(problem)),
            busy=[update],
            what="update the rates",
            patience=120,
        )
        if updated is not None:
            rate_saved.text = f"Added {updated.value.added:,} rates."
        await refresh()

    async def save_typed_rate() -> None:
        rate_saved.text = ""
        data = typed.read()
        if data is None:
            return
        saved = await typed.submit(rates.set_rate, *data, busy=[typed.button])
        if saved is not None:
            row = saved.value
            on = display.date(row.date)
            rate_saved.text = f"Saved: 1 EUR = {row.rate.normalize():f} {row.currency} on {on}."
            await refresh()

    save_reporting.on_click(save_reporting_currency)
    update.on_click(update_now)
    typed.button.on_click(save_typed_rate)
    ui.timer(0, refresh, once=True)


def password_section() -> None:
    with ui.card().classes("w-full"):
        ui.label("Password hash").classes("text-h6")
        ui.label(
            "To change the login password, type the new one twice and paste the hash into "
            "the ADMIN_PASSWORD_HASH setting, then restart. The password is not stored."
        )
        with ui.row().classes("items-start gap-2"):
            first = ui.input("New password", password=True, password_toggle_button=True)
            second = ui.input("Repeat password", password=True, password_toggle_button=True)
            for field in (first, second):
                field.props("autocomplete=new-password")
        button = ui.button("Make hash", icon="key").props("outline")
        result = (
            ui.input("ADMIN_PASSWORD_HASH")
            .props("readonly")
            .classes("w-full font-mono")
            .mark("password-hash")
        )
        with result.add_slot("append"):
            ui.button(icon="content_copy", on_click=lambda: ui.clipboard.write(result.value)).props(
                'flat round dense aria-label="Copy"'
            ).tooltip("Copy")
        result.visible = False

        async def make_hash() -> None:
            password = first.value or ""
            problem = auth.password_problem(password)
            differ = not problem and password != (second.value or "")
            first.error = problem
            second.error = "The passwords differ" if differ else None
            if problem or differ:
                return
            button.disable()
            try:
                result.value = await core.off_loop(auth.hash_password, password)
            finally:
                button.enable()
            result.visible = True
            first.value = second.value = ""

        button.on_click(make_hash)


def _two_factor_status(s: Session) -> tuple[bool, int]:
    return twofactor.enabled(s), twofactor.recovery_codes_left(s)


def two_factor_section() -> None:
    """Turn two-factor login on (QR code, first code, recovery codes shown once) or off."""
    with ui.card().classes("w-full"):
        ui.label("Two-factor login").classes("text-h6")
        body = ui.column().classes("w-full gap-2")

    def code_input() -> ui.input:
        return ui.input("Code").props('autocomplete=one-time-code inputmode="numeric"')

    async def show_status() -> None:
        loaded = await core.load(_two_factor_status)
        if loaded is None:
            return
        on, left = loaded.value
        body.clear()
        with body:
            if not on:
                ui.label(
                    "Off. When on, logging in also asks for a code from an authenticator app "
                    "on your phone (any TOTP app: Aegis, Google Authenticator, 1Password ...)."
                )
                ui.button("Turn on", icon="phonelink_lock", on_click=start).props("outline")
                return
            ui.label(
                f"On: logging in asks for a code from your authenticator app. {left} recovery "
                f"code{'s' * (left != 1)} left. To turn it off, enter a code."
            )
            with ui.row().classes("items-start gap-2"):
                code = code_input()
                ui.button("Turn off", on_click=lambda: turn_off(code)).props("outline")

    async def turn_off(code: ui.input) -> None:
        if await core.change(twofactor.disable, code.value or "", fields=core.Only(code)) is None:
            return
        ui.notify("Two-factor login is off.")
        await show_status()

    def start() -> None:
        setup = twofactor.new_setup(app.state.credentials.username)
        body.clear()
        with body:
            ui.label(
                "Scan this QR code with your authenticator app, or type the key into it. "
                "Then enter the code the app shows."
            )
            ui.image(setup.qr_data_uri).classes("w-48 h-48").props('alt="QR code"')
            ui.label(setup.secret).classes("font-mono").mark("two-factor-secret")
            with ui.row().classes("items-start gap-2"):
                code = code_input()
                ui.button("Confirm", on_click=lambda: confirm_code(setup.secret, code))
                ui.button("Cancel", on_click=show_status).props("flat")

    async def confirm_code(secret: str, code: ui.input) -> None:
        enabled = await core.change(
            twofactor.enable, secret, code.value or "", fields=core.Only(code)
        )
        if enabled is None:
            return
        codes = enabled.value
        body.clear()
        with body:
            ui.label(
                "Two-factor login is on. Keep these recovery codes somewhere safe: each one "
                "works once in place of a code, for when the phone is lost. They are shown "
                "only now."
            ).classes("text-positive")
            ui.code("\n".join(codes), language="text").mark("recovery-codes")
            ui.button("Done", on_click=show_status)

    # After the page is sent: the database is read in a worker thread, not on the event loop.
    ui.timer(0, show_status, once=True)


def about_section() -> None:
    kind = "PostgreSQL" if db.engine().dialect.name == "postgresql" else "SQLite"
    with ui.card().classes("w-full"):
        ui.label("About").classes("text-h6")
        ui.label(f"fintrack {fintrack.__version__}")
        ui.label(f"Database: {kind}")


class SettingsPage:
    """`/settings`: sections that each load their own part once the browser is there."""

    def __init__(self) -> None:
        with frame("Settings", "/settings"):
            export_section()
            restore_section()
            rules_section()
            core.Panel(default_currency, preferences_section)
            currencies_section()
            password_section()
            two_factor_section()
            about_section()
