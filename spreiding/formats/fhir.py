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
test), so that this module stays pure values.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from spreiding.domain.agreements import Agreement, agreement_to_json
from spreiding.domain.invoices import Invoice
from spreiding.domain.money import format_cents

BASE = "https://spreiding.nl/fhir"
AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"
ZORGPRODUCT = "urn:oid:2.16.840.1.113883.2.4.3.27.15.1"  # Vektis zorgproductcodes (DBC)
PATIENT_REF = f"{BASE}/NamingSystem/patient-ref"
AGREEMENT = f"{BASE}/NamingSystem/agreement"
DBC = f"{BASE}/NamingSystem/dbc"
INVOICE_NUMBER = f"{BASE}/NamingSystem/invoice"
CATEGORY = f"{BASE}/CodeSystem/category"
STAGE = f"{BASE}/CodeSystem/stage"
CARE_TYPE = f"{BASE}/CodeSystem/care-type"
INVOICE_KIND = f"{BASE}/CodeSystem/invoice-kind"
COMPONENT = f"{BASE}/CodeSystem/price-component"
EXT = f"{BASE}/StructureDefinition"
CURRENCY = "EUR"
AGREEMENT_JSON = "application/json"


class FhirInvalid(ValueError):
    """A resource that does not hold what this module writes (named by its path)."""


# Money ------------------------------------------------------------------------------------


def money(cents: int) -> dict[str, Any]:
    """Cents as FHIR Money: an exact two-place ``Decimal`` in euros."""
    return {"value": Decimal(format_cents(cents)), "currency": CURRENCY}


def cents(value: Any, where: str) -> int:
    """A FHIR Money back to cents; refuses another currency, a float and a third decimal."""
    if not isinstance(value, Mapping) or value.get("currency") != CURRENCY:
        raise FhirInvalid(f"{where}: not Money in {CURRENCY}")
    amount = value.get("value")
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise FhirInvalid(f"{where}: value {amount!r} is not an exact decimal")
    exact = Decimal(amount)
    if exact != exact.quantize(Decimal("0.01")):
        raise FhirInvalid(f"{where}: value {amount} has more than two decimals")
    return int(exact.scaleb(2))


# JSON text --------------------------------------------------------------------------------


def dumps(resource: Any) -> str:
    """JSON text with sorted keys, two-space indent and every ``Decimal`` as its exact number:
    the same resource gives the same bytes."""
    return _dump(resource, 0) + "\n"


def _dump(value: Any, level: int) -> str:
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(str(k))}: {_dump(value[k], level + 1)}" for k in sorted(value)
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _dump(v, level + 1) for v in value) + "\n" + pad + "]"
    if isinstance(value, float):
        raise TypeError("a float has no place in a FHIR resource of spreiding")
    return json.dumps(value, ensure_ascii=False)


def loads(text: str) -> Any:
    """The inverse of ``dumps``: every JSON decimal becomes a ``Decimal``, exactly."""
    return json.loads(text, parse_float=Decimal)


def bundle(resources: list[dict[str, Any]], *, bundle_id: str) -> dict[str, Any]:
    """A ``collection`` Bundle of ``resources`` in the order given."""
    out: dict[str, Any] = {"resourceType": "Bundle", "id": bundle_id, "type": "collection"}
    if resources:  # FHIR allows no empty list
        out["entry"] = [{"fullUrl": f"urn:uuid:{_urn(r)}", "resource": r} for r in resources]
    return out


def _urn(resource: Mapping[str, Any]) -> str:
    # A stable name per resource: not a random UUID, so an export is byte-identical each time.
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/{resource['resourceType']}/{resource['id']}")
    )


def entries(resource: Any, resource_type: str) -> list[dict[str, Any]]:
    """The resources of ``resource_type`` in a Bundle."""
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "Bundle":
        raise FhirInvalid("(bundle): not a FHIR Bundle")
    found = [e.get("resource") for e in resource.get("entry", [])]
    return [r for r in found if isinstance(r, dict) and r.get("resourceType") == resource_type]


# Helpers ----------------------------------------------------------------------------------


