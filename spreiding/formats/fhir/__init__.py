"""FHIR R4 (the R4B release, 4.3.0) resources of agreements, settled lines and invoices: plain
JSON-ready dicts in, domain values out, and back.

- an agreement is a ``Contract``: its id, name, period, parties (AGB identifiers as
  ``subject``), category and stage as codings, a ``term`` per care type (share as a valued
  item's ``factor``, a fixed fee as its ``net``), and the agreement's own JSON object
  (``agreements.json``, contract §2) as the computable ``rule`` that carries every term;
- a settled DBC line of a run is a ``ChargeItem``: ``code`` the zorgproduct, ``subject`` the
  patient_ref, ``performingOrganization`` the creditor and ``requestingOrganization`` the
  debtor, ``priceOverride`` the amount and ``factorOverride`` the share, the unit price, the
  method and the care type as extensions;
- an invoice of a final run is an ``Invoice``: ``identifier`` its number, ``issuer`` the
  creditor, ``recipient`` the debtor, ``totalNet`` without VAT, ``totalGross`` with it, and the
  amounts of DBC lines, hours, costs and VAT as ``totalPriceComponent``.

Money is exact: a ``Money.value`` is a ``Decimal`` with two places (``1799.10``), written into
the JSON text as that number by ``dumps`` (``fhir.resources``' own ``.json()`` would write the
float ``1799.1``) and read back by ``loads`` as ``Decimal("1799.10")``. Example:
``money(179910)`` is ``{"value": Decimal("1799.10"), "currency": "EUR"}``, ``dumps`` writes
``{"currency": "EUR", "value": 1799.10}``.

Validation against the ``fhir.resources.R4B`` models is left to the caller (a service or a
test), so that this package stays pure values.

The package: ``base`` (naming systems, ``FhirInvalid``, Money, the JSON text, Bundles, ids)
and ``resources`` (``Contract``, ``ChargeItem``, ``Invoice`` and their inverses); every name
is imported from ``spreiding.formats.fhir``.
"""

from spreiding.formats.fhir.base import (
    AGB,
    AGREEMENT,
    AGREEMENT_JSON,
    BASE,
    CARE_TYPE,
    CATEGORY,
    COMPONENT,
    CURRENCY,
    DBC,
    EXT,
    INVOICE_KIND,
    INVOICE_NUMBER,
    PATIENT_REF,
    STAGE,
    ZORGPRODUCT,
    FhirInvalid,
    bundle,
    cents,
    dumps,
    entries,
    fhir_id,
    loads,
    money,
)
from spreiding.formats.fhir.resources import (
    SettledLine,
    agreement_from_fhir,
    agreement_to_fhir,
    invoice_from_fhir,
    invoice_to_fhir,
    line_from_fhir,
    line_to_fhir,
)

__all__ = [
    "AGB",
    "AGREEMENT",
    "AGREEMENT_JSON",
    "BASE",
    "CARE_TYPE",
    "CATEGORY",
    "COMPONENT",
    "CURRENCY",
    "DBC",
    "EXT",
    "INVOICE_KIND",
    "INVOICE_NUMBER",
    "PATIENT_REF",
    "STAGE",
    "ZORGPRODUCT",
    "FhirInvalid",
    "SettledLine",
    "agreement_from_fhir",
    "agreement_to_fhir",
    "bundle",
    "cents",
    "dumps",
    "entries",
    "fhir_id",
    "invoice_from_fhir",
    "invoice_to_fhir",
    "line_from_fhir",
    "line_to_fhir",
    "loads",
    "money",
]
