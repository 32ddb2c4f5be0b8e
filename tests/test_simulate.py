"""``spreiding simulate`` as a user runs it (issue 12), and the service on the database: the
figures from files, a draft's errors, the Vaatnetwerk Utrecht demo with its board PDF and chart,
and that nothing is stored (row counts of every table, SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import Connection, MetaData, func, select, table
from typer.testing import CliRunner

from spreiding.cli import app
from spreiding.domain.errors import DatasetInvalid
from spreiding.services import datasets, simulation
from spreiding.services.access import OPERATOR
from tests.conftest import SAMPLES, V1
from tests.settlement.test_simulation import VAAT_DRAFT

runner = CliRunner()
SAMEN = V1 / "samen-plus"
ALRIJNE, GROENE_HART = "06010101", "06010102"
UMC, ANTONIUS = "06040409", "06040401"


def test_the_samen_plus_plan_from_files() -> None:
    args = [
        "simulate", "--data", str(SAMEN), "--year", "2024",
        "--agreement-id", "samen-plus-liesbreuk-2024", "--format", "json",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    # Liesbreuk: 120 at Groene Hart for Alrijne, 1999.00 x 0.90 = 1799.10 each (215892.00);
    # rectumcarcinoom: 8 at Alrijne for Groene Hart, 11234.56 x 0.90 = 10111.10 each.
    assert body["plan"]["planned"] == [
        {"care_type": "rectumcarcinoom", "zorgproduct_code": "029899011",
         "performing_agb": ALRIJNE, "requesting_agb": GROENE_HART, "dbcs": 8},
        {"care_type": "liesbreuk", "zorgproduct_code": "131999061",
         "performing_agb": GROENE_HART, "requesting_agb": ALRIJNE, "dbcs": 120},
    ]  # fmt: skip
    assert body["plan"]["parties"][1] == {
        "agb": GROENE_HART, "receivable": "215892.00", "payable": "80888.80",
        "net": "135003.20", "without_receivable": "0.00", "without_payable": "0.00",
        "without_net": "0.00", "change": "135003.20",
    }  # fmt: skip
    assert body["replay"] is None and body["sensitivity"] == []
    assert runner.invoke(app, args).output == result.output  # the same bytes


def test_an_invalid_draft_is_refused_with_its_file_and_field(tmp_path: Path) -> None:
    draft = json.loads(json.dumps(VAAT_DRAFT))
    draft["care_types"][0]["settlement"] = {"method": "odv_benchmark", "share": "1.5",
                                            "price_list": "nza"}  # fmt: skip
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(draft), encoding="utf-8")
    args = [
        "--lang", "en", "simulate", "--data", str(SAMPLES / "vaatnetwerk-utrecht"), "--year",
        "2024", "--agreement-file", str(path),
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"{path}:0: care_types[0].settlement.share:" in result.stderr
    assert f"{path}:0: care_types[0].settlement.price_list:" in result.stderr


def test_the_vaatnetwerk_demo_writes_the_board_pdf_and_the_chart(tmp_path: Path) -> None:
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(VAAT_DRAFT), encoding="utf-8")
    pdf, svg = tmp_path / "vaat.pdf", tmp_path / "vaat.svg"
    args = [
        "simulate", "--data", str(SAMPLES / "vaatnetwerk-utrecht"), "--year", "2024",
        "--agreement-file", str(path), "--replay", "--volumes", "-20:20:20", "--format",
        "json", "--pdf", str(pdf), "--svg", str(svg),
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    umc = next(p for p in body["plan"]["parties"] if p["agb"] == UMC)
    assert umc["receivable"] == "130032.00"  # 12 x 10836.00
    assert body["replay"]["changes"] == [
        {"agb": UMC, "dbc_id": "VAAT-D00015", "requesting_agb": ANTONIUS, "before": None,
         "before_reason": "NOT_ODV", "after": "10836.00", "after_reason": None,
         "converted": True},
    ]  # fmt: skip
    # Volumes -20%, 0, +20% of 12: 10, 12, 14 patients (fixed fee: no share to vary).
    nets = [
        next(p["net"] for p in row["parties"] if p["agb"] == UMC) for row in body["sensitivity"]
    ]
    assert nets == ["108360.00", "130032.00", "151704.00"]
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages
    )
    assert "Simulatie samenwerkingsovereenkomst 2024" in text
    assert "€ 130.032,00" in text and "€ 10.836,00" in text
    assert "zelf gedeclareerd (geen ODV)" in text
    chart = svg.read_text(encoding="utf-8")
    assert chart.startswith("<svg") and chart.count("<polyline") == 7
    assert "volume t.o.v. plan" in chart and "UMC Utrecht" in chart
    # The same input: the same PDF bytes.
    again = tmp_path / "again.pdf"
    runner.invoke(app, [*args[:-4], "--pdf", str(again)])
    assert again.read_bytes() == pdf.read_bytes()


def counts(connection: Connection) -> dict[str, int]:
    metadata = MetaData()
    metadata.reflect(connection)
    return {
        name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in sorted(metadata.tables)
    }


def test_simulating_on_the_database_stores_nothing(connection: Connection) -> None:
    for folder in (V1 / "samen-plus", SAMPLES / "vaatnetwerk-utrecht"):
        datasets.import_dataset(connection, datasets.read_folder(folder), OPERATOR)
    before = counts(connection)
    assert before["dbc"] > 0 and before["agreement"] > 0
    stored = simulation.simulate_stored(
        connection,
        OPERATOR,
        simulation.SimulationRequest(
            year=2024, agreement_id="samen-plus-liesbreuk-2024", replay=True,
            shares=(Decimal("0.80"), Decimal("1.00")), volumes=(-20, 0, 20),
        ),
    )  # fmt: skip
    draft = simulation.simulate_stored(
        connection,
        OPERATOR,
        simulation.SimulationRequest(year=2024, draft=VAAT_DRAFT, replay=True),
    )
    assert counts(connection) == before
    assert len(stored.sensitivity) == 6
    # The stored agreement replayed over its real year: the real figures, nothing changes.
    assert stored.replay is not None and stored.replay.changes == ()
    assert [(p.net_cents, p.base_net_cents) for p in stored.replay.parties] == [
        (3_944_068, 3_944_068), (-3_944_068, -3_944_068),
    ]  # fmt: skip
    assert draft.replay is not None and len(draft.replay.changes) == 1


def test_a_plan_beyond_a_million_dbcs_or_two_hundred_rows_is_refused() -> None:
    dataset = datasets.read_folder(SAMPLES / "vaatnetwerk-utrecht")
    draft = json.loads(json.dumps(VAAT_DRAFT))
    draft["care_types"][0]["planned_volume"] = {"2024": 900_000}
    ok = simulation.SimulationRequest(year=2024, draft=draft)
    assert simulation.simulate_dataset(dataset, ok).plan.planned[0].dbcs == 150_000
    # +20% of 900,000 is 1,080,000 DBCs.
    with_more = simulation.SimulationRequest(year=2024, draft=draft, volumes=(0, 20))
    with pytest.raises(DatasetInvalid) as refused:
        simulation.simulate_dataset(dataset, with_more)
    assert [str(e) for e in refused.value.errors] == [
        "request:0: planned_volume: 1,080,000 DBCs to simulate; at most 1,000,000"
    ]
    rows = simulation.SimulationRequest(
        year=2024, draft=VAAT_DRAFT, shares=tuple(Decimal(n) / 100 for n in range(1, 101)),
        volumes=(-10, 0, 10),
    )  # fmt: skip
    with pytest.raises(DatasetInvalid) as refused:
        simulation.simulate_dataset(dataset, rows)
    assert [str(e) for e in refused.value.errors] == [
        "request:0: shares: at most 200 shares x volumes in one simulation"
    ]


def test_the_demo_simulates_the_vaatnetwerk_draft(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    name = "simulatie-vaatnetwerk-aorta-2025-2024"
    pdf, svg = tmp_path / "simulatie" / f"{name}.pdf", tmp_path / "simulatie" / f"{name}.svg"
    assert str(pdf) in result.output and str(svg) in result.output
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    # From plan: UMC Utrecht receives 12 x 10836.00; replayed: the one patient both declared.
    assert "€ 130.032,00" in text and "VAAT-D00015" in text
    assert svg.read_text(encoding="utf-8").count("<polyline") == 7


def test_a_hospital_sees_of_the_replay_only_what_concerns_it(connection: Connection) -> None:
    from spreiding.domain.access import Principal

    for name in ("oncomid", "vaatnetwerk-utrecht"):
        datasets.import_dataset(connection, datasets.read_folder(SAMPLES / name), OPERATOR)
    request = simulation.SimulationRequest(year=2024, draft=VAAT_DRAFT, replay=True)
    whole = simulation.simulate_stored(connection, OPERATOR, request)
    antonius = Principal("k-antonius", "hospital", agb=ANTONIUS)
    seen = simulation.simulate_stored(connection, antonius, request)
    assert whole.replay is not None and seen.replay is not None
    pairs = whole.replay.with_.pairs
    mine = pairs.loc[(pairs["debtor_agb"] == ANTONIUS) | (pairs["creditor_agb"] == ANTONIUS)]
    for p in seen.replay.parties:
        received = mine.loc[mine["creditor_agb"] == p.agb, "total_cents"].sum()
        paid = mine.loc[mine["debtor_agb"] == p.agb, "total_cents"].sum()
        assert (p.receivable_cents, p.payable_cents) == (int(received), int(paid))
    # Antonius sees what it owes UMC Utrecht: the replayed DBC (10836.00) and
    # Oncomid's hours and shared cost with UMC Utrecht (5294.45); not what the others owe it.
    umc = next(p for p in whole.replay.parties if p.agb == UMC)
    umc_seen = next(p for p in seen.replay.parties if p.agb == UMC)
    assert umc.receivable_cents > umc_seen.receivable_cents == 1_083_600 + 529_445
    assert seen.replay.changes == whole.replay.changes  # the one DBC is Antonius's
    # A hospital not in the draft may not simulate it.
    amc = Principal("k-amc", "hospital", agb="06020201")
    with pytest.raises(simulation.Forbidden):
        simulation.simulate_stored(connection, amc, request)