_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def fhir_id(text: str) -> str:
    """``text`` as a FHIR id where it is one (letters, digits, ``-``, ``.``, at most 64), else a
    stable UUID of it; the value itself is kept in the resource's identifier."""
    if _FHIR_ID.fullmatch(text):
        return text
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/id/{text}"))


def _org(agb: str) -> dict[str, Any]:
    return {"type": "Organization", "identifier": {"system": AGB, "value": agb}}


def _agb(reference: Any, where: str) -> str:
    try:
        identifier = reference["identifier"]
        if identifier["system"] != AGB:
            raise KeyError("system")
        return str(identifier["value"])
    except (KeyError, TypeError):
        raise FhirInvalid(f"{where}: not an organisation by AGB") from None


def _coding(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _code(concept: Any, system: str, where: str) -> str:
    for coding in (concept or {}).get("coding", []):
        if coding.get("system") == system:
            return str(coding["code"])
    raise FhirInvalid(f"{where}: no coding of {system}")


def _ext(url: str, **value: Any) -> dict[str, Any]:
    return {"url": f"{EXT}/{url}", **value}


def _extension(resource: Mapping[str, Any], url: str, key: str) -> Any:
    for extension in resource.get("extension", []):
        if extension.get("url") == f"{EXT}/{url}":
            return extension.get(key)
    return None


def _require(value: Any, where: str) -> Any:
    if value is None:
        raise FhirInvalid(f"{where}: missing")
    return value


# Agreements: Contract ---------------------------------------------------------------------


def agreement_to_fhir(agreement: Agreement) -> dict[str, Any]:
    """An agreement as a FHIR ``Contract``."""
    document = json.dumps(agreement_to_json(agreement), sort_keys=True, ensure_ascii=False)
    period: dict[str, Any] = {"start": agreement.valid_from.isoformat()}
    if agreement.valid_to is not None:
        period["end"] = agreement.valid_to.isoformat()
    terms = []
    for care_type in agreement.care_types:
        settlement = care_type.settlement
        item: dict[str, Any] = {}
        if settlement.share is not None:
            item["factor"] = settlement.share
        if settlement.fee_cents is not None:
            item["net"] = money(settlement.fee_cents)
        term: dict[str, Any] = {
            "identifier": {"system": CARE_TYPE, "value": care_type.care_type},
            "type": _coding(f"{BASE}/CodeSystem/method", settlement.method),
            "offer": {},
        }
        if item:
            term["asset"] = [{"valuedItem": [item]}]
        terms.append(term)
    contract: dict[str, Any] = {
        "resourceType": "Contract",
        "id": fhir_id(agreement.agreement_id),
        "identifier": [{"system": AGREEMENT, "value": agreement.agreement_id}],
        "status": "executed",
        "name": agreement.agreement_id,
        "title": agreement.name,
        "applies": period,
        "type": _coding(CATEGORY, agreement.category),
        "subType": [_coding(STAGE, agreement.stage)],
        "subject": [_org(agb) for agb in agreement.parties],
        "rule": [
            {
                "contentAttachment": {
                    "contentType": AGREEMENT_JSON,
                    "data": base64.b64encode(document.encode()).decode("ascii"),
                    "title": "agreements.json",
                }
            }
        ],
    }
    if terms:
        contract["term"] = terms
    return contract


def agreement_from_fhir(contract: Mapping[str, Any]) -> dict[str, Any]:
    """The agreement's JSON object (``agreements.json``) of a ``Contract`` made by
    ``agreement_to_fhir``, checked against the Contract's own fields; the contract's parser
    (``spreiding.contract.agreements``) turns it into an ``Agreement``."""
    where = f"Contract/{contract.get('id')}"
    if contract.get("resourceType") != "Contract":
        raise FhirInvalid(f"{where}: not a Contract")
    try:
        attachment = contract["rule"][0]["contentAttachment"]
        if attachment["contentType"] != AGREEMENT_JSON:
            raise KeyError("contentType")
        data = json.loads(base64.b64decode(attachment["data"]).decode())
    except (KeyError, IndexError, TypeError, ValueError):
        raise FhirInvalid(f"{where}.rule: no agreements.json attachment") from None
    if not isinstance(data, dict):
        raise FhirInvalid(f"{where}.rule: the agreement is not a JSON object")
    period = contract.get("applies") or {}
    seen = {
        "agreement_id": contract.get("name"),
        "name": contract.get("title"),
        "category": _code(contract.get("type"), CATEGORY, f"{where}.type"),
        "stage": _code((contract.get("subType") or [{}])[0], STAGE, f"{where}.subType"),
        "parties": [_agb(s, f"{where}.subject") for s in contract.get("subject", [])],
        "valid_from": period.get("start"),
        "valid_to": period.get("end"),
    }
    for key, value in seen.items():
        if data.get(key) != value:
            raise FhirInvalid(f"{where}: {key} {value!r} differs from the rule's {data.get(key)!r}")
    return data


# Settled lines: ChargeItem ----------------------------------------------------------------


@dataclass(frozen=True)
class SettledLine:
    """One settled DBC line of a run (``settlement.engine.LINE_COLUMNS``)."""

    creditor_agb: str
    debtor_agb: str
    dbc_id: str
    patient_ref: str
    agreement_id: str
    care_type: str
    zorgproduct_code: str
    end_date: date
    method: str
    unit_price_cents: int
    share: Decimal | None
    amount_cents: int


def line_to_fhir(line: SettledLine, *, run_id: int) -> dict[str, Any]:
    """A settled line of run ``run_id`` as a FHIR ``ChargeItem``."""
    item: dict[str, Any] = {
        "resourceType": "ChargeItem",
        # A dbc_id is unique per hospital (contract §1), so the id names the creditor too.
        "id": fhir_id(f"run-{run_id}-{line.creditor_agb}-{line.dbc_id}"),
        "identifier": [{"system": DBC, "value": line.dbc_id}],
        "status": "billable",
        "code": _coding(ZORGPRODUCT, line.zorgproduct_code),
        "subject": {"identifier": {"system": PATIENT_REF, "value": line.patient_ref}},
        "occurrenceDateTime": line.end_date.isoformat(),
        "performingOrganization": _org(line.creditor_agb),
        "requestingOrganization": _org(line.debtor_agb),
        "priceOverride": money(line.amount_cents),
        "supportingInformation": [
            {"type": "Contract", "identifier": {"system": AGREEMENT, "value": line.agreement_id}}
        ],
        "extension": [
            _ext("unit-price", valueMoney=money(line.unit_price_cents)),
            _ext("settlement-method", valueCode=line.method),
            _ext("care-type", valueString=line.care_type),
            _ext("run", valueInteger=run_id),
        ],
    }
    if line.share is not None:
        item["factorOverride"] = line.share
    return item


def line_from_fhir(item: Mapping[str, Any]) -> SettledLine:
    """The inverse of ``line_to_fhir``."""
    where = f"ChargeItem/{item.get('id')}"
    if item.get("resourceType") != "ChargeItem":
        raise FhirInvalid(f"{where}: not a ChargeItem")
    try:
        share = item.get("factorOverride")
        return SettledLine(
            creditor_agb=_agb(item["performingOrganization"], f"{where}.performingOrganization"),
            debtor_agb=_agb(item["requestingOrganization"], f"{where}.requestingOrganization"),
            dbc_id=str(item["identifier"][0]["value"]),
            patient_ref=str(item["subject"]["identifier"]["value"]),
            agreement_id=str(item["supportingInformation"][0]["identifier"]["value"]),
            care_type=str(_require(_extension(item, "care-type", "valueString"), where)),
            zorgproduct_code=_code(item["code"], ZORGPRODUCT, f"{where}.code"),
            end_date=date.fromisoformat(item["occurrenceDateTime"]),
            method=str(_require(_extension(item, "settlement-method", "valueCode"), where)),
            unit_price_cents=cents(_extension(item, "unit-price", "valueMoney"), where),
            share=None if share is None else Decimal(share),
            amount_cents=cents(item["priceOverride"], f"{where}.priceOverride"),
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        if isinstance(exc, FhirInvalid):
            raise
        raise FhirInvalid(f"{where}: {exc}") from None


# Invoices: Invoice ------------------------------------------------------------------------

_COMPONENTS = (
    ("amount", "base"),
    ("hours", "base"),
    ("costs", "base"),
    ("vat", "tax"),
)


def invoice_to_fhir(invoice: Invoice) -> dict[str, Any]:
    """An issued invoice (or credit note) as a FHIR ``Invoice``."""
    amounts = {
        "amount": invoice.amount_cents,
        "hours": invoice.hours_cents,
        "costs": invoice.costs_cents,
        "vat": invoice.vat_cents,
    }
    extensions = [
        _ext("run", valueInteger=invoice.run_id),
        _ext("year", valueInteger=invoice.year),
        _ext("sequence", valueInteger=invoice.seq),
        _ext("due-date", valueDate=invoice.due_date.isoformat()),
        _ext("payment-term-days", valueInteger=invoice.term_days),
        _ext("issued-at", valueString=invoice.issued_at),
        _ext("issued-by", valueString=invoice.issued_by),
    ]
    if invoice.payment_seq is not None:
        extensions.append(_ext("netting-payment", valueInteger=invoice.payment_seq))
    return {
        "resourceType": "Invoice",
        "id": fhir_id(invoice.number),
        "identifier": [{"system": INVOICE_NUMBER, "value": invoice.number}],
        "status": "issued",
        "type": _coding(INVOICE_KIND, invoice.kind),
        "issuer": _org(invoice.creditor_agb),
        "recipient": _org(invoice.debtor_agb),
        "date": invoice.invoice_date.isoformat(),
        "totalPriceComponent": [
            {"type": kind, "code": _coding(COMPONENT, name), "amount": money(amounts[name])}
            for name, kind in _COMPONENTS
        ],
        "totalNet": money(invoice.total_cents - invoice.vat_cents),
        "totalGross": money(invoice.total_cents),
        "paymentTerms": f"{invoice.term_days} dagen, uiterlijk {invoice.due_date.isoformat()}",
        "extension": extensions,
    }


def invoice_from_fhir(resource: Mapping[str, Any]) -> Invoice:
    """The inverse of ``invoice_to_fhir``; refuses totals that do not add up."""
    where = f"Invoice/{resource.get('id')}"
    if resource.get("resourceType") != "Invoice":
        raise FhirInvalid(f"{where}: not an Invoice")
    try:
        amounts = {
            _code(c["code"], COMPONENT, f"{where}.totalPriceComponent"): cents(
                c["amount"], f"{where}.totalPriceComponent"
            )
            for c in resource["totalPriceComponent"]
        }
        total = cents(resource["totalGross"], f"{where}.totalGross")
        if sum(amounts[name] for name, _ in _COMPONENTS) != total:
            raise FhirInvalid(f"{where}: the components do not add up to totalGross")
        if cents(resource["totalNet"], f"{where}.totalNet") != total - amounts["vat"]:
            raise FhirInvalid(f"{where}: totalNet is not totalGross without VAT")

        def ext(url: str, key: str) -> Any:
            return _require(_extension(resource, url, key), f"{where}.extension {url}")

        payment_seq = _extension(resource, "netting-payment", "valueInteger")
        return Invoice(
            number=str(resource["identifier"][0]["value"]),
            kind=_code(resource["type"], INVOICE_KIND, f"{where}.type"),
            run_id=int(ext("run", "valueInteger")),
            year=int(ext("year", "valueInteger")),
            seq=int(ext("sequence", "valueInteger")),
            debtor_agb=_agb(resource["recipient"], f"{where}.recipient"),
            creditor_agb=_agb(resource["issuer"], f"{where}.issuer"),
            invoice_date=date.fromisoformat(resource["date"][:10]),
            due_date=date.fromisoformat(ext("due-date", "valueDate")),
            term_days=int(ext("payment-term-days", "valueInteger")),
            amount_cents=amounts["amount"],
            hours_cents=amounts["hours"],
            costs_cents=amounts["costs"],
            vat_cents=amounts["vat"],
            total_cents=total,
            payment_seq=None if payment_seq is None else int(payment_seq),
            issued_at=str(ext("issued-at", "valueString")),
            issued_by=str(ext("issued-by", "valueString")),
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        if isinstance(exc, FhirInvalid):
            raise
        raise FhirInvalid(f"{where}: {exc}") from None
