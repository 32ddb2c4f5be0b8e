from __future__ import annotations

import pytest

from spreiding.domain import identifiers as ids


@pytest.mark.parametrize(
    ("code", "value", "compact"),
    [
        (ids.agb, "06010001", "06010001"),
        (ids.agb, "06 01 00 01", "06010001"),
        (ids.uzovi, "3311", "3311"),
        (ids.zorgproduct, "131.999.061", "131999061"),
        (ids.specialism, "0303", "0303"),
    ],
)
def test_valid_codes_compact(code: ids.DigitCode, value: str, compact: str) -> None:
    assert code.validate(value) == compact
    assert code.is_valid(value)


@pytest.mark.parametrize(
    ("code", "value", "error", "message"),
    [
        (ids.agb, "0601001", ids.InvalidLength, "AGB code has 7 digits, must have 8"),
        (ids.agb, "0601000A", ids.InvalidFormat, "AGB code '0601000A' must contain digits only"),
        (ids.agb, "", ids.InvalidLength, "AGB code is empty, must have 8 digits"),
        (ids.uzovi, "33110", ids.InvalidLength, "UZOVI code has 5 digits, must have 4"),
        (
            ids.zorgproduct,
            "13199906",
            ids.InvalidLength,
            "zorgproduct code has 8 digits, must have 9",
        ),
        (
            ids.specialism,
            "３０３",
            ids.InvalidFormat,
            "specialism code '３０３' must contain digits only",
        ),
    ],
)
def test_invalid_codes_name_what_is_wrong(
    code: ids.DigitCode, value: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        code.validate(value)
    assert str(caught.value) == message
    assert not code.is_valid(value)


def test_agb_kind_and_zorgproduct_group() -> None:
    assert ids.agb.kind("06010001") == "06"
    assert ids.agb.kind("22090907") == "22"
    assert ids.zorgproduct.group("131999061") == "131999"


def test_bsn_uses_the_eleven_check() -> None:
    # 9*1 + 8*1 + 7*1 + 6*2 + 5*2 + 4*2 + 3*3 + 2*3 - 3 = 66 = 6 * 11
    assert ids.bsn.validate("111222333") == "111222333"
    assert not ids.bsn.is_valid("111222334")
    with pytest.raises(ids.InvalidChecksum, match="fails the 11-check"):
        ids.bsn.validate("111222334")
    with pytest.raises(ids.InvalidLength):
        ids.bsn.validate("1234")
    # 0x9 + 1x8 + 0x7 + 0x6 + 0x5 + 0x4 + 0x3 + 0x2 - 8x1 = 0: valid, with its leading zero.
    assert ids.bsn.validate("010000008") == "010000008"
    with pytest.raises(ids.InvalidLength):
        ids.bsn.validate("10000008")  # the same number without the zero is not nine digits
