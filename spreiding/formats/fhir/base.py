"""What every FHIR resource of ``spreiding.formats.fhir`` shares: the naming and code
systems, ``FhirInvalid``, exact Money (``money``, ``cents``), the JSON text (``dumps``,
``loads``), Bundles (``bundle``, ``entries``), ids and the small pieces a resource is made of
(organisations by AGB, codings, extensions)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

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


def organisation(agb: str) -> dict[str, Any]:
    return {"type": "Organization", "identifier": {"system": AGB, "value": agb}}


def agb_of(reference: Any, where: str) -> str:
    try:
        identifier = reference["identifier"]
        if identifier["system"] != AGB:
            raise KeyError("system")
        return str(identifier["value"])
    except (KeyError, TypeError):
        raise FhirInvalid(f"{where}: not an organisation by AGB") from None


def coded(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def code_of(concept: Any, system: str, where: str) -> str:
    for coding in (concept or {}).get("coding", []):
        if coding.get("system") == system:
            return str(coding["code"])
    raise FhirInvalid(f"{where}: no coding of {system}")


def make_extension(url: str, **value: Any) -> dict[str, Any]:
    return {"url": f"{EXT}/{url}", **value}


def extension_value(resource: Mapping[str, Any], url: str, key: str) -> Any:
    for extension in resource.get("extension", []):
        if extension.get("url") == f"{EXT}/{url}":
            return extension.get(key)
    return None


def required(value: Any, where: str) -> Any:
    if value is None:
        raise FhirInvalid(f"{where}: missing")
    return value
