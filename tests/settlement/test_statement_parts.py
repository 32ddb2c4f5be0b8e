"""Every statement of a run built from the run cut by pair equals the statement built from the
whole run: the same lines, hours, costs, exclusions and payments, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from settlement.statement import build_statement, pairs_of
from settlement.statement_parts import PairIndex
from spreiding.contract.reader import read_dataset
from spreiding.domain.runs import StoredRun
from spreiding.services.settlement import settle_dataset
from tests.conftest import V1

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FOLDERS = [V1 / "samen-plus", V1 / "amsterdam-flevo", SAMPLES / "oncomid"]
FOLDERS += [SAMPLES / "erasmus-stamcel", SAMPLES / "hartnet", SAMPLES / "ukc-leiden-denhaag"]


@pytest.mark.parametrize("netting", ["bilateral", "multilateral"])
@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_a_statement_from_the_pair_index_is_the_statement_from_the_whole_run(
    folder: Path, netting: str
) -> None:
    result = settle_dataset(read_dataset(folder), year=2024, netting=netting)  # type: ignore[arg-type]
    run = StoredRun(1, "settlement", "draft", 2024, netting, "f" * 64, None, 0)
    names = {agb: f"Ziekenhuis {agb}" for pair in pairs_of(result) for agb in pair}
    index = PairIndex.of(result)
    pairs = pairs_of(result)
    assert pairs, "every folder here has something to settle"
    for first, second in pairs:
        whole = build_statement(
            run, result, first=first, second=second, hospitals=names, agreements={}
        )
        cut = build_statement(
            run, index.for_pair(first, second), first=first, second=second, hospitals=names,
            agreements={},
        )  # fmt: skip
        assert cut == whole
