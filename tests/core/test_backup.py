"""Full backup and restore: identical data after a round trip, refusals with a reason."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fintrack import backup, bulk, json_stream
from fintrack.models import Account, AppState, Category, LoginAttempt, Split, Transaction
from tests.conftest import empty_tables
from tests.core.test_export import sample_ledger


def snapshot(session: Session) -> dict[str, list[tuple]]:
    """Every row of every table a backup carries, in primary-key order."""
    return {
        table.name: [
            tuple(row)
            for row in session.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in backup.backed_up_tables()
    }


def make_backup(session: Session) -> str:
    out = io.StringIO()
    backup.write_backup(session, out)
    return out.getvalue()


def empty(session: Session) -> None:
    session.commit()
    empty_tables(session.get_bind())


def test_round_trip_into_empty_database_keeps_rows_ids_and_sums(session: Session) -> None:
    sample_ledger(session)
    session.commit()
    before = snapshot(session)
    total = session.scalar(select(func.sum(Transaction.amount)))
    document = make_backup(session)
    empty(session)
    assert backup.data_counts(session) == {}

    restored = backup.restore_backup(session, io.StringIO(document))
    session.commit()

    assert restored["transactions"] == len(before["transactions"]) == 5
    assert snapshot(session) == before
    assert session.scalar(select(func.sum(Transaction.amount))) == total
    transfer = session.get(Transaction, 3)
    assert transfer is not None and transfer.transfer_id == 4
    assert session.get(Category, 2).parent_id == 1


def test_new_rows_after_restore_get_fresh_ids(session: Session) -> None:
    sample_ledger(session)
    session.commit()
    document = make_backup(session)
    empty(session)
    backup.restore_backup(session, io.StringIO(document))
    session.commit()

    account = Account(name="After restore", currency="EUR")
    session.add(account)
    session.commit()
    assert account.id == 3


def test_backup_keeps_money_as_integers_and_dates_iso(session: Session) -> None:
    sample_ledger(session)
    session.commit()
    document = json.loads(make_backup(session))

    assert document["format"] == "fintrack-backup"
    assert document["version"] == backup.VERSION
    assert document["schema_revision"] == backup.schema_revision(session)
    names = [table["name"] for table in document["tables"]]
    assert names.index("accounts") < names.index("transactions") < names.index("splits")
    transactions = next(t for t in document["tables"] if t["name"] == "transactions")
    first = dict(zip(transactions["columns"], transactions["rows"][0], strict=True))
    assert first["amount"] == -123456
    assert first["date"] == "2026-01-05"


def test_restore_refuses_non_empty_database_and_says_what_is_there(session: Session) -> None:
    sample_ledger(session)
    session.commit()
    document = make_backup(session)

    with pytest.raises(backup.NotEmptyError) as refused:
        backup.restore_backup(session, io.StringIO(document))
    session.rollback()

    assert refused.value.counts["transactions"] == 5
    assert "2 accounts" in str(refused.value) and "5 transactions" in str(refused.value)
    assert session.scalar(select(func.count()).select_from(Transaction)) == 5


def test_replace_overwrites_existing_data_and_keeps_session_version(session: Session) -> None:
    sample_ledger(session)
    session.commit()
    document = make_backup(session)
    session.add(Account(id=3, name="Made after the backup", currency="USD"))
    session.get(Transaction, 1).amount = 1
    session.merge(AppState(key="session_version", value="7"))
    session.commit()

    backup.restore_backup(session, io.StringIO(document), replace=True)
    session.commit()

    names = session.scalars(select(Account.name).order_by(Account.id)).all()
    assert names == ["Checking", "Savings"]
    assert session.get(Transaction, 1).amount == -123456
    assert session.get(AppState, "session_version").value == "7"


def test_restore_does_not_bring_back_a_session_version(session: Session) -> None:
    sample_ledger(session)
    session.add(AppState(key="session_version", value="3"))
    session.commit()
    document = make_backup(session)
    empty(session)

    backup.restore_backup(session, io.StringIO(document))
    session.commit()

    assert session.get(AppState, "session_version") is None
    assert session.get(AppState, "dark_mode").value == "1"


def test_failed_restore_leaves_database_as_it_was(session: Session) -> None:
    sample_ledger(session)
    session.commit()
    document = make_backup(session)
    broken = document[: document.index('"name": "splits"')]

    with pytest.raises(backup.BackupError, match="not valid JSON"):
        backup.restore_backup(session, io.StringIO(broken), replace=True)
    session.rollback()

    assert session.scalar(select(func.count()).select_from(Split)) == 2
    assert session.scalar(select(func.count()).select_from(Account)) == 2


def test_a_bad_row_after_thousands_of_good_ones_restores_nothing(session: Session) -> None:
    sample_ledger(session)
    session.commit()
    document = json.loads(make_backup(session))
    table = next(t for t in document["tables"] if t["name"] == "transactions")
    template = table["rows"][0]
    key, amount = table["columns"].index("id"), table["columns"].index("amount")
    rows = [[*template[:key], 1000 + n, *template[key + 1 :]] for n in range(bulk.CHUNK + 10)]
    for row in rows:
        for name in ("import_key", "external_id", "transfer_id"):
            row[table["columns"].index(name)] = None
    rows[-1][amount] = "12.50"
    table["rows"] = rows
    before = snapshot(session)

    # Thousands of rows are on their way to the database when the bad one is read.
    with pytest.raises(backup.BackupError, match="is not a whole"):
        backup.restore_backup(session, io.StringIO(json.dumps(document)), replace=True)
    session.rollback()

    assert snapshot(session) == before


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"format": "something-else", "version": 1, "tables": []}', "not a fintrack backup"),
        ("[1, 2, 3]", "not a fintrack backup"),
        ('{"format": "fintrack-backup", "version": 99, "tables": []}', "newer fintrack"),
        ('{"format": "fintrack-backup",\n "version": 1,, "tables": []}', "line 2, column 15"),
        ("", "not a fintrack backup"),
    ],
)
def test_bad_files_are_refused_with_the_reason(
    session: Session, document: str, message: str
) -> None:
    with pytest.raises(backup.BackupError, match=message):
        backup.restore_backup(session, io.StringIO(document))


def test_wrong_value_kind_is_refused(session: Session) -> None:
    sample_ledger(session)
    session.commit()
    document = json.loads(make_backup(session))
    accounts = next(t for t in document["tables"] if t["name"] == "accounts")
    accounts["rows"][0][accounts["columns"].index("opening_balance")] = 12.5
    empty(session)

    with pytest.raises(backup.BackupError, match=r"accounts.opening_balance: 12.5 is not a whole"):
        backup.restore_backup(session, io.StringIO(json.dumps(document)))


def test_reader_handles_values_split_across_chunks(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_stream.JsonStream, "CHUNK", 7)
    sample_ledger(session)
    session.commit()
    before = snapshot(session)
    document = make_backup(session)
    empty(session)

    backup.restore_backup(session, io.StringIO(document))
    session.commit()

    assert snapshot(session) == before


def test_header_is_read_without_rows() -> None:
    stream = io.StringIO(
        '{"format": "fintrack-backup", "version": 1, "schema_revision": "0001",'
        ' "created_at": "2026-01-01T00:00:00+00:00", "tables": [ broken'
    )
    header = backup.read_header(stream)
    assert header.schema_revision == "0001"
    assert dt.datetime.fromisoformat(header.created_at).year == 2026


# --- hostile or corrupt backups: refused with the row and the rule, nothing changed --------


def _edited(session: Session, edit) -> str:
    """A backup of the sample ledger with `edit(tables)` applied to its JSON."""
    sample_ledger(session)
    session.commit()
    document = json.loads(make_backup(session))
    edit({t["name"]: t for t in document["tables"]})
    return json.dumps(document)


def _set(table: dict, row: int, column: str, value) -> None:
    table["rows"][row][table["columns"].index(column)] = value


def _refused(session: Session, document: str, message: str) -> None:
    before = snapshot(session)
    with pytest.raises(backup.BackupError, match=message):
        backup.restore_backup(session, io.StringIO(document), replace=True)
    session.rollback()
    assert snapshot(session) == before


def test_a_category_that_is_its_own_parent_is_refused(session: Session) -> None:
    document = _edited(session, lambda t: _set(t["categories"], 0, "parent_id", 1))
    _refused(session, document, "category 1 is its own ancestor")


def test_thousands_of_nested_categories_are_refused_without_recursion(session: Session) -> None:
    def nest(tables: dict) -> None:
        categories = tables["categories"]
        template = list(categories["rows"][-1])
        columns = categories["columns"]
        for n in range(3000):
            row = list(template)
            row[columns.index("id")] = 100 + n
            row[columns.index("name")] = f"Level {n}"
            row[columns.index("parent_id")] = 99 + n if n else None
            categories["rows"].append(row)

    _refused(session, _edited(session, nest), "more than 10 levels deep")


def test_a_rule_tag_over_60_characters_is_refused(session: Session) -> None:
    def add_rule(tables: dict) -> None:
        rules = tables["rules"]
        row = dict.fromkeys(rules["columns"])
        row.update(id=99, name="Long", priority=1, enabled=True, payee_contains="x")
        row["add_tags"] = "t" * 61
        rules["rows"].append([row[c] for c in rules["columns"]])

    _refused(session, _edited(session, add_rule), r"rules row 2 \(id 99\): A tag has at most 60")


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("accounts", "currency", "XYZ", "'XYZ' is not an ISO 4217 currency code"),
        ("accounts", "name", "x" * 121, "at most 120 characters"),
        ("transactions", "amount", 10**17, "amounts go up to"),
        ("transactions", "date", "1026-11-28", "outside the dates fintrack keeps"),
        ("transactions", "amount", 2**63, "a whole number the column holds"),
        ("categories", "name", "Food › Snacks", "cannot contain"),
    ],
)
def test_rows_go_through_the_forms_validators(
    session: Session, table: str, column: str, value, message: str
) -> None:
    document = _edited(session, lambda t: _set(t[table], 0, column, value))
    _refused(session, document, message)


def test_deeply_nested_json_is_refused_before_parsing(session: Session) -> None:
    sample_ledger(session)
    session.commit()
    document = make_backup(session)
    at = document.index('"rows": [') + len('"rows": [')
    hostile = document[:at] + "[" * 100_000 + "]" * 100_000 + "," + document[at:]
    _refused(session, hostile, "nest deeper than 32 levels")


def test_login_attempts_are_neither_backed_up_nor_restored(session: Session) -> None:
    sample_ledger(session)
    session.add(
        LoginAttempt(
            id=2,  # the sample ledger holds attempt 1 with an explicit id
            username="admin",
            client="203.0.113.9",
            succeeded=False,
            attempted_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        )
    )
    session.commit()
    document = json.loads(make_backup(session))
    assert "login_attempts" not in {t["name"] for t in document["tables"]}
    document["tables"].append(
        {
            "name": "login_attempts",
            "columns": ["id", "username", "client", "succeeded", "attempted_at"],
            "rows": [[9, "admin", "x", False, "2099-01-01T00:00:00+00:00"]],
        }
    )
    empty(session)
    session.execute(LoginAttempt.__table__.delete())
    session.commit()

    backup.restore_backup(session, io.StringIO(json.dumps(document)))
    session.commit()

    assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


def test_unknown_settings_are_not_restored(session: Session) -> None:
    def add_setting(tables: dict) -> None:
        tables["app_state"]["rows"].append(["evil_flag", "1"])

    document = _edited(session, add_setting)
    empty(session)
    backup.restore_backup(session, io.StringIO(document))
    session.commit()
    assert session.get(AppState, "evil_flag") is None
    assert session.get(AppState, "dark_mode").value == "1"


def test_the_second_factor_neither_leaves_in_a_backup_nor_comes_back_from_one(
    session: Session,
) -> None:
    sample_ledger(session)
    session.add_all(
        [
            AppState(key="two_factor_secret", value="JBSWY3DPEHPK3PXP"),
            AppState(key="reporting_currency", value="CHF"),
        ]
    )
    session.commit()
    document = json.loads(make_backup(session))
    state = next(t for t in document["tables"] if t["name"] == "app_state")
    assert sorted(key for key, _ in state["rows"]) == ["dark_mode", "reporting_currency"]

    state["rows"].append(["two_factor_secret", "AAAAAAAAAAAAAAAA"])
    backup.restore_backup(session, io.StringIO(json.dumps(document)), replace=True)
    session.commit()

    assert session.get(AppState, "two_factor_secret").value == "JBSWY3DPEHPK3PXP"
    assert session.get(AppState, "reporting_currency").value == "CHF"
