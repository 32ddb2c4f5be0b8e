"""Alliance key files and pseudonyms: the same patient_ref for the same BSN in every hospital,
refused BSNs reported by line, and no BSN in any output."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from spreiding.cli import app
from spreiding.formats.pseudonyms import (
    BsnRefused,
    KeyFileInvalid,
    key_text,
    parse_key,
    pseudonym,
    valid_bsn,
)

runner = CliRunner()
KEY = bytes(range(32))
# Valid BSNs (11-check: 9a+8b+...+2h-1i divisible by 11), worked by hand.
BSN_A = "111222333"  # 9+8+7+12+10+8+9+6-3 = 66
BSN_B = "123456782"  # 9+16+21+24+25+24+21+16-2 = 154


def test_pseudonym_is_hmac_sha256_truncated_to_80_bits_in_base32_groups() -> None:
    digest = hmac.new(KEY, BSN_A.encode(), hashlib.sha256).digest()
    code = base64.b32encode(digest[:10]).decode()
    expected = f"PR-{code[0:4]}-{code[4:8]}-{code[8:12]}-{code[12:16]}"
    assert pseudonym(KEY, BSN_A) == expected
    assert pseudonym(bytes(32), "111222333") == "PR-4AUP-73LU-JXPV-IFWK"  # the docstring's


def test_two_hospitals_with_the_same_key_get_the_same_reference_another_key_another() -> None:
    assert pseudonym(KEY, BSN_A) == pseudonym(bytes(KEY), " 111 222 333 ")
    assert pseudonym(KEY, BSN_A) != pseudonym(KEY, BSN_B)
    assert pseudonym(KEY, BSN_A) != pseudonym(bytes(32), BSN_A)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999999999", "BSN 999999999 means 'BSN unknown'; it has no pseudonym"),
        ("111222334", "BSN fails the 11-check"),
        ("11122233", "BSN has 8 digits, must have 9"),
        ("11122233X", "BSN must contain digits only"),
        ("", "BSN is empty"),
    ],
)
def test_refused_bsns_say_why_without_the_number(value: str, message: str) -> None:
    with pytest.raises(BsnRefused) as refused:
        pseudonym(KEY, value)
    assert str(refused.value) == message


@given(st.binary(min_size=32, max_size=32), st.integers(min_value=10_000_000, max_value=99_999_999))
def test_a_reference_is_never_nine_digits_and_valid_bsns_always_get_one(key: bytes, n: int) -> None:
    # Complete eight digits to a valid BSN: choose the last digit that passes the 11-check.
    digits = f"{n:08d}"
    total = sum((9 - i) * int(d) for i, d in enumerate(digits))
    last = total % 11
    if last > 9:
        return
    bsn = digits + str(last)
    assert valid_bsn(bsn) == bsn
    ref = pseudonym(key, bsn)
    assert len(ref) == 22 and ref.startswith("PR-") and not ref.isdigit()


def test_key_text_round_trips_and_damage_is_named() -> None:
    assert parse_key(key_text(KEY)) == KEY
    text = key_text(KEY)
    with pytest.raises(KeyFileInvalid, match="does not match its check"):
        parse_key(text.replace(KEY.hex()[:2], "ff", 1))
    with pytest.raises(KeyFileInvalid, match="has 31 bytes"):
        parse_key(text.replace(KEY.hex(), KEY.hex()[:62]))
    with pytest.raises(KeyFileInvalid, match="not a spreiding alliance key file"):
        parse_key("hello")


def test_keyfile_create_writes_mode_0600_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "alliantie.key"
    result = runner.invoke(app, ["--lang", "en", "keyfile", "create", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = parse_key(path.read_text())
    again = runner.invoke(app, ["--lang", "en", "keyfile", "create", str(path)])
    assert again.exit_code == 2
    assert "already exists; a key file is never overwritten" in again.stderr
    assert parse_key(path.read_text()) == key
    other = tmp_path / "other.key"
    assert runner.invoke(app, ["keyfile", "create", str(other)]).exit_code == 0
    assert parse_key(other.read_text()) != key


def _bsn_file(path: Path, rows: list[tuple[str, str]]) -> None:
    path.write_text("row_id,bsn,note\n" + "".join(f"{i},{b},x\n" for i, b in rows))


def test_pseudonymise_replaces_the_column_and_no_bsn_is_left(tmp_path: Path) -> None:
    key_file = tmp_path / "k.key"
    assert runner.invoke(app, ["keyfile", "create", str(key_file)]).exit_code == 0
    key = parse_key(key_file.read_text())
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _bsn_file(source, [("r1", BSN_A), ("r2", BSN_B), ("r3", BSN_A)])
    result = runner.invoke(
        app,
        ["--lang", "en", "pseudonymise", str(source), str(target), "--key-file", str(key_file)],
    )
    assert result.exit_code == 0, result.output
    assert target.read_text() == (
        "row_id,patient_ref,note\n"
        f"r1,{pseudonym(key, BSN_A)},x\n"
        f"r2,{pseudonym(key, BSN_B)},x\n"
        f"r3,{pseudonym(key, BSN_A)},x\n"
    )
    for text in (target.read_text(), result.stdout, result.stderr):
        assert BSN_A not in text and BSN_B not in text


def test_refused_bsns_are_reported_by_line_and_nothing_is_written(tmp_path: Path) -> None:
    key_file = tmp_path / "k.key"
    assert runner.invoke(app, ["keyfile", "create", str(key_file)]).exit_code == 0
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _bsn_file(source, [("r1", BSN_A), ("r2", "999999999"), ("r3", "111222334")])
    result = runner.invoke(
        app,
        ["--lang", "en", "pseudonymise", str(source), str(target), "--key-file", str(key_file)],
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [
        "in.csv:3: bsn: BSN 999999999 means 'BSN unknown'; it has no pseudonym",
        "in.csv:4: bsn: BSN fails the 11-check",
    ]
    assert not target.exists()
    assert "111222334" not in result.output and BSN_A not in result.output


def test_a_missing_open_or_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _bsn_file(source, [("r1", BSN_A)])

    def run(key_file: Path) -> str:
        result = runner.invoke(
            app,
            [
                "--lang",
                "en",
                "pseudonymise",
                str(source),
                str(tmp_path / "o.csv"),
                "--key-file",
                str(key_file),
            ],
        )
        assert result.exit_code == 2
        assert not (tmp_path / "o.csv").exists()
        return result.stderr.strip()

    missing = tmp_path / "missing.key"
    assert run(missing) == (
        f"{missing}: key file not found (make one with `spreiding keyfile create`)"
    )
    damaged = tmp_path / "damaged.key"
    damaged.write_text(key_text(KEY).replace(KEY.hex()[-2:], "00"))
    os.chmod(damaged, 0o600)
    assert run(damaged) == (
        f"{damaged}: the key does not match its check; the file is damaged or mistyped"
    )
    open_key = tmp_path / "open.key"
    open_key.write_text(key_text(KEY))
    os.chmod(open_key, 0o644)
    assert run(open_key) == (
        f"{open_key}: can be read by others (mode 0644); run `chmod 600 {open_key}`"
    )
