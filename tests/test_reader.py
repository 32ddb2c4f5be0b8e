"""Every rule of docs/data-format.md §1: a file that breaks it gives exactly the expected FILE:LINE: COLUMN."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spreiding.contract.reader import read_dataset
from spreiding.domain.errors import DatasetInvalid
from tests import files as f

Files = dict[str, Any]
C = "06010003"  # a third hospital whose rows the cases break without cascading


def with_c(files: Files) -> Files:
    files["hospitals.csv"].append(f.hospital(agb=C, name="Ziekenhuis C"))
    return files


def errors_of(folder: Path, files: Files) -> list[tuple[str, int, str]]:
    f.write(folder, files)
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(folder)
    return [(e.file, e.line, e.column) for e in caught.value.errors]


def set_row(file: str, index: int, **values: Any) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        files[file][index].update(values)

    return mutate


def add_row(name: str, row: dict[str, Any]) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        files[name].append(row)

    return mutate


def set_agreement(path: str, value: Any) -> Callable[[Files], None]:
    """Set a field of agreement 0 by a dotted path (``care_types.0.settlement.share``)."""

    def mutate(files: Files) -> None:
        target: Any = files["agreements.json"][0]
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return mutate


DELETE = object()


def raw(name: str, text: str) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        files[name] = text

    return mutate


def remove(name: str) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        files[name] = None

    return mutate


H = "hospitals.csv"
I = "insurers.csv"  # noqa: E741
A = "agreements.json"
P = "prices.csv"
D = "dbcs.csv"
V = "declarations.csv"
T = "transfers.csv"

CASES: list[tuple[str, Callable[[Files], None], list[tuple[str, int, str]]]] = [
    # files and headers
    ("hospitals missing", remove(H), [(H, 0, "(file)")]),
    ("insurers missing", remove(I), [(I, 0, "(file)")]),
    ("agreements missing", remove(A), [(A, 0, "(file)")]),
    ("prices missing", remove(P), [(P, 0, "(file)")]),
    ("dbcs missing", remove(D), [(D, 0, "(file)")]),
    ("unknown column", raw(H, "agb,name,kind,bed\n06010001,A,umc,1\n06010002,B,umc,1\n"), [(H, 1, "bed")]),
    ("missing column", raw(I, "uzovi\n3311\n"), [(I, 1, "name")]),
    ("duplicate column", raw(I, "uzovi,name,name\n3311,Z,Z\n"), [(I, 1, "name")]),
    ("empty file", raw(I, ""), [(I, 1, "(header)")]),
    ("short row", raw(I, "uzovi,name\n3311,Z\n3343\n3358,CZ\n"), [(I, 3, "(row)")]),
    ("long row", raw(I, "uzovi,name\n3343,V,extra\n3311,Z\n"), [(I, 2, "(row)")]),
    ("blank line", raw(I, "uzovi,name\n3311,Z\n\n3358,CZ\n"), [(I, 3, "(row)")]),
    ("not utf-8", raw(I, "uzovi,name\n3311,Z\xe9\n"), []),  # replaced below with bytes
    # hospitals.csv
    ("agb 7 digits", set_row(H, 2, agb="0601003"), [(H, 4, "agb")]),
    ("agb letters", set_row(H, 2, agb="0601000X"), [(H, 4, "agb")]),
    ("agb empty", set_row(H, 2, agb=""), [(H, 4, "agb")]),
    ("name empty", set_row(H, 2, name=""), [(H, 4, "name")]),
    ("kind unknown", set_row(H, 2, kind="kliniek"), [(H, 4, "kind")]),
    ("agb duplicate", add_row(H, f.hospital(agb=C, name="C again")), [(H, 5, "agb")]),
    # insurers.csv
    ("uzovi 5 digits", add_row(I, {"uzovi": "33110", "name": "X"}), [(I, 3, "uzovi")]),
    ("uzovi duplicate", add_row(I, {"uzovi": "3311", "name": "X"}), [(I, 3, "uzovi")]),
    ("insurer name empty", add_row(I, {"uzovi": "3343", "name": ""}), [(I, 3, "name")]),
    # agreements.json
    ("json syntax", raw(A, "[{\n\"agreement_id\": }]"), [(A, 2, "(json)")]),
    ("json not a list", raw(A, "{}"), [(A, 0, "(json)")]),
    ("unknown field", set_agreement("budget", 1), [(A, 0, "budget")]),
    ("field missing", set_agreement("stage", DELETE), [(A, 0, "stage")]),
    ("id empty", set_agreement("agreement_id", ""), [(A, 0, "agreement_id"), (T, 2, "agreement_id")]),
    ("category", set_agreement("category", "fusie"), [(A, 0, "category")]),
    ("stage", set_agreement("stage", "tekenen"), [(A, 0, "stage")]),
    ("one party", set_agreement("parties", [f.HOSPITAL_A]), [(A, 0, "parties")]),
    ("party unknown", set_agreement("parties.1", "06019999"), [(A, 0, "parties[1]")]),
    ("party twice", set_agreement("parties", [f.HOSPITAL_A, f.HOSPITAL_A, f.HOSPITAL_B]), [(A, 0, "parties[1]")]),
    ("valid_from bad", set_agreement("valid_from", "2024-13-01"), [(A, 0, "valid_from")]),
    ("valid_to before", set_agreement("valid_to", "2023-12-31"), [(A, 0, "valid_to")]),
    ("parent unknown", set_agreement("parent_id", "raam"), [(A, 0, "parent_id")]),
    ("parent self", set_agreement("parent_id", "samen-2024"), [(A, 0, "parent_id")]),
    ("care types not list", set_agreement("care_types", {}), [(A, 0, "care_types")]),
    ("no codes", set_agreement("care_types.0.zorgproduct_codes", []), [(A, 0, "care_types[0]")]),
    ("code 8 digits", set_agreement("care_types.0.zorgproduct_codes.0", "13199906"),
     [(A, 0, "care_types[0].zorgproduct_codes[0]")]),
    ("group 5 digits", set_agreement("care_types.0.zorgproductgroepen", ["13199"]),
     [(A, 0, "care_types[0].zorgproductgroepen[0]")]),
    ("performer not a party", set_agreement("care_types.0.performing_agb", "06019999"),
     [(A, 0, "care_types[0].performing_agb")]),
    ("method unknown", set_agreement("care_types.0.settlement", {"method": "dbc"}),
     [(A, 0, "care_types[0].settlement.method")]),
    ("share zero", set_agreement("care_types.0.settlement.share", "0"),
     [(A, 0, "care_types[0].settlement.share")]),
    ("share above one", set_agreement("care_types.0.settlement.share", "1.5"),
     [(A, 0, "care_types[0].settlement.share")]),
    ("share as number", set_agreement("care_types.0.settlement.share", 0.9),
     [(A, 0, "care_types[0].settlement.share")]),
    ("share decimal comma", set_agreement("care_types.0.settlement.share", "0,9"),
     [(A, 0, "care_types[0].settlement.share")]),
    ("price list unknown", set_agreement("care_types.0.settlement.price_list", "nza"),
     [(A, 0, "care_types[0].settlement.price_list")]),
    ("fee bad", set_agreement("care_types.0.settlement", {"method": "fixed_fee", "fee_eur": "12.345"}),
     [(A, 0, "care_types[0].settlement.fee_eur")]),
    ("fee missing", set_agreement("care_types.0.settlement", {"method": "fixed_fee"}),
     [(A, 0, "care_types[0].settlement.fee_eur")]),
    ("parallel with price list", set_agreement("care_types.0.settlement", {"method": "parallel", "share": "1"}),
     [(A, 0, "care_types[0].settlement.share")]),
    ("consent insurer unknown",
     set_agreement("care_types.0.parallel_consents", [{"uzovi": "9999", "valid_from": "2024-01-01", "valid_to": None}]),
     [(A, 0, "care_types[0].parallel_consents[0].uzovi")]),
    ("consent range reversed",
     set_agreement("care_types.0.parallel_consents", [{"uzovi": "3311", "valid_from": "2024-02-01", "valid_to": "2024-01-01"}]),
     [(A, 0, "care_types[0].parallel_consents[0].valid_to")]),
    ("planned volume negative", set_agreement("care_types.0.planned_volume", {"2024": -1}),
     [(A, 0, "care_types[0].planned_volume.2024")]),
    ("planned volume key", set_agreement("care_types.0.planned_volume", {"24": 1}),
     [(A, 0, "care_types[0].planned_volume.24")]),
    ("pathway phase", set_agreement("care_types.0.pathway", [{"phase": "revalidatie", "at": "home"}]),
     [(A, 0, "care_types[0].pathway[0].phase")]),
    ("pathway at", set_agreement("care_types.0.pathway", [{"phase": "nazorg", "at": "06019999"}]),
     [(A, 0, "care_types[0].pathway[0].at")]),
    ("care type twice", lambda fs: fs[A][0]["care_types"].append(f.care_type(codes=["131999062"])),
     [(A, 0, "care_types[1].care_type")]),
    ("agreement id twice", lambda fs: fs[A].append(f.agreement()), [(A, 1, "agreement_id")]),
    # prices.csv
    ("year bad", add_row(P, f.price(year="24", code="131999062")), [(P, 3, "year")]),
    ("price code bad", add_row(P, f.price(code="13199906X")), [(P, 3, "zorgproduct_code")]),
    ("price negative", add_row(P, f.price(code="131999062", eur="-1.00")), [(P, 3, "price_eur")]),
    ("price three decimals", add_row(P, f.price(code="131999062", eur="1.005")), [(P, 3, "price_eur")]),
    ("price decimal comma", add_row(P, f.price(code="131999062", eur="1,05")), [(P, 3, "price_eur")]),
    ("price empty", add_row(P, f.price(code="131999062", eur="")), [(P, 3, "price_eur")]),
    ("price duplicate", add_row(P, f.price(eur="2000.00")), [(P, 3, "zorgproduct_code")]),
    # dbcs.csv
    ("dbc id empty", add_row(D, f.dbc(dbc_id="")), [(D, 4, "dbc_id")]),
    ("dbc agb unknown", add_row(D, f.dbc(dbc_id="D2", agb="06019999")), [(D, 4, "agb")]),
    ("dbc agb malformed", add_row(D, f.dbc(dbc_id="D2", agb="6019999")), [(D, 4, "agb")]),
    ("patient is a BSN", add_row(D, f.dbc(dbc_id="D2", patient="111222333")), [(D, 4, "patient_ref")]),
    # 0x9 + 1x8 + 0x7 + ... + 0x2 - 8x1 = 0: a valid BSN, its leading zero kept as text.
    ("patient is a BSN with a leading zero", add_row(D, f.dbc(dbc_id="D2", patient="010000008")),
     [(D, 4, "patient_ref")]),
    ("patient empty", add_row(D, f.dbc(dbc_id="D2", patient="")), [(D, 4, "patient_ref")]),
    ("dbc code", add_row(D, f.dbc(dbc_id="D2", code="1319990610")), [(D, 4, "zorgproduct_code")]),
    ("start not a date", add_row(D, f.dbc(dbc_id="D2", start="2024-02-30")), [(D, 4, "start_date")]),
    ("start dutch date", add_row(D, f.dbc(dbc_id="D2", start="01-03-2024")), [(D, 4, "start_date")]),
    ("start empty", add_row(D, f.dbc(dbc_id="D2", start="")), [(D, 4, "start_date")]),
    ("end before start", add_row(D, f.dbc(dbc_id="D2", end="2024-02-01")), [(D, 4, "end_date")]),
    ("odv not boolean", add_row(D, f.dbc(dbc_id="D2") | {"odv": "ja"}), [(D, 4, "odv")]),
    ("odv without requester", add_row(D, f.dbc(dbc_id="D2", requesting="")), [(D, 4, "requesting_agb")]),
    ("requester without odv", add_row(D, f.dbc(dbc_id="D2", odv=False) | {"requesting_agb": f.HOSPITAL_A}),
     [(D, 4, "requesting_agb")]),
    ("primary without odv", add_row(D, f.dbc(dbc_id="D2", odv=False, primary="H1")), [(D, 4, "primary_dbc_id")]),
    ("requester is self", add_row(D, f.dbc(dbc_id="D2", requesting=f.HOSPITAL_B)), [(D, 4, "requesting_agb")]),
    ("requester unknown", add_row(D, f.dbc(dbc_id="D2", requesting="06019999")), [(D, 4, "requesting_agb")]),
    ("primary nowhere", add_row(D, f.dbc(dbc_id="D2", primary="H9")), [(D, 4, "primary_dbc_id")]),
    ("specialism", add_row(D, f.dbc(dbc_id="D2", specialism="303")), [(D, 4, "specialism")]),
    ("dbc duplicate", add_row(D, f.dbc(dbc_id="D1")), [(D, 4, "dbc_id")]),
    # declarations.csv
    ("declaration id duplicate", add_row(V, f.declaration()), [(V, 3, "declaration_id")]),
    ("declaration uzovi unknown", add_row(V, f.declaration(declaration_id="V2", uzovi="9999")), [(V, 3, "uzovi")]),
    ("declaration agb unknown", add_row(V, f.declaration(declaration_id="V2", agb="06019999")), [(V, 3, "agb")]),
    ("declaration BSN", add_row(V, f.declaration(declaration_id="V2", patient="123456782")), [(V, 3, "patient_ref")]),
    ("declaration amount", add_row(V, f.declaration(declaration_id="V2", amount="12.345")), [(V, 3, "amount_eur")]),
    ("declaration amount huge", add_row(V, f.declaration(declaration_id="V2", amount="99999999999999.00")),
     [(V, 3, "amount_eur")]),
    ("declaration end missing", add_row(V, f.declaration(declaration_id="V2", end="")), [(V, 3, "end_date")]),
    ("declaration declared_on", add_row(V, f.declaration(declaration_id="V2", declared_on="gisteren")),
     [(V, 3, "declared_on")]),
    ("declaration dbc nowhere", add_row(V, f.declaration(declaration_id="V2", dbc_id="H9")), [(V, 3, "dbc_id")]),
    ("declaratiecode length", add_row(V, f.declaration(declaration_id="V2", declaratiecode="12345")),
     [(V, 3, "declaratiecode")]),
    # transfers.csv
    ("transfer agreement unknown", add_row(T, f.transfer(transfer_id="T2", agreement_id="x")), [(T, 3, "agreement_id")]),
    ("transfer care type unknown", add_row(T, f.transfer(transfer_id="T2", care_type="x")), [(T, 3, "care_type")]),
    ("transfer from not party", add_row(T, f.transfer(transfer_id="T2", from_agb=C)), [(T, 3, "from_agb")]),
    ("transfer to unknown", add_row(T, f.transfer(transfer_id="T2", to_agb="06019999")), [(T, 3, "to_agb")]),
    ("transfer to self", add_row(T, f.transfer(transfer_id="T2", to_agb=f.HOSPITAL_A)), [(T, 3, "to_agb")]),
    ("transfer status", add_row(T, f.transfer(transfer_id="T2", status="done")), [(T, 3, "status")]),
    ("transfer phase", add_row(T, f.transfer(transfer_id="T2", phase="revalidatie")), [(T, 3, "phase")]),
    ("transfer date", add_row(T, f.transfer(transfer_id="T2", date="2024/03/01")), [(T, 3, "transfer_date")]),
    ("transfer duplicate", add_row(T, f.transfer()), [(T, 3, "transfer_id")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in CASES if name != "not utf-8"],
)
def test_each_rule_reports_file_line_column(
    tmp_path: Path, mutate: Callable[[Files], None], expected: list[tuple[str, int, str]]
) -> None:
    files = with_c(copy.deepcopy(f.base_files()))
    mutate(files)
    assert errors_of(tmp_path, files) == expected


def test_the_base_dataset_is_valid(tmp_path: Path) -> None:
    dataset = read_dataset(f.write(tmp_path, with_c(f.base_files())))
    assert dataset.summary() == (
        "3 hospitals, 1 insurers, 1 agreements, 1 prices, 2 DBCs (1 ODV), "
        "1 declarations, 1 transfers"
    )


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    f.write(tmp_path, f.base_files())
    # 0x81 is neither UTF-8 nor Windows-1252 (an \xe9 alone is read as Windows-1252's é):
    # the error names the line of the byte (issue 15).
    (tmp_path / I).write_bytes(b"uzovi,name\n3311,Zilveren \x81Kruis\n")
    assert errors_of(tmp_path, {}) == [(I, 2, "(file)")]


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(tmp_path / "nowhere")
    assert [e.column for e in caught.value.errors] == ["(folder)"]


def test_messages_say_what_is_wrong(tmp_path: Path) -> None:
    files = with_c(f.base_files())
    files[D].append(f.dbc(dbc_id="D1"))
    files[D].append(f.dbc(dbc_id="D3", patient="111222333", requesting=""))
    f.write(tmp_path, files)
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(tmp_path)
    assert str(caught.value).splitlines() == [
        "dbcs.csv:4: dbc_id: duplicate (agb, dbc_id) = (06010002, D1); first on line 3",
        "dbcs.csv:5: patient_ref: looks like a BSN (9 digits passing the 11-check); "
        "use the alliance's pseudonym",
        "dbcs.csv:5: requesting_agb: required when odv is true",
    ]


def test_all_errors_are_reported_not_the_first(tmp_path: Path) -> None:
    files = with_c(f.base_files())
    files[D] += [f.dbc(dbc_id=f"X{i}", code="bad") for i in range(500)]
    found = errors_of(tmp_path, files)
    # Every bad row is accounted for: the first five one by one, the other 495 counted on the
    # line of the sixth (issue 15: no cascade of one error in one column).
    assert found == [(D, line, "zorgproduct_code") for line in range(4, 10)]
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(tmp_path)
    assert str(caught.value).splitlines()[-1] == (
        "dbcs.csv:9: zorgproduct_code: 495 more rows with the same error, "
        "from this line to line 503"
    )


def test_semicolon_export_with_decimal_commas_reads_the_same(tmp_path: Path) -> None:
    files = f.base_files()
    files[P] = [f.price(eur="1999.50"), f.price(code="131999062", eur="12.05")]
    comma = read_dataset(f.write(tmp_path / "comma", files))
    f.write(tmp_path / "semi", files)
    (tmp_path / "semi" / P).write_text(
        "price_list;year;zorgproduct_code;price_eur\n"
        "benchmark;2024;131999061;1999,50\n"
        "benchmark;2024;131999062;12,05\n",
        encoding="utf-8",
    )
    semi = read_dataset(tmp_path / "semi")
    assert semi.same_content(comma)
    assert semi.prices["price_cents"].tolist() == [199950, 1205]


def test_money_is_parsed_exactly_to_cents(tmp_path: Path) -> None:
    files = f.base_files()
    files[V] = [
        f.declaration(declaration_id="V1", amount="0.1"),
        f.declaration(declaration_id="V2", amount="-2100.00"),
        f.declaration(declaration_id="V3", amount="-0.05"),
        f.declaration(declaration_id="V4", amount="1234567890123.99"),
        f.declaration(declaration_id="V5", amount="7"),
    ]
    dataset = read_dataset(f.write(tmp_path, files))
    assert dataset.declarations is not None
    assert dataset.declarations["amount_cents"].tolist() == [10, -210000, -5, 123456789012399, 700]


def test_optional_files_with_a_header_only_are_empty_not_absent(tmp_path: Path) -> None:
    files = f.base_files()
    files[V] = []
    files[T] = []
    dataset = read_dataset(f.write(tmp_path, files))
    assert dataset.declarations is not None and dataset.declarations.empty
    assert dataset.transfers is not None and dataset.transfers.empty
    assert str(dataset.declarations["amount_cents"].dtype) == "int64"


def test_a_dbc_or_declaration_of_one_day_is_valid(tmp_path: Path) -> None:
    files = f.base_files()
    files[D].append(f.dbc(dbc_id="D2", start="2024-03-01", end="2024-03-01"))
    files[V].append(f.declaration(declaration_id="V2", start="2024-03-01", end="2024-03-01"))
    dataset = read_dataset(f.write(tmp_path, files))
    assert dataset.declarations is not None
    one_day = dataset.dbcs.loc[dataset.dbcs["dbc_id"] == "D2", ["start_date", "end_date"]]
    assert [str(d.date()) for d in one_day.iloc[0]] == ["2024-03-01", "2024-03-01"]
    assert dataset.declarations["declaration_id"].tolist() == ["V1", "V2"]


def test_the_headers_each_file_must_have() -> None:
    from spreiding.contract.files import FileSpec, file_spec
    from spreiding.domain.dataset import DBCS, DECLARATIONS

    assert file_spec(DBCS) == FileSpec(
        "dbcs.csv",
        required=("dbc_id", "agb", "patient_ref", "zorgproduct_code", "start_date", "end_date",
                  "odv", "requesting_agb", "primary_dbc_id"),
        optional=("specialism", "diagnosis", "zorgtype", "uzovi"),
        money=(),
    )  # fmt: skip
    assert file_spec(DECLARATIONS) == FileSpec(
        "declarations.csv",
        required=("declaration_id", "agb", "uzovi", "patient_ref", "zorgproduct_code",
                  "start_date", "end_date", "amount_eur", "declared_on"),
        optional=("dbc_id", "declaratiecode"),
        money=("amount_eur",),  # euros in the file, cents inside
    )  # fmt: skip


def test_a_malformed_code_is_named_with_what_is_wrong(tmp_path: Path) -> None:
    files = with_c(f.base_files())
    files[H][2]["agb"] = "0601003"
    f.write(tmp_path, files)
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(tmp_path)
    assert str(caught.value).splitlines() == [
        "hospitals.csv:4: agb: AGB code '0601003' has 7 digits, must have 8 "
        "(leading zero lost? format the column as text)"
    ]


def test_transfers_registered_one_by_one_follow_the_files_rules(tmp_path: Path) -> None:
    from spreiding.contract.reader import validate_transfers

    dataset = read_dataset(f.write(tmp_path, f.base_files()))
    context: dict[str, Any] = {
        "hospitals": {f.HOSPITAL_A, f.HOSPITAL_B},
        "agreements": list(dataset.agreements),
    }
    planned = f.transfer(transfer_id="T9", date="2024-11-01", status="planned")
    frame = validate_transfers([planned, f.transfer(transfer_id="T10", phase="")], **context)
    # Typed as the file's rows are, in key order; an empty phase reads as missing.
    assert [
        (r["transfer_id"], str(r["transfer_date"].date()), r["status"])
        for r in frame.to_dict("records")
    ] == [("T10", "2024-03-01", "performed"), ("T9", "2024-11-01", "planned")]
    assert frame["phase"].fillna("(missing)").tolist() == ["(missing)", "interventie"]
    with pytest.raises(DatasetInvalid) as caught:
        validate_transfers(
            [planned | {"to_agb": f.HOSPITAL_A}, planned | {"status": "done"}], **context
        )
    assert str(caught.value).splitlines() == [
        "request:1: to_agb: a transfer must go to another hospital than it comes from",
        "request:2: status: 'done' is not one of planned, performed, cancelled",
        "request:2: transfer_id: duplicate (transfer_id) = (T9); first on line 1",
    ]
