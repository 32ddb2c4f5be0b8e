"""The streamed audit on two worker processes (``spreiding.services.audit_pool``): the findings
of the whole audit in the same order, and, for a file with errors, the same errors as on one
core."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.generate import generate
from settlement.audit.rules import audit
from spreiding.contract.reader import read_dataset
from spreiding.domain.dataset import sort_rows
from spreiding.domain.errors import DatasetInvalid
from spreiding.render.audit import audit_to_json
from spreiding.services import audit_pool
from spreiding.services.audit_partitions import _strings, _typed, audit_folder
from spreiding.services.declaration_checks import Checked, blocks, streamable
from tests import files as f
from tests.conftest import SAMPLES
from tests.strategies import audit_datasets


def whole(folder: Path) -> str:
    dataset = read_dataset(folder)
    found = audit(
        dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=2024
    )
    return audit_to_json(2024, found)


@pytest.fixture(scope="module")
def generated() -> Any:
    """A generated dataset of 4,000 declaration lines (spread care, duplicates, credit lines
    and rebills) in 15 blocks of about 24 kB."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = generate(Path(scratch) / "d", hospitals=6, odv_dbcs=300, declarations=4_000)
        yield folder


def test_two_workers_find_what_one_core_and_the_whole_audit_find(generated: Path) -> None:
    expected = whole(generated)
    assert '"PAR-002"' in expected and '"ODV-001"' in expected  # the rules have work here
    for part_lines in (1_000, 1_000_000):
        pooled = audit_folder(
            generated, year=2024, part_lines=part_lines, block_bytes=24_000, workers=2
        )
        assert audit_pool.LAST_PEAKS  # the workers audited the parts
        one = audit_folder(
            generated, year=2024, part_lines=part_lines, block_bytes=24_000, workers=1
        )
        assert audit_to_json(2024, pooled.findings) == expected
        assert audit_to_json(2024, one.findings) == expected


@pytest.mark.parametrize("folder", ["samen-plus"])
def test_a_sample_on_two_workers(folder: str) -> None:
    got = audit_folder(SAMPLES / folder, year=2024, part_lines=5, block_bytes=300, workers=2)
    assert audit_to_json(2024, got.findings) == whole(SAMPLES / folder)


def _errors(folder: Path, workers: int) -> list[str]:
    with pytest.raises(DatasetInvalid) as caught:
        audit_folder(folder, year=2024, block_bytes=24_000, workers=workers)
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize("broken", ["amount", "duplicate"])
def test_an_invalid_file_on_two_workers_has_the_errors_of_one_core(
    generated: Path, tmp_path: Path, broken: str
) -> None:
    folder = tmp_path / "d"
    shutil.copytree(generated, folder)
    path = folder / "declarations.csv"
    lines = path.read_text().splitlines()
    cells = lines[2500].split(",")
    if broken == "amount":
        cells[lines[0].split(",").index("amount_eur")] = "12,5"  # a cell too many
    else:
        cells[0] = lines[7].split(",")[0]  # the id of line 8 again on line 2501
    lines[2500] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    errors = _errors(folder, 2)
    assert errors == _errors(folder, 1)
    assert errors and all("declarations" in e for e in errors)
    if broken == "duplicate":
        assert any("2501" in e for e in errors)


@pytest.mark.parametrize("folder", ["samen-plus", "hartnet", "oncomid"])
def test_typed_table_is_the_typed_frame_of_a_block(folder: str) -> None:
    path = SAMPLES / folder / "declarations.csv"
    if not path.is_file():
        pytest.skip("no declarations.csv")
    header = streamable(path)
    assert header is not None
    checked = Checked(path, header, None, None, None)
    schema = audit_pool._schema()
    for first_line, data in blocks(path, block_bytes=400):
        frame = checked.frame(first_line, data)
        expected = _typed(_strings(frame, header))
        got = sort_rows(
            audit_pool.typed_table(frame, header, schema).to_pandas(), ["declaration_id"]
        )
        pd.testing.assert_frame_equal(got, expected)
        # The dates as the checks parsed them: the same frame.
        assert set(checked.dates) == {"start_date", "end_date", "declared_on"}
        reused = audit_pool.typed_table(frame, header, schema, checked.dates).to_pandas()
        pd.testing.assert_frame_equal(sort_rows(reused, ["declaration_id"]), expected)


