"""Bad input is refused, never a crash (issue 8: "Bad input that crashes instead of being
refused", and item 7's ids): ``spreiding validate`` and ``import`` exit 2 with ``FILE:LINE:
COLUMN: message`` lines and no traceback, ``POST /datasets`` answers 413 or 422 with the error
body, and nothing is stored, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from spreiding.cli import app
from spreiding.contract import agreements as agreements_module
from spreiding.contract.agreement_fields import Invalid
from spreiding.contract.agreements import parse_agreements
from spreiding.contract.reader import read_dataset
from spreiding.domain.errors import DatasetInvalid
from spreiding.store.datasets import load_dataset
from spreiding.store.keys import create_key
from tests import files as f
from tests.conftest import app_for
from tests.test_reader import DELETE, Files, add_row, set_agreement, set_row
from tests.test_store import stored_rows

runner = CliRunner()
A, B = f.HOSPITAL_A, f.HOSPITAL_B
NUL = "contains a NUL character (\\x00), which no value may hold"
FORMULA = '=HYPERLINK("http://evil.example/x","click")'
NOTHING = {
    "Hospital": 0, "Insurer": 0, "Agreement": 0, "CareType": 0, "Price": 0, "Dbc": 0,
    "Declaration": 0, "Transfer": 0,
}  # fmt: skip


def formula(value: str) -> str:
    return (
        f"{value!r} starts with {value[0]!r}; an id may not start with =, +, -, @, a tab or a "
        "carriage return (a spreadsheet would run it as a formula)"
    )


def long(chars: int) -> str:
    return f"is {chars:,} characters long; a value has at most 1,000"


def edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace text in a written file: what the row builders cannot write (a JSON number of
    100,000 digits, a header of 140,000 characters)."""

    def apply(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def nested(depth: int) -> Any:
    value: Any = "06010001"
    for _ in range(depth):
        value = [value]
    return value


def with_volume(files: Files) -> None:
    set_agreement("care_types.0.planned_volume", {"2024": 1})(files)


@dataclass(frozen=True)
class Case:
    change: Callable[[Files], None] | None
    after: Callable[[Path], None] | None
    errors: list[str]

    def folder(self, path: Path) -> Path:
        files = f.base_files()
        if self.change is not None:
            self.change(files)
        f.write(path, files)
        if self.after is not None:
            self.after(path)
        return path


def case(
    name: str,
    errors: list[str],
    change: Callable[[Files], None] | None = None,
    after: Callable[[Path], None] | None = None,
) -> Any:
    return pytest.param(Case(change, after, errors), id=name)


DIGITS = "9" * 100_000
CASES = [
    # 1. A NUL byte: PostgreSQL refused the row (DataError), SQLite stored it.
    case("nul-in-a-csv-text", [f"dbcs.csv:3: diagnosis: {NUL}"],
         set_row("dbcs.csv", 1, diagnosis="ingreep\x00links")),
    case("nul-in-a-csv-id", [f"dbcs.csv:3: patient_ref: {NUL}"],
         set_row("dbcs.csv", 1, patient_ref="P-0001\x00")),
    case("nul-in-a-transfer", [f"transfers.csv:2: transfer_id: {NUL}"],
         set_row("transfers.csv", 0, transfer_id="T\x001")),
    case("nul-in-agreements-json", [f"agreements.json:0: name: {NUL}"],
         set_agreement("name", "Samen\x00")),
    # 2. Dates no date type stores: year 0 (pandas reads it as 1 BC), year 10000.
    case("date-year-0", ["dbcs.csv:3: start_date: '0000-01-01' is not a date YYYY-MM-DD"],
         set_row("dbcs.csv", 1, start_date="0000-01-01")),
    case("date-year-0-declared", [
        "declarations.csv:2: declared_on: '0000-01-01' is not a date YYYY-MM-DD"],
         set_row("declarations.csv", 0, declared_on="0000-01-01")),
    case("date-year-0-transfer", [
        "transfers.csv:2: transfer_date: '0000-01-01' is not a date YYYY-MM-DD"],
         set_row("transfers.csv", 0, transfer_date="0000-01-01")),
    case("date-year-10000", ["dbcs.csv:3: end_date: '10000-01-01' is not a date YYYY-MM-DD"],
         set_row("dbcs.csv", 1, end_date="10000-01-01")),
    case("date-year-0-json", ["agreements.json:0: valid_from: '0000-01-01' is not a date YYYY-MM-DD"],
         set_agreement("valid_from", "0000-01-01")),
    # 3. Nesting: the JSON decoder gave up with a RecursionError.
    case("json-nested-100000-deep", ["agreements.json:0: (json): not valid JSON: nested too deeply"],
         after=lambda folder: (folder / "agreements.json").write_text("[" * 100_000 + "]" * 100_000)),
    case("json-value-nested-500-deep", [
        "agreements.json:0: parties: an agreement needs at least 2 parties, has 1",
        "agreements.json:0: parties[0]: [[[...]]] is not an AGB code (a string of 8 digits)"],
         set_agreement("parties", nested(500))),
    # 4. 100,000 digits: in a money column, and in agreements.json as a string or a number
    # (Python refuses to convert an integer of more than 4,300 digits: ValueError).
    case("money-100000-digits", [f"prices.csv:2: price_eur: {long(100_000)}"],
         set_row("prices.csv", 0, price_eur=DIGITS)),
    case("share-100000-digit-string", [
        f"agreements.json:0: care_types[0].settlement.share: {long(100_002)}"],
         set_agreement("care_types.0.settlement.share", "0." + DIGITS)),
    case("share-100000-digit-number", [
        f"agreements.json:0: care_types[0].settlement.share: {long(100_000)}"],
         after=edit("agreements.json", '"share": "0.90"', f'"share": {DIGITS}')),
    case("share-100000-digit-float", [
        f"agreements.json:0: care_types[0].settlement.share: {long(100_002)}"],
         after=edit("agreements.json", '"share": "0.90"', f'"share": 0.{DIGITS}')),
    case("fee-100000-digits", [
        f"agreements.json:0: care_types[0].settlement.fee_eur: {long(100_000)}"],
         set_agreement("care_types.0", f.care_type(method="fixed_fee", fee_eur=DIGITS))),
    case("planned-volume-100000-digits", [
        f"agreements.json:0: care_types[0].planned_volume.2024: {long(100_000)}"],
         with_volume, edit("agreements.json", '"2024": 1', f'"2024": {DIGITS}')),
    case("share-with-7-decimals", [
        "agreements.json:0: care_types[0].settlement.share: share has 7 decimals; at most 6 are allowed"],
         set_agreement("care_types.0.settlement.share", "0.1234567")),
    # 5. A header over the csv module's field limit (131,072 characters): _csv.Error.
    case("header-140000-characters", [
        "prices.csv:1: (header): the header line is longer than 10,000 characters"],
         after=edit("prices.csv", "price_list,", "x" * 140_000 + ",price_list,")),
    # 6. The longest value.
    case("text-of-1001-characters", [f"dbcs.csv:3: diagnosis: {long(1001)}"],
         set_row("dbcs.csv", 1, diagnosis="x" * 1001)),
    case("id-of-200000-characters", [f"transfers.csv:2: transfer_id: {long(200_000)}"],
         set_row("transfers.csv", 0, transfer_id="T" * 200_000)),
    case("json-text-of-1001-characters", [f"agreements.json:0: name: {long(1001)}"],
         set_agreement("name", "x" * 1001)),
    case("json-field-name-of-1001-characters", [
        f"agreements.json:0: (agreement): has a field name that {long(1001)}"],
         set_agreement("x" * 1001, 1)),
    # 8. Ids a spreadsheet would run.
    case("formula-transfer-id", [f"transfers.csv:2: transfer_id: {formula(FORMULA)}"],
         set_row("transfers.csv", 0, transfer_id=FORMULA)),
    case("formula-agreement-id", [f"agreements.json:1: agreement_id: {formula(FORMULA)}"],
         add_row("agreements.json", f.agreement(agreement_id=FORMULA))),
]  # fmt: skip


def refused_lines(result: Any) -> list[str]:
    """The error lines of a refusal: exit 2, nothing on stdout, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines: list[str] = result.stderr.splitlines()
    return lines


@pytest.mark.parametrize("bad", CASES)
def test_validate_refuses_bad_input_with_file_line_column(bad: Case, tmp_path: Path) -> None:
    folder = bad.folder(tmp_path)
    lines = refused_lines(runner.invoke(app, ["validate", str(folder)]))
    assert lines == [*bad.errors, f"{folder}: invalid: {len(bad.errors)} error(s)"]


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def rows_in(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return stored_rows(connection)


@pytest.mark.parametrize("bad", CASES)
def test_import_refuses_bad_input_and_stores_nothing(
    bad: Case, database: Engine, tmp_path: Path
) -> None:
    folder = bad.folder(tmp_path)
    lines = refused_lines(runner.invoke(app, ["import", str(folder)]))
    assert lines == [*bad.errors, f"{folder}: invalid, nothing stored: {len(bad.errors)} error(s)"]
    assert rows_in(database) == NOTHING


# --- the limits' boundaries --------------------------------------------------------------


def test_dates_from_year_1_to_9999_are_stored_as_they_are(database: Engine, tmp_path: Path) -> None:
    """The first and the last day a date type holds; year 0001 first in its column, from
    which pandas could not guess a format (a UserWarning on stderr)."""
    files = f.base_files()
    files["dbcs.csv"][0].update(start_date="0001-01-01", end_date="0001-01-01")
    files["dbcs.csv"][1]["end_date"] = "9999-12-31"
    files["transfers.csv"][0]["transfer_date"] = "0001-01-01"
    result = runner.invoke(app, ["import", str(f.write(tmp_path, files))])
    assert (result.exit_code, result.stderr) == (0, "")
    with database.connect() as connection:
        dbcs = load_dataset(connection).dbcs
    # By key (agb, dbc_id): H1 of hospital A, then D1 of hospital B.
    assert [str(d.date()) for d in dbcs["start_date"]] == ["0001-01-01", "2024-03-01"]
    assert [str(d.date()) for d in dbcs["end_date"]] == ["0001-01-01", "9999-12-31"]


def test_values_at_the_limits_are_accepted(tmp_path: Path) -> None:
    files = f.base_files()
    files["dbcs.csv"][1]["diagnosis"] = "x" * 1000
    files["transfers.csv"][0]["transfer_id"] = "T" * 1000
    files["agreements.json"][0]["name"] = "n" * 1000
    files["agreements.json"][0]["care_types"][0]["settlement"]["share"] = "0.123456"
    files["dbcs.csv"][1]["start_date"] = "0001-01-02"  # the first day a date type holds
    files["dbcs.csv"][1]["end_date"] = "9999-12-31"  # and the last
    files["prices.csv"][0]["price_eur"] = "9" * 13 + ".99"
    dataset = read_dataset(f.write(tmp_path, files))
    assert dataset.dbcs["diagnosis"].tolist()[1] == "x" * 1000
    assert dataset.transfers is not None
    assert dataset.transfers["transfer_id"].tolist() == ["T" * 1000]
    assert str(dataset.agreements[0].care_types[0].settlement.share) == "0.123456"
    assert dataset.prices["price_cents"].tolist() == [999_999_999_999_999]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_an_id_starting_like_a_formula_is_refused_in_every_file(start: str, tmp_path: Path) -> None:
    value = f"{start}1"
    files = f.base_files()
    files["dbcs.csv"][1].update(dbc_id=value, patient_ref=value)
    files["declarations.csv"].append(
        f.declaration(declaration_id=value, agb=B, patient=value, dbc_id=value)
    )
    files["prices.csv"].append(f.price(price_list=value))
    files["transfers.csv"][0].update(transfer_id=value, patient_ref=value, care_type=value)
    files["agreements.json"][0]["care_types"].append(
        f.care_type(care_type=value, codes=["099899017"], price_list=value)
    )
    files["agreements.json"].append(f.agreement(agreement_id=value, parent_id=value))
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(f.write(tmp_path, files))
    message = formula(value)
    assert [str(e) for e in caught.value.errors] == [
        f"agreements.json:0: care_types[1].care_type: {message}",
        f"agreements.json:0: care_types[1].settlement.price_list: {message}",
        f"agreements.json:1: agreement_id: {message}",
        f"agreements.json:1: parent_id: {message}",
        f"prices.csv:3: price_list: {message}",
        f"dbcs.csv:3: dbc_id: {message}",
        f"dbcs.csv:3: patient_ref: {message}",
        f"declarations.csv:3: dbc_id: {message}",
        f"declarations.csv:3: declaration_id: {message}",
        f"declarations.csv:3: patient_ref: {message}",
        f"transfers.csv:2: care_type: {message}",
        f"transfers.csv:2: patient_ref: {message}",
        f"transfers.csv:2: transfer_id: {message}",
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("agreement_id", "\t=1+1"),
        ("care_types.0.care_type", "\r=1+1"),
        ("care_types.0.settlement.price_list", "@SUM(A1)"),
        ("parent_id", "+31"),
    ],
)
def test_an_id_in_agreements_json_starting_with_a_tab_or_cr_is_refused(
    path: str, value: str, tmp_path: Path
) -> None:
    files = f.base_files()
    files["transfers.csv"] = []  # they would name an agreement that is now refused
    set_agreement(path, value)(files)
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(f.write(tmp_path, files))
    column = path.replace(".0.", "[0].")
    assert [str(e) for e in caught.value.errors] == [
        f"agreements.json:0: {column}: {formula(value)}"
    ]


# --- 9. a care type without performing_agb ------------------------------------------------


def test_a_care_type_without_performing_agb_is_performed_by_any_party(tmp_path: Path) -> None:
    files = f.base_files()
    set_agreement("care_types.0.performing_agb", DELETE)(files)
    dataset = read_dataset(f.write(tmp_path, files))
    assert [a.agreement_id for a in dataset.agreements] == ["samen-2024"]
    assert dataset.agreements[0].care_types[0].performing_agb is None


def test_a_parser_that_fails_silently_still_refuses_the_agreement(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def silent(self: Any, value: Any, path: str) -> Any:
        raise Invalid

    monkeypatch.setattr(agreements_module._Parser, "planned_volume", silent)
    files = f.base_files()
    with_volume(files)
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(f.write(tmp_path, files))
    assert [str(e) for e in caught.value.errors] == [
        "agreements.json:0: (agreement): cannot be read (no reason was recorded)"
    ]


def full_agreement() -> dict[str, Any]:
    """An agreement with every field the format knows, optional ones too."""
    care = f.care_type(
        groups=["131999"],
        consents=[{"uzovi": f.INSURER, "valid_from": "2024-01-01", "valid_to": None}],
    )
    care["planned_volume"] = {"2024": 12}
    care["pathway"] = [{"phase": "diagnostiek", "at": "home"}, {"phase": "interventie", "at": B}]
    fixed = f.care_type(care_type="schildklier", method="fixed_fee", performing_agb=None)
    return f.agreement(care_types=[care, fixed])


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from paths(child, (*prefix, index))


def test_every_refused_agreement_says_why() -> None:
    """Each field of a full agreement left out or given a value of every JSON type: an
    agreement that is not read is refused with an error that names a reason (never the
    guard's "no reason was recorded"; never dropped silently, as without performing_agb)."""
    base = full_agreement()
    tried = 0
    for path in paths(base):
        for replacement in (DELETE, None, 0, 1.5, True, "", "x", [], {}, [None], {"x": 1}):
            changed = copy.deepcopy(base)
            target = changed
            for part in path[:-1]:
                target = target[part]
            if replacement is DELETE:
                del target[path[-1]]
            else:
                target[path[-1]] = replacement
            parsed, errors, _ = parse_agreements(
                json.dumps([changed]),
                hospitals={A, B},
                insurers={f.INSURER},
                price_lists={"benchmark"},
            )
            tried += 1
            assert parsed or errors, (path, replacement)
            assert not any("no reason" in e.message for e in errors), (path, replacement)
    assert tried == 11 * len(list(paths(base)))


# --- the API ------------------------------------------------------------------------------


@pytest.fixture
def client(engine: Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An API over an empty database that commits, as a deployed one does: what is refused
    can be checked to be absent afterwards."""
    with engine.begin() as connection:
        key = create_key(connection, role="admin")
    with TestClient(app_for(engine)) as test_client:
        yield test_client, {"X-API-Key": key}


def upload(folder: Path) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (p.name, p.read_bytes())) for p in sorted(folder.iterdir())]


@pytest.mark.parametrize(
    "bad",
    [p for p in CASES if p.id in ("nul-in-a-csv-text", "nul-in-agreements-json", "date-year-0",
                                  "json-nested-100000-deep", "share-100000-digit-number",
                                  "header-140000-characters", "formula-transfer-id")],
)  # fmt: skip
def test_an_upload_of_bad_input_is_refused_422_and_stores_nothing(
    bad: Case, client: tuple[TestClient, dict[str, str]], engine: Engine, tmp_path: Path
) -> None:
    http, key = client
    response = http.post("/datasets", headers=key, files=upload(bad.folder(tmp_path)))
    assert response.status_code == 422
    assert response.json() == {"error": "DatasetInvalid", "detail": bad.errors}
    assert rows_in(engine) == NOTHING


def test_the_same_file_twice_in_one_upload_is_refused(
    client: tuple[TestClient, dict[str, str]], engine: Engine, tmp_path: Path
) -> None:
    http, key = client
    files = upload(f.write(tmp_path, f.base_files()))
    dbcs = next(content for _, (name, content) in files if name == "dbcs.csv")
    response = http.post(
        "/datasets", headers=key, files=[*files, ("files", ("dbcs.csv", dbcs[:-20]))]
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": "DatasetInvalid",
        "detail": ["dbcs.csv:0: (file): sent more than once in one upload; send each file once"],
    }
    assert rows_in(engine) == NOTHING


def test_a_file_over_the_file_limit_is_refused_413(
    client: tuple[TestClient, dict[str, str]],
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    http, key = client
    files = upload(f.write(tmp_path, f.base_files()))
    size, largest = max((len(content), name) for _, (name, content) in files)
    monkeypatch.setenv("SPREIDING_MAX_UPLOAD_FILE_BYTES", str(size - 1))
    response = http.post("/datasets", headers=key, files=files)
    assert response.status_code == 413
    assert response.json() == {
        "error": "UploadTooLarge",
        "detail": f"{largest} is {size:,} bytes; at most {size - 1:,} bytes are accepted per "
        "file (SPREIDING_MAX_UPLOAD_FILE_BYTES)",
    }
    assert rows_in(engine) == NOTHING
    monkeypatch.setenv("SPREIDING_MAX_UPLOAD_FILE_BYTES", str(size))
    assert http.post("/datasets", headers=key, files=files).status_code == 201


def test_an_upload_over_the_total_limit_is_refused_413(
    client: tuple[TestClient, dict[str, str]],
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    http, key = client
    monkeypatch.setenv("SPREIDING_MAX_UPLOAD_BYTES", "1000")
    response = http.post("/datasets", headers=key, files=upload(f.write(tmp_path, f.base_files())))
    assert response.status_code == 413
    declared = int(response.request.headers["content-length"])
    assert response.json() == {
        "error": "UploadTooLarge",
        "detail": f"the upload is {declared:,} bytes; at most 1,000 bytes are accepted "
        "(SPREIDING_MAX_UPLOAD_BYTES)",
    }
    assert rows_in(engine) == NOTHING


def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(
    client: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Content-Length over the limit: 413 without receiving one byte. Without a length
    (chunked), 413 as soon as the bytes received pass the limit."""
    http, key = client
    monkeypatch.setenv("SPREIDING_MAX_UPLOAD_BYTES", "1000")
    received: list[int] = []
    sent: list[dict[str, Any]] = []

    head = b'--b\r\nContent-Disposition: form-data; name="files"; filename="dbcs.csv"\r\n\r\n'

    async def receive() -> dict[str, Any]:
        received.append(1)
        body = (head if len(received) == 1 else b"") + b"x" * 600
        return {"type": "http.request", "body": body, "more_body": len(received) < 10}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    def scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        return {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": "/datasets", "raw_path": b"/datasets", "query_string": b"",
            "root_path": "", "client": ("test", 1), "server": ("test", 80),
            "headers": [(b"x-api-key", key["X-API-Key"].encode()),
                        (b"content-type", b"multipart/form-data; boundary=b"), *headers],
        }  # fmt: skip

    asgi = http.app
    http.portal.call(asgi, scope([(b"content-length", b"6000")]), receive, send)  # type: ignore[union-attr, arg-type]
    assert (sent[0]["status"], received) == (413, [])
    assert json.loads(sent[1]["body"])["detail"] == (
        "the upload is 6,000 bytes; at most 1,000 bytes are accepted (SPREIDING_MAX_UPLOAD_BYTES)"
    )
    sent.clear()
    http.portal.call(asgi, scope([(b"transfer-encoding", b"chunked")]), receive, send)  # type: ignore[union-attr, arg-type]
    assert (sent[0]["status"], len(received)) == (413, 2)
    assert json.loads(sent[1]["body"])["detail"] == (
        "the upload is more than 1,000 bytes; at most 1,000 bytes are accepted "
        "(SPREIDING_MAX_UPLOAD_BYTES)"
    )


TRANSFER = {
    "transfer_id": "T-9", "agreement_id": "samen-2024", "care_type": "liesbreuk",
    "patient_ref": "P-0009", "from_agb": A, "to_agb": B, "transfer_date": "2024-05-01",
    "status": "planned",
}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("transfer_id", FORMULA, formula(FORMULA)),
        ("agreement_id", "@samen", formula("@samen")),
        ("care_type", "-liesbreuk", formula("-liesbreuk")),
        ("patient_ref", "+31612345678", formula("+31612345678")),
        ("agreement_id", "samen\x00", NUL),
        ("from_agb", "0601\x000001", NUL),
        ("patient_ref", "P" * 1001, long(1001)),
    ],
)
def test_a_transfer_body_with_a_bad_id_is_refused_422(
    field: str, value: str, message: str, client: tuple[TestClient, dict[str, str]], engine: Engine
) -> None:
    http, key = client
    response = http.post("/transfers", headers=key, json=TRANSFER | {field: value})
    assert response.status_code == 422
    assert response.json() == {
        "error": "RequestInvalid",
        "detail": [f"body.{field}: Value error, {message}"],
    }
    assert rows_in(engine) == NOTHING


@pytest.mark.parametrize(
    ("path", "value", "loc"),
    [
        (("agreement_id",), FORMULA, "agreement_id"),
        (("parent_id",), "=1", "parent_id"),
        (("care_types", 0, "care_type"), "\t=1", "care_types.0.care_type"),
        (("care_types", 0, "settlement", "price_list"), "@x", "care_types.0.settlement.price_list"),
        (("agreement_id",), "samen\x00", "agreement_id"),
    ],
)
def test_an_agreement_body_with_a_bad_id_is_refused_422(
    path: tuple[Any, ...],
    value: str,
    loc: str,
    client: tuple[TestClient, dict[str, str]],
    engine: Engine,
) -> None:
    http, key = client
    body = f.agreement()
    target: Any = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    response = http.post("/agreements", headers=key, json=body)
    assert response.status_code == 422
    message = NUL if "\x00" in value else formula(value)
    assert response.json() == {
        "error": "RequestInvalid",
        "detail": [f"body.{loc}: Value error, {message}"],
    }
    assert rows_in(engine) == NOTHING
