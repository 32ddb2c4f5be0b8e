"""The FHIR resources of the domain, each with its inverse: an agreement as a ``Contract``,
a settled DBC line as a ``ChargeItem``, an invoice as an ``Invoice``."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from spreiding.domain.agreements import Agreement, agreement_to_json
from spreiding.domain.invoices import Invoice
from spreiding.formats.fhir.base import (
    AGREEMENT,
    AGREEMENT_JSON,
    BASE,
    CARE_TYPE,
    CATEGORY,
    COMPONENT,
    DBC,
    INVOICE_KIND,
    INVOICE_NUMBER,
    PATIENT_REF,
    STAGE,
    ZORGPRODUCT,
    FhirInvalid,
    agb_of,
    cents,
    code_of,
    coded,
    extension_value,
    fhir_id,
    make_extension,
    money,
    organisation,
    required,
)

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
            "type": coded(f"{BASE}/CodeSystem/method", settlement.method),
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
        "type": coded(CATEGORY, agreement.category),
        "subType": [coded(STAGE, agreement.stage)],
        "subject": [organisation(agb) for agb in agreement.parties],
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
        "category": code_of(contract.get("type"), CATEGORY, f"{where}.type"),
        "stage": code_of((contract.get("subType") or [{}])[0], STAGE, f"{where}.subType"),
        "parties": [agb_of(s, f"{where}.subject") for s in contract.get("subject", [])],
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
        "code": coded(ZORGPRODUCT, line.zorgproduct_code),
        "subject": {"identifier": {"system": PATIENT_REF, "value": line.patient_ref}},
        "occurrenceDateTime": line.end_date.isoformat(),
        "performingOrganization": organisation(line.creditor_agb),
        "requestingOrganization": organisation(line.debtor_agb),
        "priceOverride": money(line.amount_cents),
        "supportingInformation": [
            {"type": "Contract", "identifier": {"system": AGREEMENT, "value": line.agreement_id}}
        ],
        "extension": [
            make_extension("unit-price", valueMoney=money(line.unit_price_cents)),
            make_extension("settlement-method", valueCode=line.method),
            make_extension("care-type", valueString=line.care_type),
            make_extension("run", valueInteger=run_id),
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
            creditor_agb=agb_of(item["performingOrganization"], f"{where}.performingOrganization"),
            debtor_agb=agb_of(item["requestingOrganization"], f"{where}.requestingOrganization"),
            dbc_id=str(item["identifier"][0]["value"]),
            patient_ref=str(item["subject"]["identifier"]["value"]),
            agreement_id=str(item["supportingInformation"][0]["identifier"]["value"]),
            care_type=str(required(extension_value(item, "care-type", "valueString"), where)),
            zorgproduct_code=code_of(item["code"], ZORGPRODUCT, f"{where}.code"),
            end_date=date.fromisoformat(item["occurrenceDateTime"]),
            method=str(required(extension_value(item, "settlement-method", "valueCode"), where)),
            unit_price_cents=cents(extension_value(item, "unit-price", "valueMoney"), where),
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
        make_extension("run", valueInteger=invoice.run_id),
        make_extension("year", valueInteger=invoice.year),
        make_extension("sequence", valueInteger=invoice.seq),
        make_extension("due-date", valueDate=invoice.due_date.isoformat()),
        make_extension("payment-term-days", valueInteger=invoice.term_days),
        make_extension("issued-at", valueString=invoice.issued_at),
        make_extension("issued-by", valueString=invoice.issued_by),
    ]
    if invoice.payment_seq is not None:
        extensions.append(make_extension("netting-payment", valueInteger=invoice.payment_seq))
    return {
        "resourceType": "Invoice",
        "id": fhir_id(invoice.number),
        "identifier": [{"system": INVOICE_NUMBER, "value": invoice.number}],
        "status": "issued",
        "type": coded(INVOICE_KIND, invoice.kind),
        "issuer": organisation(invoice.creditor_agb),
        "recipient": organisation(invoice.debtor_agb),
        "date": invoice.invoice_date.isoformat(),
        "totalPriceComponent": [
            {"type": kind, "code": coded(COMPONENT, name), "amount": money(amounts[name])}
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
            code_of(c["code"], COMPONENT, f"{where}.totalPriceComponent"): cents(
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
            return required(extension_value(resource, url, key), f"{where}.extension {url}")

        payment_seq = extension_value(resource, "netting-payment", "valueInteger")
        return Invoice(
            number=str(resource["identifier"][0]["value"]),
            kind=code_of(resource["type"], INVOICE_KIND, f"{where}.type"),
            run_id=int(ext("run", "valueInteger")),
            year=int(ext("year", "valueInteger")),
            seq=int(ext("sequence", "valueInteger")),
            debtor_agb=agb_of(resource["recipient"], f"{where}.recipient"),
            creditor_agb=agb_of(resource["issuer"], f"{where}.issuer"),
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
