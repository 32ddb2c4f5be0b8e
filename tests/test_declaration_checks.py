"""The declarations checked block by block (``spreiding.services.declaration_checks``, through
``audit_partitions.audit_folder``) give every error the whole-file reader gives, same text:
on each bad-input case of the reader's tests, and on files whose errors cross blocks (a rule
broken on many lines, duplicate ids in different blocks, short rows, empty lines, NUL
characters); and nothing is audited when any check fails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spreiding.contract.reader import read_dataset
from spreiding.domain.errors import DatasetInvalid
from spreiding.render.audit import audit_to_json
from spreiding.services import audit_partitions
from spreiding.services.audit import audit_dataset
from spreiding.services.audit_partitions import audit_folder
from tests import files as f
from tests import test_bad_input, test_reader, test_reader_messages

Files = dict[str, Any]


def reader_errors(folder: Path) -> list[str] | None:
    try:
        read_dataset(folder)
    except DatasetInvalid as exc:
        return [str(e) for e in exc.errors]
    return None


def streamed_errors(folder: Path, block_bytes: int) -> list[str] | None:
    try:
        audit_folder(folder, year=2024, block_bytes=block_bytes, part_lines=2)
    except DatasetInvalid as exc:
        return [str(e) for e in exc.errors]
    return None


def same(folder: Path) -> None:
    expected = reader_errors(folder)
    for block_bytes in (1, 300):  # one line a block, a few lines a block
        assert streamed_errors(folder, block_bytes) == expected, block_bytes


def _reader_changes() -> list[Any]:
    cases = [
        pytest.param(change, None, id=f"reader-{name}") for name, change, _ in test_reader.CASES
    ]
    for param in test_bad_input.CASES:
        bad = param.values[0]
        cases.append(pytest.param(bad.change, bad.after, id=f"bad-{param.id}"))
    for file, index, values, _ in test_reader_messages.CASES:
        cases.append(
            pytest.param(
                test_reader.set_row(file, index, **values),
                None,
                id=f"messages-{file}-{index}-{values}",
            )
        )
    return cases


@pytest.mark.parametrize(("change", "after"), _reader_changes())
def test_every_bad_input_case_gives_the_readers_errors(
    change: Callable[[Files], None] | None, after: Callable[[Path], None] | None, tmp_path: Path
) -> None:
    files = test_reader.with_c(f.base_files())
    if change is not None:
        change(files)
    f.write(tmp_path, files)
    if after is not None:
        after(tmp_path)
    same(tmp_path)


def many(files: Files, count: int, **values: str) -> None:
    for number in range(count):
        files["declarations.csv"].append(
            f.declaration(declaration_id=f"V{number:05d}", dbc_id="H1") | values
        )


def _declaration_text(tmp_path: Path, files: Files) -> str:
    f.write(tmp_path, files)
    return (tmp_path / "declarations.csv").read_text(encoding="utf-8")


CROSSING: list[Any] = [
    pytest.param(lambda fs: many(fs, 40, declared_on="2024-13-01"), id="one-rule-on-40-lines"),
    pytest.param(lambda fs: many(fs, 7, amount_eur="1,5", uzovi="9999"), id="two-rules-7-lines"),
    pytest.param(lambda fs: many(fs, 12, dbc_id="NOPE", patient_ref="123456782"), id="refs-bsn"),
    pytest.param(lambda fs: many(fs, 9, declaration_id="SAME"), id="one-id-on-9-lines"),
    pytest.param(lambda fs: many(fs, 30, declaration_id="V00001"), id="ids-repeated-far-apart"),
    pytest.param(lambda fs: many(fs, 6, patient_ref="P\x00"), id="nul-on-6-lines"),
    pytest.param(lambda fs: many(fs, 6, declaration_id="x" * 1001), id="long-on-6-lines"),
]


@pytest.mark.parametrize("change", CROSSING)
def test_errors_across_blocks_are_counted_as_over_the_whole_file(
    change: Callable[[Files], None], tmp_path: Path
) -> None:
    files = f.base_files()
    change(files)
    f.write(tmp_path, files)
    assert reader_errors(tmp_path) is not None
    same(tmp_path)


def test_short_rows_and_empty_lines_keep_the_files_line_numbers(tmp_path: Path) -> None:
    files = f.base_files()
    many(files, 20)
    lines = _declaration_text(tmp_path, files).splitlines(keepends=True)
    lines.insert(4, "\n")
    lines.insert(9, "a,b\n")
    lines.insert(15, "\n")
    lines[18] = lines[18].replace("2024-", "2O24-", 1)
    (tmp_path / "declarations.csv").write_text("".join(lines), encoding="utf-8")
    assert reader_errors(tmp_path) is not None
    same(tmp_path)


def test_errors_in_other_files_and_in_declarations_are_all_given(tmp_path: Path) -> None:
    files = f.base_files()
    many(files, 8, agb="06019999")
    files["hospitals.csv"][0]["kind"] = "kliniek"
    files["dbcs.csv"][0]["odv"] = "maybe"
    f.write(tmp_path, files)
    same(tmp_path)


def test_nothing_is_audited_when_a_check_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = f.base_files()
    many(files, 20)
    files["declarations.csv"][-1]["declared_on"] = "2024-02-30"
    f.write(tmp_path, files)

    def no_audit(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("audited")

    monkeypatch.setattr(audit_partitions, "audit_part", no_audit)
    with pytest.raises(DatasetInvalid):
        audit_folder(tmp_path, year=2024, block_bytes=100, part_lines=2)


def test_a_valid_folder_gives_the_whole_audits_findings_and_details(tmp_path: Path) -> None:
    files = f.base_files()
    many(files, 25)
    f.write(tmp_path, files)
    dataset = read_dataset(tmp_path)
    expected = audit_dataset(dataset, year=2024)
    streamed = audit_folder(tmp_path, year=2024, block_bytes=150, part_lines=3, details=True)
    assert audit_to_json(2024, streamed.findings) == audit_to_json(2024, expected)
    assert streamed.details == audit_partitions.dataset_details(dataset, expected)


def test_a_semicolon_file_is_read_whole_with_the_same_findings(tmp_path: Path) -> None:
    files = f.base_files()
    many(files, 5)
    text = _declaration_text(tmp_path, files).replace(",", ";")
    (tmp_path / "declarations.csv").write_text(text, encoding="utf-8")
    assert audit_partitions.streamable(tmp_path / "declarations.csv") is None
    dataset = read_dataset(tmp_path)
    found = audit_folder(tmp_path, year=2024).findings
    assert audit_to_json(2024, found) == audit_to_json(2024, audit_dataset(dataset, year=2024))


def test_the_cli_audits_in_parts_with_the_same_output_and_refuses_as_validate(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from spreiding.cli import app
    from tests.conftest import SAMPLES

    runner = CliRunner()
    sample = str(SAMPLES / "samen-plus")
    whole = runner.invoke(app, ["audit", "--year", "2024", "--data", sample, "--format", "json"])
    parts = runner.invoke(
        app,
        ["audit", "--year", "2024", "--data", sample, "--format", "json", "--part-lines", "1"],
    )
    assert whole.exit_code == parts.exit_code == 0
    assert parts.stdout == whole.stdout
    files = f.base_files()
    many(files, 8, declared_on="2024-02-30")
    f.write(tmp_path, files)
    refused = runner.invoke(app, ["audit", "--year", "2024", "--data", str(tmp_path)])
    validated = runner.invoke(app, ["validate", str(tmp_path)])
    assert refused.exit_code == validated.exit_code == 2
    assert refused.stderr.splitlines()[:-1] == validated.stderr.splitlines()[:-1]


@pytest.mark.parametrize("shape", ["header-only", "crlf", "bom"])
def test_a_header_only_crlf_or_bom_file_gives_the_whole_audits_findings(
    shape: str, tmp_path: Path
) -> None:
    files = f.base_files()
    if shape == "header-only":
        files["declarations.csv"] = []
    f.write(tmp_path, files)
    path = tmp_path / "declarations.csv"
    if shape == "crlf":
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    if shape == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert audit_partitions.streamable(path) is not None
    expected = audit_dataset(read_dataset(tmp_path), year=2024)
    found = audit_folder(tmp_path, year=2024, block_bytes=50).findings
    assert audit_to_json(2024, found) == audit_to_json(2024, expected)
