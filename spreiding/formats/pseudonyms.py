"""One pseudonym per patient across the alliance: a keyed hash of the BSN.

Every hospital of an alliance holds the same key file (made once by ``spreiding keyfile
create``); ``pseudonym(key, bsn)`` gives every hospital the same ``patient_ref`` for the same
patient, and nobody without the key can go back from the reference to the BSN or test a guess.

The reference is HMAC-SHA-256(key, the nine digits of the BSN), its first 80 bits written in
base32 (RFC 4648, letters A–Z and digits 2–7) as four groups of four after ``PR-``. Example,
with a key of 32 zero bytes: ``pseudonym(bytes(32), "111222333")`` is ``"PR-4AUP-73LU-JXPV-IFWK"``.
80 bits keep the chance that two of 20 million patients share a reference below one in
a billion, and the reference short enough to read out on the phone; it can never be nine
digits, so the contract's raw-BSN check never mistakes it for one.

A BSN that is not valid (the 11-check, nine digits) and the 999999999 of "BSN unknown" get no
pseudonym: they raise ``BsnRefused`` with a message that never repeats the number. The key file
is one line ``spreiding-alliance-key-v1 <64 hex digits> <8 hex digits check>``; the check (the
start of SHA-256 of the key) catches a file cut short or mistyped when it is copied.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from stdnum import exceptions as stdnum_exceptions
from stdnum.nl import bsn as stdnum_bsn

KEY_BYTES = 32
KEY_HEADER = "spreiding-alliance-key-v1"
UNKNOWN_BSN = "999999999"
PREFIX = "PR-"


class BsnRefused(ValueError):
    """A BSN that is given no pseudonym; the message says why and never quotes the number."""


class KeyFileInvalid(ValueError):
    """A key file that does not hold an alliance key."""


def new_key() -> bytes:
    """A fresh random alliance key."""
    return secrets.token_bytes(KEY_BYTES)


def _check(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def key_text(key: bytes) -> str:
    """The key file's content for ``key``."""
    return f"{KEY_HEADER} {key.hex()} {_check(key)}\n"


def parse_key(text: str) -> bytes:
    """The key in a key file's content; ``KeyFileInvalid`` naming what is wrong."""
    parts = text.strip().split()
    if len(parts) != 3 or parts[0] != KEY_HEADER:
        raise KeyFileInvalid(
            f"is not a spreiding alliance key file (it must start with {KEY_HEADER})"
        )
    _, hex_key, check = parts
    try:
        key = bytes.fromhex(hex_key)
    except ValueError:
        raise KeyFileInvalid("the key is not hexadecimal; the file is damaged") from None
    if len(key) != KEY_BYTES:
        raise KeyFileInvalid(
            f"the key has {len(key)} bytes, must have {KEY_BYTES}; the file is damaged"
        )
    if not hmac.compare_digest(check, _check(key)):
        raise KeyFileInvalid("the key does not match its check; the file is damaged or mistyped")
    return key


def valid_bsn(value: str) -> str:
    """The nine digits of a BSN that may be pseudonymised, or ``BsnRefused``."""
    digits = value.strip().replace(" ", "").replace(".", "").replace("-", "")
    if not digits:
        raise BsnRefused("BSN is empty")
    if not digits.isascii() or not digits.isdigit():
        raise BsnRefused("BSN must contain digits only")
    if len(digits) != 9:
        raise BsnRefused(f"BSN has {len(digits)} digits, must have 9")
    if digits == UNKNOWN_BSN:
        raise BsnRefused("BSN 999999999 means 'BSN unknown'; it has no pseudonym")
    try:
        stdnum_bsn.validate(digits)
    except stdnum_exceptions.ValidationError:
        raise BsnRefused("BSN fails the 11-check") from None
    return digits


def pseudonym(key: bytes, bsn: str) -> str:
    """The alliance's ``patient_ref`` of ``bsn`` under ``key`` (see the module's docstring)."""
    digits = valid_bsn(bsn)
    digest = hmac.new(key, digits.encode("ascii"), hashlib.sha256).digest()
    code = base64.b32encode(digest[:10]).decode("ascii")  # 80 bits: 16 characters, no padding
    return PREFIX + "-".join(code[i : i + 4] for i in range(0, 16, 4))
