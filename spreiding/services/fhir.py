"""FHIR R4 export (``spreiding.formats.fhir``, the R4B models of ``fhir.resources``) of what a
key may see: a run's settled lines as ``ChargeItem``s and its invoices as ``Invoice``s, and the
agreements as ``Contract``s, each Bundle checked against the ``fhir.resources`` models before
it is returned.

Example: ``run_bundles(connection, OPERATOR, 1)`` on the v1 samen-plus data's final 2024 run gives
``{"chargeitems": Bundle(1 ChargeItem, priceOverride 1799.10 EUR), "invoices": Bundle(1
Invoice 06010002-2024-0001)}``; ``fhir.dumps`` writes each as the same bytes every time.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.chargeitem import ChargeItem
from fhir.resources.R4B.contract import Contract
from fhir.resources.R4B.invoice import Invoice as FhirInvoice
from sqlalchemy import Connection

from spreiding.domain.access import Principal
from spreiding.formats import fhir
from spreiding.services import agreements, invoices

MODELS: dict[str, Any] = {"Contract": Contract, "ChargeItem": ChargeItem, "Invoice": FhirInvoice}


def validate(resource: dict[str, Any]) -> None:
    """Raise pydantic's ``ValidationError`` unless ``resource`` (a resource or a Bundle of
    them) is valid for its ``fhir.resources`` R4B model."""
    if resource["resourceType"] == "Bundle":
        Bundle.model_validate(resource)
        for entry in resource.get("entry", []):
            validate(entry["resource"])
        return
    MODELS[resource["resourceType"]].model_validate(resource)


def run_bundles(connection: Connection, principal: Principal, run_id: int) -> dict[str, Any]:
    """``{"chargeitems": Bundle, "invoices": Bundle}`` of run ``run_id``, what ``principal``
    may see (``invoices.run_export``)."""
    result, issued = invoices.run_export(connection, principal, run_id)
    lines = [
        fhir.SettledLine(
            creditor_agb=str(row["creditor_agb"]),
            debtor_agb=str(row["debtor_agb"]),
            dbc_id=str(row["dbc_id"]),
            patient_ref=str(row["patient_ref"]),
            agreement_id=str(row["agreement_id"]),
            care_type=str(row["care_type"]),
            zorgproduct_code=str(row["zorgproduct_code"]),
            end_date=_day(row["end_date"]),
            method=str(row["method"]),
            unit_price_cents=int(row["unit_price_cents"]),
            share=None if _missing(row["share"]) else Decimal(str(row["share"])),
            amount_cents=int(row["amount_cents"]),
        )
        for row in result.lines.to_dict("records")
    ]
    bundles = {
        "chargeitems": fhir.bundle(
            [fhir.line_to_fhir(line, run_id=run_id) for line in lines],
            bundle_id=f"run-{run_id}-chargeitems",
        ),
        "invoices": fhir.bundle(
            [fhir.invoice_to_fhir(invoice) for invoice in issued],
            bundle_id=f"run-{run_id}-invoices",
        ),
    }
    for bundle in bundles.values():
        validate(bundle)
    return bundles


def agreements_bundle(connection: Connection, principal: Principal) -> dict[str, Any]:
    """The agreements ``principal`` may see as a Bundle of ``Contract``s."""
    found = agreements.list_agreements(connection, principal)
    bundle = fhir.bundle([fhir.agreement_to_fhir(a) for a in found], bundle_id="agreements")
    validate(bundle)
    return bundle


def _missing(value: Any) -> bool:
    return value is None or value == "" or value != value  # NaN is not equal to itself


def _day(value: Any) -> date:
    # The frame holds a pandas Timestamp (a datetime); FHIR's dateTime of a line is its day.
    return value.date() if isinstance(value, datetime) else value
