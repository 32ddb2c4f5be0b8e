"""ZH308 v9.0: the writer's files read back to the declarations they were written from, every
breach reported at its line and field, credits linked, activities elsewhere kept, the audit
unchanged, and no BSN anywhere after an import."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import Engine, inspect, text
from typer.testing import CliRunner

from spreiding.cli import app
from spreiding.contract.reader import read_dataset
from spreiding.domain.errors import DatasetInvalid
from spreiding.formats import zh308
from spreiding.formats.pseudonyms import key_text, pseudonym
from spreiding.formats.zh308 import Activity, Declaration, read_zh308, write_files
from spreiding.services.audit import audit_dataset
from spreiding.services.formats import dataset_with_declarations, declarations_csv
from tests.conftest import V1

runner = CliRunner()
KEY = bytes(range(32))
SAMPLE = V1 / "samen-plus"


def bsn_for(number: int) -> str:
    """A valid BSN made from ``number``: eight digits and the check digit that passes the
    11-check (9a+8b+...+2h-1i divisible by 11), skipping eight digits that have none."""
    for step in range(20):
        digits = f"{10_000_000 + number * 37 + step:08d}"
        check = sum((9 - i) * int(d) for i, d in enumerate(digits)) % 11
        if check <= 9:
            return digits + str(check)
    raise AssertionError("no check digit")


def _patients(folder: Path) -> dict[str, str]:
    """Every patient_ref of the sample's files, with a BSN for it."""
    refs: set[str] = set()
    for name in ("dbcs.csv", "declarations.csv", "transfers.csv"):
        with (folder / name).open(encoding="utf-8") as handle:
            refs |= {row["patient_ref"] for row in csv.DictReader(handle)}
    return {ref: bsn_for(i) for i, ref in enumerate(sorted(refs))}