@given(files=audit_datasets())
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_datasets_on_two_workers_find_what_the_whole_finds(files: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = f.write(Path(scratch), files)
        if not (folder / "declarations.csv").is_file():
            return
        got = audit_folder(folder, year=2024, part_lines=3, block_bytes=64, workers=2)
        assert audit_to_json(2024, got.findings) == whole(folder)


def test_balanced_parts_fill_every_round_of_workers() -> None:
    # 11 buckets of 100 lines, parts of at most 200: packed makes 6 (5 of 200, one of 100);
    # on 2 workers, 6 is a whole number of rounds already.
    buckets = {Path(f"b{i:02}"): 100 for i in range(11)}
    assert len(audit_pool.balanced(buckets, 200, 2)) == 6
    # Parts of at most 300: packed makes 4 (300, 300, 300, 200): 4 rounds' worth on 3
    # workers would leave two idle in the second; balanced makes 6: bucket i goes to part
    # (200 i + 100) * 6 // 2,200, that is 0 0 1 1 2 3 3 4 4 5 5.
    parts = audit_pool.balanced(buckets, 300, 3)
    assert len(parts) == 6
    sizes = [sum(buckets[p] for p in part) for part in parts]
    assert sizes == [200, 200, 100, 200, 200, 200]
    assert [p for part in parts for p in part] == list(buckets)  # each once, in order


def test_balanced_parts_keep_the_limit_or_fall_back_to_packed() -> None:
    from spreiding.services.audit_partitions import packed

    # Four small buckets and one past the limit (a part alone): packed makes 2 parts; 4
    # workers would want 4, but by their middle lines the small ones all go to part 0 and the
    # large one to part 2 (480 * 4 // 880), leaving parts 1 and 3 empty: packed's parts.
    buckets = {Path("a"): 10, Path("b"): 10, Path("c"): 10, Path("d"): 10, Path("e"): 400}
    assert audit_pool.balanced(buckets, 100, 4) == packed(buckets, 100)
    # A part past the limit: packed makes 3 parts (a+b, c, d+e); 4 by the middle lines,
    # (2 * before + size) * 4 // 580, are a 0, b 1, c 2, d 2, e 3: c and d make 140 > 100,
    # so packed's parts.
    tight = {Path("a"): 50, Path("b"): 50, Path("c"): 90, Path("d"): 50, Path("e"): 50}
    assert len(packed(tight, 100)) == 3
    assert audit_pool.balanced(tight, 100, 2) == packed(tight, 100)
    # Fewer buckets than a round of workers: packed's parts.
    few = {Path("a"): 50, Path("b"): 50}
    assert audit_pool.balanced(few, 60, 4) == packed(few, 60)
    assert audit_pool.balanced({}, 10, 2) == []


def _python(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``script`` run by this Python in a process of its own (so that what its workers print
    is seen), which must succeed."""
    ran = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return ran


def test_a_worker_that_starts_after_the_audit_ended_leaves_quietly(tmp_path: Path) -> None:
    """The pool is shut down without waiting for a worker still starting, and the spill
    folder with the workers' state is removed: such a worker finds no state and ends without
    a word. (It raised, and a traceback followed the findings on the terminal.) A small file
    in many blocks is audited before the second worker is up, in a process of its own so that
    what its workers print is seen."""
    script = (
        "from pathlib import Path\n"
        "from spreiding.services.audit_partitions import audit_folder\n"
        "found = audit_folder(Path(r'%s'), year=2024, part_lines=5, block_bytes=300, workers=2)\n"
        "print(len(found.findings))\n"
    ) % (SAMPLES / "samen-plus")
    ran = _python(script)
    assert int(ran.stdout) > 0
    assert ran.stderr == ""
    # And so, called directly with a state file that is gone:
    audit_pool._STATE.clear()
    audit_pool._start(tmp_path / "gone" / "state.pickle")
    assert audit_pool._STATE == {}


@pytest.mark.parametrize(
    "body",
    [
        b"a,1\nbb,22\nccc,333\n",
        b"a,1\nbb,22\nccc,333",  # no line end at the end
        b"a,1\n" + b"x" * 50 + b",long\nb,2\n",  # a line longer than a block
        b"x" * 50 + b",long",  # one long line, no line end
        b"",  # the header alone
    ],
)
def test_spans_cut_the_file_where_blocks_cut_it(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "declarations.csv"
    path.write_bytes(b"declaration_id,amount_eur\n" + body)
    data = path.read_bytes()
    cut = [data[offset : offset + length] for offset, length in audit_pool.spans(path, 8)]
    assert cut == [chunk for _, chunk in blocks(path, block_bytes=8)]
    assert b"".join(cut) == body


def _audited(folder: Path, workers: int) -> str:
    """The findings as JSON, or the errors, of ``folder`` audited on ``workers``."""
    try:
        found = audit_folder(folder, year=2024, block_bytes=24_000, workers=workers)
    except DatasetInvalid as exc:
        return "\n".join(str(e) for e in exc.errors)
    return audit_to_json(2024, found.findings)


@pytest.mark.parametrize("byte", [b"\xe9", b"\x81"])
@pytest.mark.parametrize("cells", ["right", "one too many"])
def test_bytes_that_are_not_utf8_in_a_late_block_give_what_one_core_gives(
    generated: Path, tmp_path: Path, byte: bytes, cells: str
) -> None:
    """The pool does not scan the file for UTF-8 first: the worker whose block has such a
    byte stops the work, and the file is read as one core reads it. 0xe9 is Windows-1252's
    é (the file is read whole as Windows-1252: the same findings, or the same error of a
    row's cells); 0x81 is neither encoding (the same error, on its line). In a process of its
    own, so that what its workers print is seen: nothing (a row of a wrong cell count with
    such a byte made Arrow print a traceback of its handler's when a worker parsed it)."""
    folder = tmp_path / "d"
    shutil.copytree(generated, folder)
    path = folder / "declarations.csv"
    lines = path.read_bytes().split(b"\n")
    row = lines[3000].split(b",")
    row[lines[0].split(b",").index(b"patient_ref")] += byte
    lines[3000] = b",".join(row) + (b",extra" if cells == "one too many" else b"")
    path.write_bytes(b"\n".join(lines))
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tests.test_audit_pool import _audited\n"
        "if __name__ == '__main__':\n"
        "    sys.stdout.write(_audited(Path(sys.argv[1]), 2))\n"
    )
    ran = _python(script, str(folder))
    assert ran.stderr == ""
    assert ran.stdout == _audited(folder, 1)
    if byte == b"\x81":
        assert "declarations.csv:3001" in ran.stdout and "UTF-8" in ran.stdout, ran.stdout
    elif cells == "one too many":
        assert "declarations.csv:3001: (row)" in ran.stdout, ran.stdout
    else:
        assert ran.stdout == whole(folder)


def test_a_process_forked_after_an_audit_audits_on_two_workers() -> None:
    """The fork server is the process's that started it; a process forked from it (a worker
    of a prefork server, a pool's child) spawns its workers instead (it raised
    ``ChildProcessError``: Python's record of the server, copied by the fork, is not its
    own), and finds the same."""
    script = (
        "import os\n"
        "from pathlib import Path\n"
        "from spreiding.services.audit_partitions import audit_folder\n"
        "def found():\n"
        "    return len(audit_folder(Path(r'%s'), year=2024, part_lines=5, block_bytes=300,"
        " workers=2).findings)\n"
        "if __name__ == '__main__':\n"
        "    here = found()\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        os._exit(0 if found() == here > 0 else 3)\n"
        "    print(os.waitpid(pid, 0)[1])\n"
    ) % (SAMPLES / "samen-plus")
    ran = _python(script)
    assert ran.stdout.strip() == "0", ran.stderr
