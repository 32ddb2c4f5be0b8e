"""Statements: the view model by equality, the PDF by reading its text back (pypdf)."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from settlement.engine import settle
from settlement.statement import (
    Direction,
    Exclusion,
    Party,
    StatementLine,
    Subtotal,
    build_statement,
    pairs_of,
)
from spreiding.contract.reader import read_dataset
from spreiding.domain.runs import StoredRun
from spreiding.render.settlement import settlement_to_dict
from spreiding.render.statement_pdf import euro, render_statement
from tests import files as f

A, B = f.HOSPITAL_A, f.HOSPITAL_B
NAMES = {A: "Alrijne", B: "Groene Hart"}


def run_of(status: str = "draft", kind: str = "settlement") -> StoredRun:
    return StoredRun(7, kind, status, 2024, "bilateral", "ab" * 32, None, 0)


def two_way(tmp_path: Path, extra_dbcs: int = 0) -> Any:
    files = f.base_files()
    files["agreements.json"][0]["care_types"] = [
        f.care_type(care_type="liesbreuk", codes=["131999061"], performing_agb=B),
        f.care_type(care_type="schildklier", codes=["099899017"], performing_agb=A, method="fixed_fee", fee_eur="431.05"),
    ]  # fmt: skip
    files["dbcs.csv"] += [
        f.dbc(dbc_id="S1", agb=A, requesting=B, code="099899017", end="2024-05-01")
    ]
    files["dbcs.csv"] += [f.dbc(dbc_id="OPEN1", agb=B, end="")]
    files["dbcs.csv"] += [
        f.dbc(dbc_id=f"L{i:05d}", patient=f"P-{i:05d}", end="2024-06-01") for i in range(extra_dbcs)
    ]
    dataset = read_dataset(f.write(tmp_path, files))
    return settle(dataset.dbcs, dataset.prices, dataset.agreements, year=2024)


def text_of(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space (cells, lines) folded to one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_view_model(tmp_path: Path) -> None:
    result = two_way(tmp_path)
    statement = build_statement(
        run_of(), result, first=A, second=B, hospitals=NAMES, agreements={"samen-2024": "Samen+"}
    )
    a_for_b, b_for_a = statement.directions
    assert a_for_b == Direction(
        creditor=Party(A, "Alrijne"),
        debtor=Party(B, "Groene Hart"),
        lines=(StatementLine("S1", "P-0001", "099899017", "2024-05-01", "schildklier", "samen-2024", 43105, "1.00", 43105, None),),
        subtotals=(Subtotal("schildklier", 1, 43105),),
        total_cents=43105,
    )  # fmt: skip
    assert b_for_a.total_cents == 179910 and b_for_a.subtotals == (
        Subtotal("liesbreuk", 1, 179910),
    )
    # B owes A 431.05, A owes B 1799.10: A pays B 1368.05.
    assert (statement.payer, statement.payee, statement.net_cents) == (
        Party(A, "Alrijne"),
        Party(B, "Groene Hart"),
        136805,
    )
    assert statement.agreements == (("samen-2024", "Samen+"),)
    assert [(e.dbc_id, e.reason) for e in statement.excluded] == [("OPEN1", "OPEN")]
    assert pairs_of(result) == [(A, B)]


def test_the_pdf_says_what_the_run_says(tmp_path: Path) -> None:
    result = two_way(tmp_path)
    run_json = settlement_to_dict(result)
    statement = build_statement(run_of(), result, first=A, second=B, hospitals=NAMES, agreements={})
    text = "\n".join(text_of(render_statement(statement)))
    (pair_ab,) = [p for p in run_json["pairs"] if p["debtor_agb"] == A]
    (pair_ba,) = [p for p in run_json["pairs"] if p["debtor_agb"] == B]
    (payment,) = run_json["payments"]

    def nl(amount: str) -> str:
        whole, cents = amount.split(".")
        return euro(int(whole) * 100 + int(cents))

    assert f"Alrijne is verschuldigd aan Groene Hart {nl(pair_ab['amount'])}" in text
    assert f"Groene Hart is verschuldigd aan Alrijne {nl(pair_ba['amount'])}" in text
    assert (payment["from_agb"], payment["to_agb"]) == (A, B)
    assert f"Netto: Alrijne ({A}) betaalt Groene Hart ({B}) {nl(payment['amount'])}" in text
    assert "Run 7" in text and "CONCEPT" in text and "ab" * 32 in text
    assert "DBC nog open (OPEN)" in text
    assert (
        "Voor akkoord, controller Alrijne" in text
        and "Voor akkoord, controller Groene Hart" in text
    )


def test_a_final_statement_has_no_concept_mark_and_is_reproducible(tmp_path: Path) -> None:
    result = two_way(tmp_path)
    statement = build_statement(
        run_of("final"), result, first=A, second=B, hospitals=NAMES, agreements={}
    )
    pdf = render_statement(statement)
    assert "CONCEPT" not in "\n".join(text_of(pdf))
    assert "definitief" in "\n".join(text_of(pdf))
    assert render_statement(statement) == pdf


def test_3000_lines_paginate_with_headers_on_every_page(tmp_path: Path) -> None:
    result = two_way(tmp_path, extra_dbcs=3000)
    statement = build_statement(run_of(), result, first=A, second=B, hospitals=NAMES, agreements={})
    assert len(statement.directions[1].lines) == 3001
    pages = text_of(render_statement(statement))
    # A4 less the margins (16 mm + 18 mm) and the frame's padding (2 x 6 pt) leaves 733.5 pt;
    # a row is 8 pt x 1.2 leading + 2 x 1.5 pt padding = 12.6 pt: 58 rows, the header and 57
    # lines. Page 1 holds the title, A's one line for B and D1 before L00000-L00038 (39);
    # 51 full pages take 2907 more, page 53 the last 54 (39 + 2907 + 54 = 3000); the subtotals
    # (kept together) no longer fit there, so they, the totals, the exclusions and the
    # signatures make page 54.
    lines_per_page = [len(re.findall(r"L\d{5}", page)) for page in pages]
    assert lines_per_page == [39] + [57] * 51 + [54, 0]
    line_pages = pages[:53]
    for page in line_pages:
        assert "DBC Patiënt (pseudoniem) Zorgproduct Einddatum Eenheidsprijs Aandeel Bedrag" in page
    every_line = "\n".join(pages)
    assert all(f"L{i:05d}" in every_line for i in range(3000))
    assert f"Totaal 3001 {euro(179910 * 3001)}" in pages[53]
    assert "Voor akkoord, controller Groene Hart" in pages[53]


def test_euro_notation() -> None:
    assert [euro(c) for c in (0, 5, 179910, -45000, 123456789)] == [
        "€ 0,00", "€ 0,05", "€ 1.799,10", "€ -450,00", "€ 1.234.567,89",
    ]  # fmt: skip


def test_every_exclusion_reason_is_named_in_dutch(tmp_path: Path) -> None:
    statement = build_statement(
        run_of(), two_way(tmp_path), first=A, second=B, hospitals=NAMES, agreements={}
    )
    reasons = ["OPEN", "NO_AGREEMENT", "AMBIGUOUS_AGREEMENT", "PRIMARY_MISMATCH"]
    reasons += ["PARALLEL_CARE_TYPE", "NO_CONSENT", "NO_PRICE"]
    excluded = tuple(Exclusion(A, f"X{i}", reason) for i, reason in enumerate(reasons))
    text = "\n".join(text_of(render_statement(replace(statement, excluded=excluded))))
    assert (
        f"{A} X5 geen toestemming van de verzekeraar voor parallelle declaratie (NO_CONSENT)"
        in text
    )
    assert f"{A} X6 geen benchmarkprijs (NO_PRICE)" in text
    assert f"{A} X3 eigen DBC van de aanvrager niet gevonden (PRIMARY_MISMATCH)" in text
