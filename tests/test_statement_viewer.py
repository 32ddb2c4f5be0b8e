"""A statement shows a hospital only the payments it makes or receives (the reviewer's
finding): under multilateral netting its counterparty's payments to third hospitals reveal
that hospital's position in other agreements. The admin sees every payment of the pair.

Three hospitals, a fixed fee of 100.00 a DBC: B performs for A, C performs for B. The
multilateral run has one payment, A pays C 100.00 (nets: A -100, B 0, C +100)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.services import datasets, settlement, statement_summary, statements
from spreiding.services.access import OPERATOR
from tests import files as f

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C


def multilateral_run(connection: Connection, tmp_path: Path) -> int:
    files = f.base_files()
    files["hospitals.csv"].append(f.hospital(agb=C, name="Rijnstate"))
    files["agreements.json"] = [
        f.agreement(
            parties=[A, B, C],
            care_types=[f.care_type(performing_agb=None, method="fixed_fee", fee_eur="100.00")],
        )
    ]
    files["dbcs.csv"] = [
        f.dbc(dbc_id="D1", agb=B, requesting=A),
        f.dbc(dbc_id="D2", agb=C, requesting=B, patient="P-0002"),
    ]
    files["declarations.csv"] = []
    files["transfers.csv"] = []
    datasets.import_dataset(connection, read_dataset(f.write(tmp_path, files)))
    return settlement.settle_year(
        connection, OPERATOR, year=2024, netting="multilateral"
    ).run.run_id


def hospital(agb: str) -> Principal:
    return Principal(key_id=f"key-{agb}", role="hospital", agb=agb)


def payments(
    connection: Connection, principal: Principal, run_id: int
) -> list[tuple[str, str, str]]:
    statement = statements.statement(connection, principal, run_id, B, C)
    ref = statements.locate_statement(connection, principal, run_id, B, C)
    summary = statement_summary.summary(connection, ref)
    shown = [(p.payer.agb, p.payee.agb, str(p.amount_cents)) for p in statement.payments]
    assert shown == [(p.payer.agb, p.payee.agb, str(p.amount_cents)) for p in summary.payments]
    every = statements.run_statements(connection, principal, run_id)
    (same,) = [every.statement(i) for i, pair in enumerate(every.pairs) if pair == (B, C)]
    assert same.payments == statement.payments
    return shown


def test_a_hospital_sees_only_its_own_payments_on_a_statement(
    connection: Connection, tmp_path: Path
) -> None:
    run_id = multilateral_run(connection, tmp_path)
    # B's statement with C: B neither pays nor receives; A's payment to C is not B's to see.
    assert payments(connection, hospital(B), run_id) == []
    # C receives A's payment: C sees it on the same statement.
    assert payments(connection, hospital(C), run_id) == [(A, C, "10000")]
    # The admin sees every payment made or received by either hospital of the pair.
    assert payments(connection, OPERATOR, run_id) == [(A, C, "10000")]
