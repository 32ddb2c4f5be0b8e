"""Open DIS prices: rows per specialism and diagnosis collapse to one price per zorgproduct and
year; a conflict names both lines; the sample imports to samen-plus's benchmark prices."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from spreiding.cli import app
from spreiding.contract.reader import read_dataset
from spreiding.domain.errors import DatasetInvalid
from spreiding.formats.opendis import COLUMNS, BenchmarkPrice, read_opendis
from tests.conftest import SAMPLES, V1

runner = CliRunner()
SAMPLE = SAMPLES / "opendis" / "01_DBC.csv"
HEADER = ",".join(COLUMNS) + "\n"


def row(year: str, code: str, price: str, specialism: str = "0303") -> str:
    return f"{year},{specialism},1234,{code},1,1,1,1,1,1,{price},1.0,2025-06-01,2025-05-01\n"


def test_rows_of_one_zorgproduct_collapse_and_an_empty_price_gives_none() -> None:
    text = (
        HEADER
        + row("2024", "131999061", "1999.00")
        + row("2024", "131999061", "1999", specialism="0389")
        + row("2024", "131998011", "")
        + row("2023", "131999061", "1941.5")
    )
    assert read_opendis("01_DBC.csv", text) == [
        BenchmarkPrice(2023, "131999061", 194_150),
        BenchmarkPrice(2024, "131999061", 199_900),
    ]


def test_conflicting_prices_name_both_rows_and_every_error_is_reported() -> None:
    text = (
        HEADER
        + row("2024", "131999061", "1999.00")
        + row("2024", "131999061", "2010.00", specialism="0389")
        + row("24", "13199906", "12.345")
    )
    with pytest.raises(DatasetInvalid) as refused:
        read_opendis("01_DBC.csv", text)
    assert [str(e) for e in refused.value.errors] == [
        "01_DBC.csv:3: GEMIDDELDE_VERKOOPPRIJS: 2010.00 for zorgproduct 131999061 in 2024, "
        "but line 2 says 1999.00",
        "01_DBC.csv:4: GEMIDDELDE_VERKOOPPRIJS: '12.345' is not an amount in euros "
        "(at most two decimals)",
        "01_DBC.csv:4: JAAR: '24' is not a year",
        "01_DBC.csv:4: ZORGPRODUCT_CD: '13199906' is not a zorgproduct code (9 digits)",
    ]


def test_a_missing_price_column_is_an_error() -> None:
    with pytest.raises(DatasetInvalid) as refused:
        read_opendis("01_DBC.csv", "JAAR,ZORGPRODUCT_CD\n2024,131999061\n")
    assert str(refused.value) == "01_DBC.csv:1: GEMIDDELDE_VERKOOPPRIJS: required column is missing"


def test_the_sample_gives_samen_plus_benchmark_prices_and_merges_into_its_prices(
    tmp_path: Path,
) -> None:
    result = runner.invoke(
        app, ["--lang", "en", "prices", "import-opendis", str(SAMPLE), "--list", "nza"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "price_list,year,zorgproduct_code,price_eur\n"
        "nza,2023,029899011,10907.33\n"
        "nza,2023,131999061,1941.00\n"
        "nza,2023,131999062,2412.75\n"
        "nza,2024,029899011,11234.55\n"
        "nza,2024,099899017,4310.10\n"
        "nza,2024,131998011,3021.17\n"
        "nza,2024,131999061,1999.00\n"
        "nza,2024,131999062,2485.15\n"
    )
    listed = result.stdout.splitlines()[1:]
    # Into a copy of samen-plus: its own list kept, the new list added, the dataset valid.
    folder = tmp_path / "samen-plus"
    folder.mkdir()
    for path in (V1 / "samen-plus").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    prices = folder / "prices.csv"
    own = prices.read_text().splitlines()[1:]
    result = runner.invoke(
        app,
        ["--lang", "en", "prices", "import-opendis", str(SAMPLE), "--list", "nza",
         "--out", str(prices)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{prices}: 13 price(s)\n"
    lines = prices.read_text().splitlines()
    assert lines[1:9] == listed  # "nza" sorts before "samen-plus-benchmark"
    assert lines[9:] == own
    assert len(read_dataset(folder).prices) == 13


def test_a_price_list_row_that_differs_from_open_dis_is_refused(tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text("price_list,year,zorgproduct_code,price_eur\nnza,2024,131999061,1998.99\n")
    result = runner.invoke(
        app,
        ["--lang", "en", "prices", "import-opendis", str(SAMPLE), "--list", "nza",
         "--out", str(prices)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "prices.csv:2: price_eur: 1998.99 for 131999061 in 2024, Open DIS says 1999.00"
    )
    assert prices.read_text().endswith("nza,2024,131999061,1998.99\n")
