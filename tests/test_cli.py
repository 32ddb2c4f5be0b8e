"""The command line as a user runs it: exit codes, stdout and stderr."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from typer.testing import CliRunner

from spreiding.cli import app
from spreiding.domain.access import FailureLimit
from spreiding.services import access
from tests import files as f
from tests.conftest import SAMPLES, V1
from tests.test_reader import CASES, Files, with_c
from tests.test_store import stored_rows

runner = CliRunner()


def rows_in(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return stored_rows(connection)


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The CLI opens its own engine from the URL and commits: these tests use ``engine``, which
    empties the tables, since there is no outer transaction for the CLI to join."""
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_validate_a_valid_dataset(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(f.write(tmp_path, f.base_files()))])
    assert result.exit_code == 0
    assert result.stdout == (
        f"{tmp_path}: valid — 2 hospitals, 1 insurers, 1 agreements, 1 prices, "
        "2 DBCs (1 ODV), 1 declarations, 1 transfers\n"
    )


def test_validate_prints_every_error_to_stderr_and_exits_2(tmp_path: Path) -> None:
    files = f.base_files()
    files["prices.csv"].append(f.price(code="131999062", eur="1,5"))
    files["dbcs.csv"][1]["end_date"] = "2024-02-01"
    result = runner.invoke(app, ["validate", str(f.write(tmp_path, files))])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "prices.csv:3: price_eur: '1,5' is not an amount in euros with '.' and at most two decimals",
        "dbcs.csv:3: end_date: 2024-02-01 is before start_date 2024-03-01",
        f"{tmp_path}: invalid: 2 error(s)",
    ]


def test_import_stores_and_reimport_changes_nothing(database: Engine, tmp_path: Path) -> None:
    folder = str(f.write(tmp_path, f.base_files()))
    first = runner.invoke(app, ["import", folder])
    assert first.exit_code == 0, first.stderr
    assert "dbcs: 2 added, 0 unchanged" in first.stdout
    again = runner.invoke(app, ["import", folder])
    assert again.exit_code == 0
    assert "dbcs: 0 added, 2 unchanged" in again.stdout
    assert rows_in(database)["Dbc"] == 2


def test_import_of_10000_bad_rows_counts_them_and_stores_nothing(
    database: Engine, tmp_path: Path
) -> None:
    files = f.base_files()
    files["dbcs.csv"] += [f.dbc(dbc_id=f"X{i}", start="2024-13-01") for i in range(10_000)]
    result = runner.invoke(app, ["import", str(f.write(tmp_path, files))])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    # One cause in one column (issue 15): five rows named, the other 9,995 counted on one line.
    assert lines[:-1] == [
        *(
            f"dbcs.csv:{line}: start_date: '2024-13-01' is not a date YYYY-MM-DD"
            for line in range(4, 9)
        ),
        "dbcs.csv:9: start_date: 9,995 more rows with the same error, from this line to line 10003",
    ]
    assert lines[-1] == f"{tmp_path}: invalid, nothing stored: 6 error(s)"
    assert set(rows_in(database).values()) == {0}


def test_import_refuses_a_conflict(database: Engine, tmp_path: Path) -> None:
    files = f.base_files()
    assert runner.invoke(app, ["import", str(f.write(tmp_path / "a", files))]).exit_code == 0
    files["hospitals.csv"][0]["name"] = "Alrijne Leiderdorp"
    result = runner.invoke(app, ["import", str(f.write(tmp_path / "b", files))])
    assert result.exit_code == 2
    # Named by file, line and column (issue 15), as the import's other errors are.
    assert result.stderr.splitlines()[0] == (
        "hospitals.csv:2: name: stored Alrijne, dataset Alrijne Leiderdorp"
    )


def test_settle_from_files_and_from_the_database_agree(database: Engine, tmp_path: Path) -> None:
    folder = str(f.write(tmp_path, f.base_files()))
    from_files = runner.invoke(app, ["settle", "--data", folder, "--year", "2024"])
    assert from_files.exit_code == 0, from_files.stderr
    assert runner.invoke(app, ["import", folder]).exit_code == 0
    from_db = runner.invoke(app, ["settle", "--year", "2024"])
    assert from_db.exit_code == 0, from_db.stderr
    assert from_db.stdout == from_files.stdout
    assert json.loads(from_files.stdout)["total"] == "1799.10"