@pytest.fixture
def pseudonymised(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """samen-plus with every patient_ref replaced by the pseudonym of a BSN (as hospitals
    would have it after `spreiding pseudonymise`), and each pseudonym's BSN."""
    folder = tmp_path / "samen-plus"
    shutil.copytree(SAMPLE, folder)
    bsns = _patients(SAMPLE)
    for name in ("dbcs.csv", "declarations.csv", "transfers.csv"):
        content = (folder / name).read_text(encoding="utf-8")
        for ref, bsn in bsns.items():
            content = content.replace(ref, pseudonym(KEY, bsn))
        (folder / name).write_text(content, encoding="utf-8")
    return folder, {pseudonym(KEY, bsn): bsn for bsn in bsns.values()}


def declarations_of(folder: Path) -> list[Declaration]:
    with (folder / "declarations.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    day = dt.date.fromisoformat
    return [
        Declaration(
            declaration_id=r["declaration_id"],
            agb=r["agb"],
            uzovi=r["uzovi"],
            patient_ref=r["patient_ref"],
            zorgproduct_code=r["zorgproduct_code"],
            start_date=day(r["start_date"]),
            end_date=day(r["end_date"]),
            amount_cents=int(Decimal(r["amount_eur"]) * 100),
            declared_on=day(r["declared_on"]),
            dbc_id=r["dbc_id"] or None,
            # 410 is mandatory: the writer fills a missing declaratiecode with the
            # zorgproduct code's last six digits, which the reader then reads.
            declaratiecode=r["declaratiecode"] or r["zorgproduct_code"][3:],
        )
        for r in rows
    ]


def by_id(declarations: list[Declaration]) -> list[Declaration]:
    return sorted(declarations, key=lambda d: d.declaration_id)


def test_a_sample_written_and_read_back_is_the_same_declarations(
    pseudonymised: tuple[Path, dict[str, str]],
) -> None:
    folder, bsn_of = pseudonymised
    declarations = declarations_of(folder)
    files = write_files(declarations, bsn_of=bsn_of.__getitem__)
    assert len(declarations) == 35
    # One invoice per hospital, insurer and date.
    assert len(files) == len({(d.agb, d.uzovi, d.declared_on) for d in declarations})
    content = zh308.read_files(files.items(), key=KEY)
    assert by_id(content.declarations) == by_id(declarations)
    # The two credits of the sample, each linked (459) to the debit it cancels.
    assert content.credits == {"SAME-V00108": "SAME-V00107", "SAME-V00119": "SAME-V00117"}
    for text_ in files.values():
        assert all(len(line) == 610 for line in text_.split("\r\n")[:-1])
        assert text_.endswith("\r\n")


def test_the_audit_of_a_zh308_import_finds_what_the_csv_audit_finds(
    pseudonymised: tuple[Path, dict[str, str]],
) -> None:
    folder, bsn_of = pseudonymised
    files = write_files(declarations_of(folder), bsn_of=bsn_of.__getitem__)
    content = zh308.read_files(files.items(), key=KEY)
    from_zh308 = dataset_with_declarations(folder, declarations_csv(content.declarations))
    from_csv = read_dataset(folder)
    expected = audit_dataset(from_csv, year=2024)
    assert [f.rule for f in expected] == ["ODV-001", "ODV-002", "PAR-001", "PAR-002", "TRF-001"]
    assert audit_dataset(from_zh308, year=2024) == expected


def _one_file(bsn: str = "111222333") -> tuple[str, list[str]]:
    declaration = Declaration(
        declaration_id="V1",
        agb="06010101",
        uzovi="3311",
        patient_ref="P",
        zorgproduct_code="131999061",
        start_date=dt.date(2024, 2, 19),
        end_date=dt.date(2024, 2, 21),
        amount_cents=199_900,
        declared_on=dt.date(2024, 3, 6),
        dbc_id="D1",
        declaratiecode="999061",
    )
    files = write_files([declaration], bsn_of=lambda _ref: bsn)
    ((name, content),) = files.items()
    return name, content.split("\r\n")[:-1]


def _put(line: str, number: int, value: str) -> str:
    f = zh308.FIELDS[number]
    assert len(value) == f.length
    return line[: f.start] + value + line[f.end :]


def errors_of(lines: list[str]) -> list[str]:
    with pytest.raises(DatasetInvalid) as refused:
        read_zh308("f.zh308", "\r\n".join(lines) + "\r\n", key=KEY)
    return [str(e) for e in refused.value.errors]


def test_the_written_file_has_the_layout_and_reads_back() -> None:
    name, lines = _one_file()
    assert name == "06010101-3311-20240306.zh308"
    assert [line[:2] for line in lines] == ["01", "02", "04", "06", "99"]
    # 9902..9908: 1 verzekerden-, 1 prestatie-, 1 tariefrecord, 3 detail records; 9909 total.
    assert lines[4][:57] == "99000001000000000001000001000000000000000000300000199900D"
    (declaration,) = read_zh308(name, "\n".join(lines), key=KEY).declarations
    assert declaration.amount_cents == 199_900
    assert declaration.patient_ref == pseudonym(KEY, "111222333")


def test_a_wrong_counter_is_refused_at_its_line_and_field() -> None:
    _, lines = _one_file()
    lines[4] = _put(lines[4], 9904, "000002")
    assert errors_of(lines) == [
        "f.zh308:5: field 9904 AANTAL PRESTATIERECORDS: says 2, the file has 1"
    ]


def test_a_wrong_total_is_refused() -> None:
    _, lines = _one_file()
    lines[4] = _put(lines[4], 9910, "C")
    assert errors_of(lines) == [
        "f.zh308:5: field 9909 TOTAAL DECLARATIEBEDRAG: says -1999.00 (with 9910), "
        "the tariefrecords add up to 1999.00"
    ]


def test_a_609_character_record_is_refused_at_its_line_and_field() -> None:
    _, lines = _one_file()
    lines[2] = lines[2][:609]
    assert errors_of(lines) == [
        "f.zh308:3: field 480 RESERVE: the record is 609 positions long, must be 610"
    ]


def test_a_bad_date_is_refused_at_its_line_and_field() -> None:
    _, lines = _one_file()
    lines[2] = _put(lines[2], 411, "20240230")
    assert errors_of(lines) == [
        "f.zh308:3: field 411 BEGINDATUM PRESTATIE: is not a date (EEJJMMDD): '20240230'"
    ]


def test_every_error_is_reported_and_no_bsn_is_quoted() -> None:
    _, lines = _one_file(bsn="111222334")  # fails the 11-check
    lines[3] = _put(lines[3], 620, "0001999X")
    lines[0] = _put(lines[0], 117, "20241301")
    lines[2] = _put(lines[2], 458, " " * 20)
    errors = errors_of(lines)
    assert errors == [
        "f.zh308:1: field 117 DAGTEKENING FACTUUR: is not a date (EEJJMMDD): '20241301'",
        "f.zh308:3: field 458 REFERENTIENUMMER DIT PRESTATIERECORD: is mandatory",
        "f.zh308:4: field 620 DECLARATIEBEDRAG (INCL. BTW): "
        "must be digits only (numeric, zero-padded)",
    ]
    _, lines = _one_file(bsn="999999999")
    assert errors_of(lines) == [
        "f.zh308:3: field 403 BURGERSERVICENUMMER (BSN) VERZEKERDE: "
        "BSN 999999999 means 'BSN unknown'; it has no pseudonym"
    ]
    _, lines = _one_file(bsn="111222334")
    assert errors_of(lines) == [
        "f.zh308:3: field 403 BURGERSERVICENUMMER (BSN) VERZEKERDE: BSN fails the 11-check"
    ]


def test_a_faulty_voorlooprecord_does_not_hide_the_declarations_faults() -> None:
    _, lines = _one_file(bsn="111222334")
    lines[0] = _put(lines[0], 117, "20240631")
    lines[2] = _put(lines[2], 412, "20240218")  # the day before 411
    assert errors_of(lines) == [
        "f.zh308:1: field 117 DAGTEKENING FACTUUR: is not a date (EEJJMMDD): '20240631'",
        "f.zh308:3: field 403 BURGERSERVICENUMMER (BSN) VERZEKERDE: BSN fails the 11-check",
        "f.zh308:3: field 412 EINDDATUM PRESTATIE: 2024-02-18 is before 411 BEGINDATUM "
        "PRESTATIE 2024-02-19",
    ]


def test_another_version_is_refused_by_name() -> None:
    _, lines = _one_file()
    lines[0] = _put(lines[0], 103, "08")
    assert errors_of(lines) == [
        "f.zh308:1: field 103 VERSIENUMMER BERICHTSTANDAARD: version 08.00 is not read; "
        "this reader reads ZH308 version 9.0"
    ]


def test_a_credit_must_name_what_it_credits() -> None:
    _, lines = _one_file()
    lines[2] = _put(lines[2], 457, "C")
    lines[3] = _put(_put(lines[3], 618, "C"), 621, "C")
    lines[4] = _put(lines[4], 9910, "C")
    assert errors_of(lines) == [
        "f.zh308:3: field 459 REFERENTIENUMMER VOORGAANDE GERELATEERDE PRESTATIERECORD: "
        "is mandatory for a credit (457 is C)"
    ]
    lines[2] = _put(lines[2], 459, "V0".ljust(20))
    content = read_zh308("f.zh308", "\n".join(lines), key=KEY)
    assert content.credits == {"V1": "V0"}
    assert content.declarations[0].amount_cents == -199_900


def test_activities_performed_elsewhere_are_kept_as_their_own_records() -> None:
    declaration = declarations_of(SAMPLE)[0]
    activity = Activity(
        declaration_id=declaration.declaration_id,
        agb=declaration.agb,
        activity_number="1",
        activity_code="039133",
        start_date=declaration.start_date,
        end_date=declaration.start_date,
        count=1,
        performed_at="06010101",
    )
    here = Activity(**{**activity.__dict__, "activity_number": "2", "performed_at": None})
    files = write_files(
        [declaration],
        bsn_of=lambda _ref: "123456782",
        activities={declaration.declaration_id: [activity, here]},
    )
    content = zh308.read_files(files.items(), key=KEY)
    assert content.activities == [activity, here]
    (text_,) = files.values()
    # 9902 1, 9903 0, 9904 1, 9905 1, 9906 2 zorgactiviteitrecords, 9907 0, 9908 5; 11234.55 D.
    closing = "99" + "000001" + "000000" + "000001" + "000001" + "000002" + "000000"
    assert text_.split("\r\n")[6][:57] == closing + "0000005" + "00001123455" + "D"


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_import_zh308_stores_the_declarations_and_no_bsn_anywhere(
    database: Engine, pseudonymised: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, bsn_of = pseudonymised
    paths = []
    for name, content in write_files(declarations_of(folder), bsn_of=bsn_of.__getitem__).items():
        paths.append(tmp_path / name)
        paths[-1].write_text(content, encoding="latin-1", newline="")
    key_file = tmp_path / "k.key"
    key_file.write_text(key_text(KEY))
    os.chmod(key_file, 0o600)
    (folder / "declarations.csv").unlink()  # the ZH308 files bring them
    out_csv = tmp_path / "declarations-out.csv"
    result = runner.invoke(
        app,
        ["--lang", "en", "import-zh308", *map(str, paths), "--key-file", str(key_file),
         "--dataset", str(folder), "--out", str(out_csv)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"{len(paths)} file(s): 35 declaration(s), 2 credit(s), 0 activity record(s), "
        "0 performed at another institution — "
    )
    with database.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM declaration")).scalar_one()
        assert stored == 35
        dump = []
        for name in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{name}"')):
                dump.append(repr(tuple(row)))
    dumped = "\n".join(dump)
    assert len(dumped) > 10_000
    written = out_csv.read_text()
    for bsn in bsn_of.values():
        for where in (dumped, result.stdout, result.stderr, written):
            assert bsn not in where


@st.composite
def invoices(draw: st.DrawFn) -> list[Declaration]:
    """Declarations of one hospital to one insurer on one date: amounts from 0 to the largest
    620 holds (8 digits of cents), some credited back in full."""
    count = draw(st.integers(min_value=1, max_value=6))
    day = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 1)))
    out = []
    for i in range(count):
        amount = draw(st.sampled_from([0, 1, 99_999_999]) | st.integers(0, 99_999_999))
        event("amount at a boundary" if amount in (0, 1, 99_999_999) else "amount inside")
        out.append(
            Declaration(
                declaration_id=f"V{i}",
                agb="06010101",
                uzovi="3311",
                patient_ref=pseudonym(KEY, bsn_for(draw(st.integers(0, 3)))),
                zorgproduct_code=draw(st.sampled_from(["131999061", "029899011"])),
                start_date=day - dt.timedelta(days=draw(st.integers(0, 365))),
                end_date=day,
                amount_cents=amount,
                declared_on=day,
                dbc_id=draw(st.none() | st.just(f"D{i}")),
                declaratiecode="999061",
            )
        )
    for debit in list(out):
        if debit.amount_cents > 0 and draw(st.booleans()):
            event("a credit")
            out.append(
                Declaration(
                    **{**debit.__dict__, "declaration_id": f"C{debit.declaration_id}",
                       "amount_cents": -debit.amount_cents}
                )
            )  # fmt: skip
    return out


@given(invoices())
def test_any_invoice_reads_back_exactly_and_its_total_is_the_sum_of_its_lines(
    declarations: list[Declaration],
) -> None:
    bsns = {pseudonym(KEY, bsn_for(n)): bsn_for(n) for n in range(4)}
    ((_name, content),) = write_files(declarations, bsn_of=bsns.__getitem__).items()
    read = read_zh308("f.zh308", content, key=KEY)
    assert by_id(read.declarations) == by_id(declarations)
    # Each credit is linked to a distinct debit it cancels (its own, or an identical one).
    credits = [d for d in declarations if d.amount_cents < 0]
    assert sorted(read.credits) == sorted(d.declaration_id for d in credits)
    assert len(set(read.credits.values())) == len(credits)
    ids = {d.declaration_id: d for d in declarations}
    for credit in credits:
        debit = ids[read.credits[credit.declaration_id]]
        assert debit.__dict__ | {"declaration_id": "", "amount_cents": 0} == (
            credit.__dict__ | {"declaration_id": "", "amount_cents": 0}
        )
        assert debit.amount_cents == -credit.amount_cents
    closing = content.split("\r\n")[-2]
    total = sum(d.amount_cents for d in declarations)
    assert closing[45:57] == f"{abs(total):011d}" + ("C" if total < 0 else "D")


def test_check_only_with_a_year_lists_care_performed_elsewhere_without_agreement(
    pseudonymised: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, bsn_of = pseudonymised
    declarations = declarations_of(folder)
    elsewhere = {
        "SAME-V00026": [
            Activity("SAME-V00026", "06010101", "1", "039133", dt.date(2024, 6, 3),
                     dt.date(2024, 6, 3), 1, "06010102"),  # the agreed performer
        ],
        "SAME-V00103": [
            Activity("SAME-V00103", "06010102", "1", "039133", dt.date(2024, 2, 12),
                     dt.date(2024, 2, 12), 1, "06010101"),  # not the agreed performer
        ],
    }  # fmt: skip
    paths = []
    files = write_files(declarations, bsn_of=bsn_of.__getitem__, activities=elsewhere)
    for name, content in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(content, encoding="latin-1", newline="")
    key_file = tmp_path / "k.key"
    key_file.write_text(key_text(KEY))
    os.chmod(key_file, 0o600)
    activities_csv = tmp_path / "activities.csv"
    result = runner.invoke(
        app,
        ["--lang", "en", "import-zh308", *map(str, paths), "--key-file", str(key_file),
         "--dataset", str(folder), "--year", "2024", "--check-only",
         "--activities", str(activities_csv)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{len(paths)} file(s): 35 declaration(s), 2 credit(s), 2 activity record(s), "
        "2 performed at another institution",
        "ACT-001 error 06010102 SAME-V00103 1999.00: Declaration SAME-V00103 of 06010102 "
        "includes care performed at 06010101, but no agreement in force between them covers "
        "zorgproduct 131999061",
    ]
    assert activities_csv.read_text().splitlines() == [
        "declaration_id,agb,activity_number,activity_code,start_date,end_date,count,"
        "performed_at,credit",
        "SAME-V00026,06010101,1,039133,2024-06-03,2024-06-03,1,06010102,false",
        "SAME-V00103,06010102,1,039133,2024-02-12,2024-02-12,1,06010101,false",
    ]
