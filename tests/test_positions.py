"""A hospital's position over all its alliances (spreiding.services.positions), on samples
that share hospitals: UMCG and Martini (HartNet, Academisch Borstcentrum Groningen) and
Beatrixziekenhuis (Rivas) (Erasmus MC's stem-cell aftercare, Oncomid)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection
from typer.testing import CliRunner

from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.services import positions, settlement
from spreiding.services.access import OPERATOR
from spreiding.services.errors import Forbidden
from spreiding.store.datasets import import_dataset
from tests.conftest import SAMPLES

UMCG, MARTINI, BEATRIX, UMCU = "06060600", "06060601", "06040408", "06040409"


def run_of(connection: Connection) -> int:
    for name in ("hartnet", "borstcentrum-groningen", "erasmus-stamcel", "oncomid"):
        import_dataset(connection, read_dataset(SAMPLES / name))
    return settlement.settle_year(connection, OPERATOR, year=2024).run.run_id


def test_each_hospital_stands_over_all_its_alliances(connection: Connection) -> None:
    """Hand-computed from the samples (tests/test_samples.py has the reasoning of each):
    the UMCG is owed HartNet's transformation cost by the four others, 4 × €30,000.00, and the
    Borstcentrum settles nothing; Martini owes its €30,000.00 share. Beatrixziekenhuis is owed
    2 × €1,875.35 = €3,750.70 by Erasmus MC for aftercare and owes UMC Utrecht €4,444.44 of
    Oncomid's MDO portal: net €-693.74."""
    rows = {
        p.agb: p for p in positions.hospital_positions(connection, OPERATOR, run_of(connection))
    }
    assert len(rows) == 5 + 13 + 9 - 1  # Beatrixziekenhuis is in two samples, UMCG/Martini too
    umcg = rows[UMCG]
    assert umcg.agreements == ("abg-2022", "abg-2024", "hartnet")
    assert (umcg.receivable_cents, umcg.payable_cents, umcg.net_cents) == (
        12_000_000,
        0,
        12_000_000,
    )
    martini = rows[MARTINI]
    assert martini.agreements == ("abg-2022", "abg-2024", "hartnet")
    assert (martini.receivable_cents, martini.payable_cents) == (0, 3_000_000)
    beatrix = rows[BEATRIX]
    assert beatrix.name == "Beatrixziekenhuis (Rivas)"
    assert beatrix.agreements == ("erasmus-stamcel-06040408", "oncomid")
    assert (beatrix.receivable_cents, beatrix.payable_cents, beatrix.net_cents) == (
        375_070, 444_444, -69_374,
    )  # fmt: skip
    assert sum(p.net_cents for p in rows.values()) == 0


def test_a_hospital_sees_only_its_own_position_and_an_insurer_none(
    connection: Connection,
) -> None:
    run_id = run_of(connection)
    beatrix = Principal(key_id="k", role="hospital", agb=BEATRIX)
    mine = positions.hospital_positions(connection, beatrix, run_id)
    assert [(p.agb, p.net_cents) for p in mine] == [(BEATRIX, -69_374)]
    insurer = Principal(key_id="i", role="insurer", uzovi="3311")
    with pytest.raises(Forbidden):
        positions.hospital_positions(connection, insurer, run_id)


def test_the_demo_prints_every_position_and_no_statement_for_a_pair_with_nothing(
    tmp_path: Path,
) -> None:
    from spreiding.cli import app

    result = CliRunner().invoke(app, ["--lang", "en", "demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    printed = result.stdout.replace("\N{NO-BREAK SPACE}", " ")
    assert (
        "06040408 Beatrixziekenhuis (Rivas) (agreements: 2): receivable € 3.750,70, "
        "payable € 4.444,44, net € -693,74"
    ) in printed
    assert "06050501 Saxenburgh MC (agreements: 1): receivable € 0,00" in printed
    written = sorted(p.name for p in (tmp_path / "statements").iterdir())
    # Saxenburgh & ZGT settle nothing: no statement. The UMCG and Martini (HartNet's shared
    # cost only), Antonius and UMC Utrecht (Oncomid's hours and cost) and LUMC and HMC
    # (UKC's hours only) have a statement though no DBC settles between them.
    assert not any("06050501-06050502" in name for name in written)
    for something in ("06060600-06060601", "06040401-06040409", "06070701-06070702"):
        assert f"afrekening-2024-run1-{something}.pdf" in written
    assert "afrekening-2024-run1-06030300-06040408.pdf" in written
