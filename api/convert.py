"""Service results (domain values, engine results, stored rows) to response schemas
(formatting only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from api import schemas
from settlement.audit.rules import Finding
from settlement.engine import Settlement
from settlement.statement import (
    CostLine,
    Direction,
    HoursLine,
    Party,
    Statement,
    StatementLine,
)
from settlement.volumes import Volumes
from spreiding.domain.agreements import Agreement, agreement_to_json
from spreiding.domain.events import Event
from spreiding.domain.money import format_cents
from spreiding.domain.payments import Balance, NettingPayment, RegisteredPayment
from spreiding.domain.runs import StoredAudit, StoredRun
from spreiding.render import ledger
from spreiding.render.audit import finding_to_dict
from spreiding.render.settlement import settlement_to_dict
from spreiding.render.volumes import volumes_to_dict
from spreiding.services.hours import hours_text
from spreiding.services.positions import HospitalPosition


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def dbc(row: dict[str, Any]) -> schemas.DbcPublic:
    return schemas.DbcPublic(
        **(row | {"start_date": iso(row["start_date"]), "end_date": iso(row["end_date"])})
    )


def declaration(row: dict[str, Any]) -> schemas.DeclarationPublic:
    values = {k: v for k, v in row.items() if k != "amount_cents"}
    return schemas.DeclarationPublic(
        **values
        | {
            "start_date": iso(row["start_date"]),
            "end_date": iso(row["end_date"]),
            "declared_on": iso(row["declared_on"]),
            "amount_eur": format_cents(row["amount_cents"]),
        }
    )


def transfer(row: dict[str, Any]) -> schemas.TransferPublic:
    return schemas.TransferPublic(**(row | {"transfer_date": iso(row["transfer_date"])}))


def hours(row: dict[str, Any]) -> schemas.HoursPublic:
    shown = {k: v for k, v in row.items() if k != "hours_hundredths"}
    return schemas.HoursPublic(
        **(
            shown
            | {"work_date": iso(row["work_date"]), "hours": hours_text(row["hours_hundredths"])}
        )
    )


def run(stored: StoredRun) -> schemas.RunPublic:
    return schemas.RunPublic(
        run_id=stored.run_id,
        kind=stored.kind,
        status=stored.status,
        year=stored.year,
        netting=stored.netting,
        fingerprint=stored.fingerprint,
        corrects_run_id=stored.corrects_run_id,
        total=format_cents(stored.total_cents),
    )


def run_detail(stored: StoredRun, result: Settlement) -> schemas.RunDetailPublic:
    body = settlement_to_dict(result)
    return schemas.RunDetailPublic(
        **run(stored).model_dump(),
        lines=[schemas.LinePublic(**line) for line in body["lines"]],
        hours=[schemas.HoursLinePublic(**line) for line in body["hours"]],
        costs=[schemas.CostLinePublic(**line) for line in body["costs"]],
        excluded=[schemas.ExclusionPublic(**x) for x in body["excluded"]],
        excluded_hours=[schemas.HoursExclusionPublic(**x) for x in body["excluded_hours"]],
        pairs=[schemas.PairPublic(**x) for x in body["pairs"]],
        positions=[schemas.PositionPublic(**x) for x in body["positions"]],
        payments=[schemas.PaymentPublic(**x) for x in body["payments"]],
    )


def hospital_position(value: HospitalPosition) -> schemas.HospitalPositionPublic:
    return schemas.HospitalPositionPublic(
        agb=value.agb,
        name=value.name,
        agreements=list(value.agreements),
        receivable=format_cents(value.receivable_cents),
        payable=format_cents(value.payable_cents),
        net=format_cents(value.net_cents),
    )


def party(value: Party | None) -> schemas.PartyPublic | None:
    return None if value is None else schemas.PartyPublic(agb=value.agb, name=value.name)


def statement_line(x: StatementLine) -> dict[str, Any]:
    """The fields of a statement's DBC line (its schema, or a page's item with the direction)."""
    return {
        "dbc_id": x.dbc_id,
        "patient_ref": x.patient_ref,
        "zorgproduct_code": x.zorgproduct_code,
        "end_date": x.end_date,
        "care_type": x.care_type,
        "agreement_id": x.agreement_id,
        "unit_price": format_cents(x.unit_price_cents),
        "share": x.share,
        "amount": format_cents(x.amount_cents),
        "change": x.change,
    }


def hours_line(x: HoursLine) -> dict[str, Any]:
    return {
        "hours_id": x.hours_id,
        "agreement_id": x.agreement_id,
        "role": x.role,
        "work_date": x.work_date,
        "hours": x.hours,
        "rate": format_cents(x.rate_cents),
        "amount": format_cents(x.amount_cents),
        "vat_rate": x.vat_rate,
        "vat": format_cents(x.vat_cents),
        "change": x.change,
    }


def cost_line(x: CostLine) -> dict[str, Any]:
    return {
        "agreement_id": x.agreement_id,
        "cost_id": x.cost_id,
        "weight": x.weight,
        "amount": format_cents(x.amount_cents),
        "change": x.change,
    }


def direction(value: Direction) -> schemas.DirectionPublic:
    creditor, debtor = party(value.creditor), party(value.debtor)
    assert creditor is not None and debtor is not None
    return schemas.DirectionPublic(
        creditor=creditor,
        debtor=debtor,
        lines=[schemas.StatementLinePublic(**statement_line(x)) for x in value.lines],
        subtotals=[
            schemas.SubtotalPublic(
                care_type=s.care_type, lines=s.lines, amount=format_cents(s.amount_cents)
            )
            for s in value.subtotals
        ],
        total=format_cents(value.total_cents),
        hours=[schemas.StatementHoursLinePublic(**hours_line(x)) for x in value.hours],
        costs=[schemas.StatementCostLinePublic(**cost_line(x)) for x in value.costs],
        vat=[
            schemas.VatSubtotalPublic(
                vat_rate=v.vat_rate,
                lines=v.lines,
                amount=format_cents(v.base_cents),
                vat=format_cents(v.vat_cents),
            )
            for v in value.vat
        ],
        lines_amount=format_cents(value.lines_cents),
        hours_amount=format_cents(value.hours_cents),
        vat_amount=format_cents(value.vat_cents),
        costs_amount=format_cents(value.costs_cents),
    )


def statement(value: Statement) -> schemas.StatementPublic:
    first, second = party(value.first), party(value.second)
    assert first is not None and second is not None
    return schemas.StatementPublic(
        run_id=value.run_id,
        kind=value.kind,
        status=value.status,
        year=value.year,
        netting=value.netting,
        fingerprint=value.fingerprint,
        corrects_run_id=value.corrects_run_id,
        first=first,
        second=second,
        agreements=[[i, n] for i, n in value.agreements],
        directions=[direction(d) for d in value.directions],
        net=format_cents(value.net_cents),
        payer=party(value.payer),
        payee=party(value.payee),
        excluded=[
            schemas.ExclusionPublic(agb=e.agb, dbc_id=e.dbc_id, reason=e.reason)
            for e in value.excluded
        ],
        payments=[
            schemas.StatementPaymentPublic(
                payer=schemas.PartyPublic(agb=p.payer.agb, name=p.payer.name),
                payee=schemas.PartyPublic(agb=p.payee.agb, name=p.payee.name),
                amount=format_cents(p.amount_cents),
            )
            for p in value.payments
        ],
    )


def finding(value: Finding) -> schemas.FindingPublic:
    return schemas.FindingPublic(**finding_to_dict(value))


def audit_run(stored: StoredAudit) -> schemas.AuditRunPublic:
    return schemas.AuditRunPublic(
        run_id=stored.run_id,
        year=stored.year,
        fingerprint=stored.fingerprint,
        findings=stored.findings,
    )


def agreement(value: Agreement) -> schemas.AgreementPublic:
    return schemas.AgreementPublic(**agreement_to_json(value))


def price(row: dict[str, Any]) -> schemas.PricePublic:
    return schemas.PricePublic(
        price_list=row["price_list"],
        year=row["year"],
        zorgproduct_code=row["zorgproduct_code"],
        price_eur=format_cents(row["price_cents"]),
    )


def volumes(value: Volumes) -> schemas.VolumesPublic:
    return schemas.VolumesPublic(**volumes_to_dict(value))


def event(value: Event) -> schemas.EventPublic:
    return schemas.EventPublic(**ledger.event_to_dict(value))


def registered_payment(value: RegisteredPayment) -> schemas.RegisteredPaymentPublic:
    return schemas.RegisteredPaymentPublic(**ledger.registered_payment_to_dict(value))


def netting_payment(value: NettingPayment) -> schemas.NettingPaymentPublic:
    return schemas.NettingPaymentPublic(**ledger.netting_payment_to_dict(value))


def balance(value: Balance) -> schemas.BalancePublic:
    return schemas.BalancePublic(**ledger.balance_to_dict(value))
