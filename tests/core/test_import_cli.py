"""`python -m fintrack import FILE --account NAME`, run as a person runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fintrack import db, preferences
from fintrack.models import Account

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "imports"


def _run(*args: str, command: str = "import") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    return subprocess.run(
        [sys.executable, "-m", "fintrack", command, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_import_then_reimport_prints_summary_and_exits_zero(app_env: Path) -> None:
    path = str(FIXTURES / "us_checking_bofa.csv")
    # The "Beginning balance" line is a balance, not a row that blocks the import.
    first = _run(path, "--account", "BofA Checking", "--currency", "USD")
    assert first.returncode == 0, first.stderr
    assert (
        "BofA Checking: 7 new, 0 duplicate, 0 possible duplicate, 0 matched, 0 skipped"
        in first.stdout
    )
    assert first.stderr == ""
    again = _run(path, "--account", "BofA Checking")
    assert again.returncode == 0, again.stderr
    assert (
        "BofA Checking: 0 new, 7 duplicate, 0 possible duplicate, 0 matched, 0 skipped"
        in again.stdout
    )


def test_bad_input_exits_non_zero_with_one_line(app_env: Path, tmp_path: Path) -> None:
    binary = tmp_path / "statement.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = _run(str(binary), "--account", "Checking")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"fintrack: {binary}: this is not a text file (it contains binary data)"]
    assert result.stdout == ""


def _history() -> list[dict]:
    listed = _run("--json", command="imports")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def test_ofx_then_csv_of_the_same_rows_leaves_them_out_as_possible_duplicates(
    app_env: Path,
) -> None:
    ofx = _run(str(FIXTURES / "us_march_15.ofx"), "--account", "Checking")
    assert ofx.returncode == 0, ofx.stderr
    assert "Checking: 15 new, 0 duplicate, 0 possible duplicate" in ofx.stdout
    # The file states the bank's balance: fintrack compares it with its own.
    assert "the bank's balance of 2,896.89 on 2026-03-31 agrees with fintrack" in ofx.stdout
    csv = _run(str(FIXTURES / "us_march_15.csv"), "--account", "Checking")
    assert csv.returncode == 0, csv.stderr
    assert "Checking: 0 new, 0 duplicate, 15 possible duplicate" in csv.stdout
    assert "left out 15 possible duplicates" in csv.stderr
    assert [b["new"] for b in _history()] == [0, 15]
    kept = _run(str(FIXTURES / "us_march_15.csv"), "--account", "Checking", "--keep-possible")
    assert "Checking: 15 new, 0 duplicate, 0 possible duplicate" in kept.stdout


def test_reimport_after_fixing_the_payee_column_does_not_double_the_account(
    app_env: Path,
) -> None:
    path = str(FIXTURES / "uk_barclays_memo.csv")
    wrong = _run(
        path, "--account", "Barclays", "--currency", "GBP", "--payee-column", "Subcategory"
    )
    assert wrong.returncode == 0, wrong.stderr
    assert "Barclays: 30 new" in wrong.stdout
    fixed = _run(path, "--account", "Barclays", "--payee-column", "Memo")
    assert fixed.returncode == 0, fixed.stderr
    assert "Barclays: 0 new, 0 duplicate, 30 possible duplicate" in fixed.stdout


def test_description_in_a_memo_column_is_found_as_the_payee(app_env: Path) -> None:
    result = _run(str(FIXTURES / "uk_barclays_memo.csv"), "--account", "B", "--currency", "GBP")
    assert result.returncode == 0, result.stderr
    assert "B: 30 new" in result.stdout


def test_a_file_without_any_payee_column_is_refused_unless_one_is_named(
    app_env: Path, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Date,Amount,Kind\n2026-01-02,-5.00,POS\n2026-01-03,-7.00,ATM\n")
    refused = _run(str(path), "--account", "Checking")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"fintrack: {path}: no payee or description column was found (columns: Date, Amount, "
        "Kind); name the one to use with --payee-column NAME"
    )
    assert _history() == []
    named = _run(str(path), "--account", "Checking", "--payee-column", "kind")
    assert named.returncode == 0, named.stderr
    assert "Checking: 2 new" in named.stdout
    unknown = _run(str(path), "--account", "Checking", "--payee-column", "Payee")
    assert unknown.returncode == 1
    assert 'there is no column "Payee"; the columns are Date, Amount, Kind' in unknown.stderr


def test_imports_lists_and_undo_removes_exactly_one_batch(app_env: Path) -> None:
    _run(str(FIXTURES / "us_checking_bofa.csv"), "--account", "BofA", "--currency", "USD")
    _run(str(FIXTURES / "us_march_15.ofx"), "--account", "BofA")
    history = _history()
    assert [(b["file"], b["new"], b["undone_at"]) for b in history] == [
        ("us_march_15.ofx", 15, None),
        ("us_checking_bofa.csv", 7, None),
    ]
    listed = _run(command="imports")
    assert "us_march_15.ofx: 15 new" in listed.stdout
    undone = _run("undo", str(history[0]["id"]), command="imports")
    assert undone.returncode == 0, undone.stderr
    assert undone.stdout.strip() == (
        f"undid import {history[0]['id']}: removes 15 transactions imported from "
        "us_march_15.ofx into BofA"
    )
    again = _run("undo", str(history[0]["id"]), command="imports")
    assert again.returncode == 1
    assert again.stderr.strip() == f"fintrack: import {history[0]['id']} was already undone"
    # The other import is untouched: re-importing it finds every row again.
    reimport = _run(str(FIXTURES / "us_checking_bofa.csv"), "--account", "BofA")
    assert "BofA: 0 new, 7 duplicate" in reimport.stdout
    # The undone file imports again in full.
    back = _run(str(FIXTURES / "us_march_15.ofx"), "--account", "BofA")
    assert "BofA: 15 new" in back.stdout


def test_reconcile_prints_the_difference_and_commits_only_at_zero(app_env: Path) -> None:
    _run(str(FIXTURES / "us_march_15.ofx"), "--account", "Checking")
    args = ["--account", "Checking", "--date", "2026-03-31"]
    off = _run(*args, "--balance", "2900.00", "--commit", command="reconcile")
    assert off.returncode == 1
    assert off.stdout.splitlines()[0] == (
        "Checking on 2026-03-31: the bank says $2,900.00; cleared in fintrack $2,896.89; "
        "difference $3.11"
    )
    assert "reconciled" not in off.stdout.split("\n", 1)[1]
    even = _run(*args, "--balance", "2896.89", "--commit", command="reconcile")
    assert even.returncode == 0, even.stderr
    assert even.stdout.splitlines()[-1] == "reconciled 15 transactions up to 2026-03-31"
    # Undoing the import now removes reconciled rows: it asks for --force.
    batch = _history()[0]["id"]
    refused = _run("undo", str(batch), command="imports")
    assert refused.returncode == 1
    assert "15 reconciled since the import will be lost" in refused.stderr
    assert "--force" in refused.stderr
    forced = _run("undo", str(batch), "--force", command="imports")
    assert forced.returncode == 0, forced.stderr


def test_reconcile_errors_are_one_line(app_env: Path) -> None:
    missing = _run(
        "--account", "Nope", "--balance", "1", "--date", "2026-03-31", command="reconcile"
    )
    assert (missing.returncode, missing.stderr) == (1, 'fintrack: there is no account "Nope"\n')
    _run(str(FIXTURES / "us_march_15.ofx"), "--account", "Checking")
    bad = _run(
        "--account", "Checking", "--balance", "12abc", "--date", "2026-03-31", command="reconcile"
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("fintrack: --balance: ")
    assert len(bad.stderr.strip().splitlines()) == 1


def test_camt_and_mt940_create_accounts_in_the_files_currency(app_env: Path) -> None:
    camt = _run(str(FIXTURES / "camt053_ch_v08.xml"), "--account", "PostFinance")
    assert camt.returncode == 0, camt.stderr
    assert "PostFinance: 3 new" in camt.stdout
    # No opening balance was entered: the bank's closing balance says what is missing.
    assert "the bank says 4,695.05 on 2026-03-31; fintrack says 4,895.05" in camt.stdout
    mt940 = _run(str(FIXTURES / "mt940_nl_rabobank.swi"), "--account", "Rabo", "--currency", "USD")
    assert mt940.returncode == 0, mt940.stderr
    assert [(b["account"], b["format"], b["new"]) for b in _history()] == [
        ("Rabo", "mt940", 3),
        ("PostFinance", "camt", 3),
    ]
    reconciled = _run(
        "--account", "Rabo", "--balance", "2041.90", "--date", "2026-03-31", command="reconcile"
    )
    assert reconciled.returncode == 0, reconciled.stderr
    # The file is in EUR: the file's currency wins over --currency for a new account.
    assert reconciled.stdout.startswith("Rabo on 2026-03-31: the bank says €2,041.90;")


def test_column_option_maps_original_amount_columns_detection_does_not_know(
    app_env: Path, tmp_path: Path
) -> None:
    import sqlite3

    path = tmp_path / "card.csv"
    path.write_text("Date,Payee,Amount,Fx amt,Fx cur\n2026-03-02,Diner NYC,-12.34,13.50,USD\n")
    args = ["--account", "Visa", "--column", "original_amount=Fx amt"]
    done = _run(str(path), *args, "--column", "original_currency=fx cur")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(app_env / "fintrack.db") as connection:
        stored = connection.execute(
            "SELECT amount, original_amount, original_currency FROM transactions"
        ).fetchall()
    assert stored == [(-1234, -1350, "USD")]
    wrong = _run(str(path), "--account", "Visa", "--column", "fx=Fx amt")
    assert wrong.returncode == 1
    assert 'there is no role "fx"' in wrong.stderr


def test_a_new_account_gets_the_currency_settings_gives_new_accounts(app_env: Path) -> None:
    engine = db.make_engine(os.environ["DATABASE_URL"])
    with Session(engine) as session:
        preferences.set_default_currency(session, "GBP")
        session.commit()

    result = _run(str(FIXTURES / "us_checking_bofa.csv"), "--account", "Joint")

    assert result.returncode == 0, result.stderr
    with Session(engine) as session:
        assert session.scalar(select(Account.currency).where(Account.name == "Joint")) == "GBP"
    engine.dispose()
