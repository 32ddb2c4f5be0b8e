"""Who is asking: the principal behind an API key, with its role and tenant.

Roles: ``hospital`` (one AGB) sees agreements it is a party to, and the runs, lines, statements,
DBCs, declarations and findings that concern it; ``insurer`` (one UZOVI) sees declarations sent
to it and findings on them; ``bureau`` sees its agreements and their transfers; ``admin`` sees
all. How keys are issued and checked is ``spreiding.store.keys``.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("hospital", "bureau", "insurer", "admin")


class InvalidKeyRequest(ValueError):
    """A key asked for with a role and tenant that do not fit together."""


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: str
    agb: str | None = None
    uzovi: str | None = None
    agreements: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
