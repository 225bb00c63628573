"""`python -m fintrack export` and `restore` as a person runs them: exit codes and messages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from fintrack import db
from tests.core.test_backup import snapshot
from tests.core.test_export import sample_ledger


def new_database(template_db: Path, path: Path) -> str:
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


def fintrack(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_CURRENT_TEST"}
    env.update(DATABASE_URL=url, DATA_DIR=str(Path(url.removeprefix("sqlite:///")).parent))
    return subprocess.run(
        [sys.executable, "-m", "fintrack", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def rows_of(url: str) -> dict[str, list[tuple]]:
    engine = db.make_engine(url)
    try:
        with Session(engine) as s:
            return snapshot(s)
    finally:
        engine.dispose()


def test_backup_restores_into_another_database_and_refuses_to_overwrite(
    template_db: Path, tmp_path: Path
) -> None:
    source = new_database(template_db, tmp_path / "source.db")
    engine = db.make_engine(source)
    with Session(engine) as s:
        sample_ledger(s)
        s.commit()
    engine.dispose()
    backup_file = tmp_path / "backup.json"
    target = new_database(template_db, tmp_path / "target.db")

    exported = fintrack(source, "export", "--format", "json", "--output", str(backup_file))
    assert exported.returncode == 0, exported.stderr
    assert "5 transactions" in exported.stderr

    restored = fintrack(target, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert "restored 2 accounts" in restored.stderr
    assert rows_of(target) == rows_of(source)

    again = fintrack(target, "restore", str(backup_file))
    assert again.returncode == 1
    assert "not empty (2 accounts" in again.stderr and "--replace" in again.stderr

    replaced = fintrack(target, "restore", "--replace", str(backup_file))
    assert replaced.returncode == 0, replaced.stderr
    assert "replacing 2 accounts" in replaced.stderr
    assert rows_of(target) == rows_of(source)


def test_broken_backup_is_refused_and_csv_goes_to_stdout(template_db: Path, tmp_path: Path) -> None:
    url = new_database(template_db, tmp_path / "fintrack.db")
    broken = tmp_path / "broken.json"
    head = ScriptDirectory.from_config(db.alembic_config(url)).get_current_head()
    broken.write_text(
        f'{{"format": "fintrack-backup", "version": 1, "schema_revision": "{head}", "tables": [\n'
        '{"name": '
    )

    refused = fintrack(url, "restore", str(broken))
    assert refused.returncode == 1
    assert "broken.json: the file is not valid JSON" in refused.stderr
    assert "line 2" in refused.stderr
    assert "Traceback" not in refused.stderr

    csv_export = fintrack(url, "export", "--format", "csv")
    assert csv_export.returncode == 0, csv_export.stderr
    assert csv_export.stdout.splitlines()[0].startswith("date,account,currency,amount,payee")
