"""Identifiers of Dutch health care, parsed rather than merely checked.

Each kind has ``compact`` (strip spaces and separators), ``validate`` (return the compact form or
raise an ``InvalidIdentifier`` subclass that names what is wrong) and ``is_valid``.

Example: ``agb.validate("06 01 00 01")`` returns ``"06010001"``; ``agb.kind("06010001")`` is
``"06"`` (hospitals; ``"22"`` is a ZBC); ``agb.validate("0601001")`` raises
``InvalidLength("AGB code has 7 digits, must have 8")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from stdnum import exceptions as stdnum_exceptions
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn


class InvalidIdentifier(ValueError):
    """An identifier that is not well formed; the message says what is wrong."""


class InvalidLength(InvalidIdentifier):
    pass


class InvalidFormat(InvalidIdentifier):
    pass


class InvalidChecksum(InvalidIdentifier):
    pass


class Identifier(Protocol):
    """What every identifier kind offers."""

    def compact(self, value: str) -> str: ...

    def validate(self, value: str) -> str: ...

    def is_valid(self, value: str) -> bool: ...


_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class DigitCode:
    """A code of exactly ``length`` decimal digits (AGB, UZOVI, zorgproduct, specialism)."""

    label: str
    length: int

    def compact(self, value: str) -> str:
        return _SEPARATORS.sub("", value)

    def validate(self, value: str) -> str:
        code = self.compact(value)
        if not code:
            raise InvalidLength(f"{self.label} is empty, must have {self.length} digits")
        if not code.isascii() or not code.isdigit():
            raise InvalidFormat(f"{self.label} {value!r} must contain digits only")
        if len(code) != self.length:
            raise InvalidLength(f"{self.label} has {len(code)} digits, must have {self.length}")
        return code

    def is_valid(self, value: str) -> bool:
        try:
            self.validate(value)
        except InvalidIdentifier:
            return False
        return True

    @property
    def pattern(self) -> str:
        """The regular expression a compact, valid value matches in full."""
        return rf"[0-9]{{{self.length}}}"


class _Agb(DigitCode):
    def kind(self, value: str) -> str:
        """The first two digits: the kind of provider (06 hospital, 22 ZBC)."""
        return self.validate(value)[:2]


class _Zorgproduct(DigitCode):
    def group(self, value: str) -> str:
        """The zorgproductgroep: the first six digits of the zorgproduct code."""
        return self.validate(value)[:6]


agb = _Agb("AGB code", 8)
uzovi = DigitCode("UZOVI code", 4)
zorgproduct = _Zorgproduct("zorgproduct code", 9)
zorgproductgroep = DigitCode("zorgproductgroep", 6)
specialism = DigitCode("specialism code", 4)


class _Bsn:
    """The burgerservicenummer, validated by python-stdnum (11-check)."""

    def compact(self, value: str) -> str:
        return str(stdnum_bsn.compact(value))

    def validate(self, value: str) -> str:
        # stdnum pads a short number with leading zeros; a BSN as written has all nine.
        digits = _SEPARATORS.sub("", value)
        if digits.isascii() and digits.isdigit() and len(digits) != 9:
            raise InvalidLength(f"BSN {value!r} must have 9 digits")
        try:
            return str(stdnum_bsn.validate(value))
        except stdnum_exceptions.InvalidChecksum as exc:
            raise InvalidChecksum(f"BSN {value!r} fails the 11-check") from exc
        except stdnum_exceptions.InvalidLength as exc:
            raise InvalidLength(f"BSN {value!r} must have 9 digits") from exc
        except stdnum_exceptions.ValidationError as exc:
            raise InvalidFormat(f"BSN {value!r} must contain digits only") from exc

    def is_valid(self, value: str) -> bool:
        try:
            self.validate(value)
        except InvalidIdentifier:
            return False
        return True


bsn = _Bsn()


class _Iban:
    """An international bank account number, validated by python-stdnum (ISO 13616: the
    country's length and format, the mod-97 check digits). Written with or without spaces, in
    upper or lower case; ``compact`` gives the form that is stored: ``"nl91 abna 0417 1643
    00"`` is ``"NL91ABNA0417164300"``."""

    def compact(self, value: str) -> str:
        return str(stdnum_iban.compact(value))

    def validate(self, value: str) -> str:
        try:
            return str(stdnum_iban.validate(value))
        except stdnum_exceptions.InvalidChecksum as exc:
            raise InvalidChecksum(f"IBAN {value!r} fails its check digits") from exc
        except stdnum_exceptions.InvalidLength as exc:
            raise InvalidLength(f"IBAN {value!r} has the wrong length for its country") from exc
        except stdnum_exceptions.InvalidComponent as exc:
            raise InvalidFormat(
                f"IBAN {value!r} has an unknown country or an account number of the wrong form"
            ) from exc
        except stdnum_exceptions.ValidationError as exc:
            raise InvalidFormat(
                f"IBAN {value!r} must be a country code, check digits and account number"
            ) from exc

    def is_valid(self, value: str) -> bool:
        try:
            self.validate(value)
        except InvalidIdentifier:
            return False
        return True


iban = _Iban()
