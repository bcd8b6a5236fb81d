"""Slots (dialog.commands.SLOTS) from what NLU found in the caller's words."""

from __future__ import annotations

import re

from dialog.flows.spec import FlowSpec
from dialog.services import Services
from nlu.entities import Entities


def slots_of(svc: Services, ents: Entities, text: str, spec: FlowSpec | None = None) -> dict[str, str]:
    """One value per slot (the first said); only slots `spec` takes, when given. A bare
    five-digit number is a zip code for a flow that takes zip codes and no order numbers."""
    slots: dict[str, str] = {}
    if ents.order_ids:
        slots["order_id"] = ents.order_ids[0]
    if ents.dates:
        slots["date"] = ents.dates[0].isoformat()
    if ents.emails:
        slots["email"] = ents.emails[0]
    if ents.phones:
        slots["phone"] = ents.phones[0]
    if ents.zip_codes:  # asked for, or named ("my zip code is ...")
        slots["zip_code"] = ents.zip_codes[0]
    if ents.tiers:
        slots["tier"] = ents.tiers[0]
    if ents.products:
        slots["product"] = ents.products[0]
    if ents.amounts:
        slots["amount"] = f"{ents.amounts[0]:g}"
    low = text.lower()
    plan = next((p for p in svc.plan_names if re.search(rf"\b{re.escape(p.lower())}\b", low)), None)
    if plan is not None:
        slots["plan"] = plan
    if spec is None:
        return slots
    zip_code = re.search(r"(?<!\d)\d{5}(?!\d)", text)
    if zip_code and spec.takes("zip_code") and not spec.takes("order_id"):
        slots.pop("order_id", None)
        slots["zip_code"] = zip_code.group(0)
    return {k: v for k, v in slots.items() if spec.takes(k)}