def test_settle_an_invalid_dataset_exits_2(tmp_path: Path) -> None:
    files = f.base_files()
    files["hospitals.csv"] = None
    result = runner.invoke(
        app, ["settle", "--data", str(f.write(tmp_path, files)), "--year", "2024"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("hospitals.csv:0: (file): required file is missing")


def test_settle_table_names_pairs_and_payments(tmp_path: Path) -> None:
    folder = str(f.write(tmp_path, f.base_files()))
    result = runner.invoke(app, ["settle", "--data", folder, "--year", "2024", "--format", "table"])
    assert result.exit_code == 0
    assert "06010001 Alrijne" in result.stdout
    assert "06010001 Alrijne pays 06010002 Groene Hart: € 1.799,10" in result.stdout


LIMIT = FailureLimit(attempts=3, window_seconds=60)


def test_demo_loads_and_settles_every_sample(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    folders = sorted(p for p in SAMPLES.iterdir() if (p / "hospitals.csv").exists())
    assert len(folders) == 9
    for folder in folders:
        assert f" {folder.name} " in result.stdout
        table = runner.invoke(
            app, ["settle", "--data", str(folder), "--year", "2024", "--format", "table"]
        )
        assert table.stdout in result.stdout
    assert "9 samples loaded, settled and audited for 2024" in result.stdout
    assert (tmp_path / "demo.db").is_file()
    # It ends with how to serve the pages and a key per role, each accepted by the database.
    url = f"sqlite:///{(tmp_path / 'demo.db').resolve()}"
    tail = result.stdout[result.stdout.index("SPREIDING_DATABASE_URL=") :]
    assert tail.startswith(f"SPREIDING_DATABASE_URL={url} spreiding serve")
    assert "http://127.0.0.1:8000/portaal" in tail
    assert "printed only because this is a local demo database" in tail
    shown = dict(line.strip().rsplit(": ", 1) for line in tail.splitlines() if ": spr_" in line)
    assert list(shown) == [
        "admin",
        "hospital 06010101 Alrijne Ziekenhuis",
        "bureau (samen-plus)",
        "insurer 3311 Zilveren Kruis Achmea",
    ]
    engine = create_engine(url)
    with engine.connect() as connection:
        for who, key in shown.items():
            principal = access.authenticate(
                connection, key, client=None, limit=LIMIT, now=datetime.now(UTC)
            )
            assert principal is not None and principal.role == who.split(" ")[0]
    engine.dispose()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in CASES if name != "not utf-8"],
)
def test_import_of_a_broken_file_reports_it_and_stores_nothing(
    database: Engine,
    tmp_path: Path,
    mutate: Callable[[Files], None],
    expected: list[tuple[str, int, str]],
) -> None:
    files = with_c(copy.deepcopy(f.base_files()))
    mutate(files)
    result = runner.invoke(app, ["import", str(f.write(tmp_path, files))])
    assert result.exit_code == 2
    reported = [line.split(": ", 2)[:2] for line in result.stderr.splitlines()[:-1]]
    assert reported == [[f"{file}:{line}", column] for file, line, column in expected]
    assert set(rows_in(database).values()) == {0}


SAMEN_PLUS = V1 / "samen-plus"


def test_audit_json_table_csv_and_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    args = ["audit", "--data", str(SAMEN_PLUS), "--year", "2024"]
    as_json = json.loads(runner.invoke(app, args).stdout)
    rules = [x["rule"] for x in as_json["findings"]]
    assert rules == ["ODV-001", "ODV-002", "PAR-001", "PAR-002", "TRF-001"]
    table = runner.invoke(app, [*args, "--format", "table"]).stdout
    assert "ODV-001   error              1       € 1.999,00" in table
    assert "  ODV-001  error     06010102  declaration SAME-V00103" in table
    csv_text = runner.invoke(app, [*args, "--format", "csv"]).stdout
    assert csv_text.splitlines()[0] == (
        "rule,severity,agb,uzovi,declaration_id,dbc_id,transfer_id,related,amount_at_stake,message"
    )
    assert len(csv_text.splitlines()) == 1 + len(rules)
    workbook_path = tmp_path / "audit.xlsx"
    result = runner.invoke(app, [*args, "--format", "xlsx", "--output", str(workbook_path)])
    assert result.exit_code == 0, result.stderr
    workbook = load_workbook(workbook_path)
    # A summary first, then a sheet per rule that found something (PAR-003 found nothing).
    assert workbook.sheetnames == [
        "Samenvatting", "ODV-001", "ODV-002", "PAR-001", "PAR-002", "TRF-001",
    ]  # fmt: skip
    odv = list(workbook["ODV-001"].iter_rows(values_only=True))
    assert len(odv) == 2 and odv[1][0] == "ODV-001" and str(odv[1][11]) == "1999"


def test_xlsx_needs_an_output_file() -> None:
    result = runner.invoke(
        app, ["audit", "--data", str(SAMEN_PLUS), "--year", "2024", "--format", "xlsx"]
    )
    assert result.exit_code == 2


def test_audit_on_the_database_is_a_stored_run(database: Engine, tmp_path: Path) -> None:
    assert runner.invoke(app, ["import", str(SAMEN_PLUS)]).exit_code == 0
    first = runner.invoke(app, ["audit", "--year", "2024"])
    assert first.exit_code == 0, first.stderr
    run_id = first.stderr.split(":")[0].removeprefix("created audit run ")
    assert first.stderr == f"created audit run {run_id}: 2024, 5 findings\n"
    again = runner.invoke(app, ["audit", "--year", "2024"])
    assert again.stderr == f"unchanged inputs, existing audit run {run_id}: 2024, 5 findings\n"
    assert again.stdout == first.stdout
    from_files = runner.invoke(app, ["audit", "--data", str(SAMEN_PLUS), "--year", "2024"])
    assert from_files.stdout == first.stdout
