"""Settings `/settings`: export, backup and restore, rules, preferences, password hash, about."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from nicegui import app, events, ui
from sqlalchemy.orm import Session

import fintrack
from components import core
from components.dialogs import confirm
from components.frame import frame
from components.money import default_currency
from fintrack import auth, backup, db, preferences

# One restore at a time for the whole app, whichever tab started it; its progress text.
_restoring: dict[str, object] = {"busy": False, "text": ""}


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


def _restore(s: Session, path: Path, progress: dict[str, object]) -> dict[str, int]:
    def report(table: str, rows: int) -> None:
        progress["text"] = f"Restoring {table.replace('_', ' ')}: {rows:,} rows"

    with path.open(encoding="utf-8") as stream:
        return backup.restore_backup(s, stream, replace=True, progress=report)


def restore_section() -> None:
    max_mb = app.state.settings.max_upload_mb
    uploads: list[Path] = []
    with ui.card().classes("w-full"):
        ui.label("Restore").classes("text-h6")
        ui.label(
            "Load a backup made with Download backup. Everything in the database is replaced "
            "by the backup's contents; you are asked first."
        )
        upload = (
            ui.upload(label="Backup file (.json)", auto_upload=True, max_file_size=max_mb << 20)
            .props('accept=".json,application/json"')
            .classes("w-full max-w-md")
        )
        progress = ui.linear_progress(show_value=False).props("indeterminate")
        progress.visible = False
        message = ui.label().props('role="status"')

    def show(text: str, error: bool = False) -> None:
        message.text = text
        message.classes(replace="text-negative" if error else "")

    timer = ui.timer(0.5, lambda: show(str(_restoring["text"])), active=False)

    def forget_uploads() -> None:
        for path in uploads:
            path.unlink(missing_ok=True)

    ui.context.client.on_delete(forget_uploads)

    async def run_restore(path: Path) -> None:
        if _restoring["busy"]:
            show("A restore is already running.", error=True)
            return
        _restoring.update(busy=True, text="Restoring…")
        upload.disable()
        progress.visible = True
        timer.activate()
        try:
            restored = await core.call(_restore, path, _restoring, patience=None)
            message_text, error = f"Restored {backup.describe_counts(restored)}.", False
        except backup.BackupError as problem:
            message_text, error = f"Nothing was changed: {problem}.", True
        except Exception as problem:
            message_text = f"{core.report('restore', problem)} Nothing was changed."
            error = True
        finally:
            _restoring["busy"] = False
            timer.deactivate()
            progress.visible = False
            upload.enable()
            path.unlink(missing_ok=True)
        show(message_text, error)

    async def received(event: events.UploadEventArguments) -> None:
        upload.reset()
        if _restoring["busy"]:
            show("A restore is already running.", error=True)
            return
        handle, name = tempfile.mkstemp(prefix="fintrack-restore-", suffix=".json")
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


def preferences_section(code: str) -> None:
    with ui.card().classes("w-full"):
        ui.label("Preferences").classes("text-h6")
        with ui.row().classes("items-start gap-2"):
            currency = (
                ui.input("Default currency for new accounts", value=code)
                .props("maxlength=3")
                .classes("w-64")
            )
            saved = ui.label().classes("self-center").props('role="status"')

        async def save() -> None:
            saved.text = ""
            stored = await core.change(
                preferences.set_default_currency,
                currency.value or "",
                fields={"currency": currency},
                expected={ValueError: "currency"},
                busy=[button],
            )
            if stored is not None:
                currency.value = stored.value
                saved.text = "Saved."

        button = ui.button("Save", on_click=save).props("outline")


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
            short = len(password) < auth.MIN_PASSWORD_LENGTH
            differ = not short and password != (second.value or "")
            first.error = f"Use at least {auth.MIN_PASSWORD_LENGTH} characters" if short else None
            second.error = "The passwords differ" if differ else None
            if short or differ:
                return
            button.disable()
            try:
                result.value = await core.off_loop(auth.hash_password, password)
            finally:
                button.enable()
            result.visible = True
            first.value = second.value = ""

        button.on_click(make_hash)


def about_section() -> None:
    kind = "PostgreSQL" if db.engine().dialect.name == "postgresql" else "SQLite"
    with ui.card().classes("w-full"):
        ui.label("About").classes("text-h6")
        ui.label(f"fintrack {fintrack.__version__}")
        ui.label(f"Database: {kind}")


@ui.page("/settings")
def settings_page() -> None:
    with frame("Settings", "/settings"):
        export_section()
        restore_section()
        rules_section()
        core.Panel(default_currency, preferences_section)
        password_section()
        about_section()
