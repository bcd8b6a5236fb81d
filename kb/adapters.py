"""Interfaces to the company's systems of record, plus the records they return.

The SQLite demo (`kb.demo.store`) implements all of them; a REST adapter for a real
CRM/OMS implements the same protocols. The dialog layer only sees these types.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from kb.passages import Passage


@dataclass(frozen=True)
class Customer:
    customer_id: str
    full_name: str
    email: str
    phone: str
    username: str
    tier: str  # gold | silver | bronze | guest


@dataclass(frozen=True)
class OrderLine:
    sku: str
    product_name: str
    quantity: int
    price_cents: int
    limited_edition: bool


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    placed_on: dt.date
    status: str  # order_received | in_transit | out_for_delivery | delivered | cancelled
    carrier: str | None
    delay_reason: str | None
    original_estimate: dt.date | None
    current_estimate: dt.date | None
    total_cents: int
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    customer_id: str
    plan: str
    status: str  # active | paused | cancelled
    billing_cycle: str
    next_bill_date: dt.date | None
    amount_cents: int


@dataclass(frozen=True)
class Refund:
    refund_id: str
    order_id: str
    amount_cents: int
    status: str


class CustomerStore(Protocol):
    def by_phone(self, phone: str) -> Customer | None: ...
    def by_email(self, email: str) -> Customer | None: ...
    def by_id(self, customer_id: str) -> Customer | None: ...


class OrderStore(Protocol):
    def order(self, order_id: str) -> Order | None: ...
    def orders_for(self, customer_id: str) -> list[Order]: ...
    def cancel_order(self, order_id: str, *, actor: str, reason: str) -> Order: ...


class BillingStore(Protocol):
    def subscriptions_for(self, customer_id: str) -> list[Subscription]: ...
    def cancel_subscription(
        self, subscription_id: str, *, actor: str, reason: str
    ) -> Subscription: ...
    def refund_order(
        self, order_id: str, amount_cents: int, *, actor: str, reason: str = ""
    ) -> Refund: ...


class KnowledgeSource(Protocol):
    def documents(self) -> list[Passage]: ...


class ToolAudit(Protocol):
    """Where the dialog records each tool call (refused, failed or done); the demo store writes
    them to the common append-only audit log (`kb.db.audit.AuditLog`)."""

    def record(
        self,
        *,
        call_id: str,
        tool: str,
        args: dict[str, Any],
        result: dict[str, Any],
        actor: str,
        confirmed: bool,
    ) -> None: ...
