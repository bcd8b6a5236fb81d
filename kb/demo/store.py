"""The demo company's customer, order and billing adapters, and its tool-call audit."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from kb.adapters import Customer, Order, OrderLine, Refund, Subscription
from kb.db import AuditLog, Store
from kb.db.audit import AI_ROLE, TOOL_ACTION
from kb.demo.db import DB_FILENAME, SCHEMAS, reset
from kb.errors import NotFoundError, StoreError

log = logging.getLogger(__name__)

CANCELLABLE_ORDER_STATUSES = frozenset({"order_received"})
# Hard ceiling on any goodwill credit, whatever the caller (or a flow) asks for: the
# manual's default refund amount ($50, Purchase Dispute > Manage Dispute Bill).
MAX_CREDIT_CENTS = 5000


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class SqliteDemoStore(Store):
    """Sync methods: the dialog calls them from its worker threads, never from the event loop;
    each query waits for the database's own thread (kb/db)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, SCHEMAS, name="demo-db")
        self.path = path
        self.audit = AuditLog(self.db)  # the common audit table, in the same database

    @classmethod
    def open(cls, data_dir: Path) -> SqliteDemoStore:
        """Open the demo database in data_dir, seeding it on first use."""
        path = data_dir / DB_FILENAME
        if not path.exists():
            reset(data_dir)
        return cls(path)

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self.run_sync(lambda c: list(c.execute(sql, args).fetchall()))
        except self.dialect.error as exc:
            raise StoreError(str(exc)) from exc

    def today(self) -> dt.date:
        rows = self._rows("SELECT value FROM demo_meta WHERE key = 'today'")
        return dt.date.fromisoformat(rows[0]["value"]) if rows else dt.date.today()

    # CustomerStore
    def _customer(self, where: str, value: str) -> Customer | None:
        rows = self._rows(
            "SELECT customer_id, full_name, email, phone, username, tier FROM customers "
            f"WHERE {where} = ?",
            (value,),
        )
        return Customer(**dict(rows[0])) if rows else None

    def by_phone(self, phone: str) -> Customer | None:
        digits = "".join(c for c in phone if c.isdigit())
        if len(digits) == 10:
            digits = "1" + digits
        return self._customer("phone", f"+{digits}")

    def by_email(self, email: str) -> Customer | None:
        return self._customer("lower(email)", email.strip().lower())

    def by_id(self, customer_id: str) -> Customer | None:
        return self._customer("customer_id", customer_id)

    # OrderStore
    def order(self, order_id: str) -> Order | None:
        rows = self._rows("SELECT * FROM orders WHERE order_id = ?", (order_id,))
        return self._order(rows[0]) if rows else None

    def orders_for(self, customer_id: str) -> list[Order]:
        rows = self._rows(
            "SELECT * FROM orders WHERE customer_id = ? ORDER BY placed_on DESC", (customer_id,)
        )
        return [self._order(r) for r in rows]

    def _order(self, row: Any) -> Order:
        lines = self._rows(
            "SELECT i.sku, p.name, i.quantity, i.price_cents, p.limited_edition "
            "FROM order_items i JOIN products p ON p.sku = i.sku WHERE i.order_id = ?",
            (row["order_id"],),
        )
        return Order(
            order_id=row["order_id"],
            customer_id=row["customer_id"],
            placed_on=dt.date.fromisoformat(row["placed_on"]),
            status=row["status"],
            carrier=row["carrier"],
            delay_reason=row["delay_reason"],
            original_estimate=_date(row["original_estimate"]),
            current_estimate=_date(row["current_estimate"]),
            total_cents=row["total_cents"],
            lines=tuple(OrderLine(r[0], r[1], r[2], r[3], bool(r[4])) for r in lines),
        )

    def product_names(self) -> list[str]:
        return [r["name"] for r in self._rows("SELECT name FROM products ORDER BY sku")]

    def cancel_order(self, order_id: str, *, actor: str, reason: str) -> Order:
        order = self.order(order_id)
        if order is None:
            raise NotFoundError(f"no order {order_id}")
        if order.status not in CANCELLABLE_ORDER_STATUSES:
            raise StoreError(f"order {order_id} is {order.status} and can no longer be cancelled")
        self._rows("UPDATE orders SET status = 'cancelled' WHERE order_id = ?", (order_id,))
        log.info("order %s cancelled by %s: %s", order_id, actor, reason)
        cancelled = self.order(order_id)
        assert cancelled is not None
        return cancelled

    # BillingStore
    def subscriptions_for(self, customer_id: str) -> list[Subscription]:
        rows = self._rows("SELECT * FROM subscriptions WHERE customer_id = ?", (customer_id,))
        return [
            Subscription(**{**dict(r), "next_bill_date": _date(r["next_bill_date"])}) for r in rows
        ]

    def cancel_subscription(self, subscription_id: str, *, actor: str, reason: str) -> Subscription:
        self._rows(
            "UPDATE subscriptions SET status = 'cancelled', next_bill_date = NULL "
            "WHERE subscription_id = ?",
            (subscription_id,),
        )
        rows = self._rows(
            "SELECT * FROM subscriptions WHERE subscription_id = ?", (subscription_id,)
        )
        if not rows:
            raise NotFoundError(f"no subscription {subscription_id}")
        log.info("subscription %s cancelled by %s: %s", subscription_id, actor, reason)
        return Subscription(**{**dict(rows[0]), "next_bill_date": None})

    def refund_order(
        self, order_id: str, amount_cents: int, *, actor: str, reason: str = ""
    ) -> Refund:
        if self._rows("SELECT 1 FROM refunds WHERE order_id = ?", (order_id,)):
            raise StoreError(f"order {order_id} already has a refund")
        refund_id = f"R{order_id}-{len(self._rows('SELECT 1 FROM refunds')) + 1}"
        self._rows(
            "INSERT INTO refunds (refund_id, payment_id, order_id, amount_cents, status, created_on) "
            "SELECT ?, payment_id, ?, ?, 'in_progress', ? FROM payments WHERE order_id = ? LIMIT 1",
            (refund_id, order_id, amount_cents, self.today().isoformat(), order_id),
        )
        log.info("refund %s for order %s by %s: %s", refund_id, order_id, actor, reason)
        return Refund(refund_id, order_id, amount_cents, "in_progress")

    # Plans, pauses, credits, complaints, account e-mails (the dialog's extra tools)
    def plans(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._rows("SELECT * FROM plans ORDER BY rank")]

    def _subscription(self, subscription_id: str) -> Subscription:
        rows = self._rows(
            "SELECT * FROM subscriptions WHERE subscription_id = ?", (subscription_id,)
        )
        if not rows:
            raise NotFoundError(f"no subscription {subscription_id}")
        return Subscription(**{**dict(rows[0]), "next_bill_date": _date(rows[0]["next_bill_date"])})

    def upgrade_subscription(
        self, subscription_id: str, plan: str, *, actor: str, reason: str
    ) -> Subscription:
        sub = self._subscription(subscription_id)
        ranks = {p["plan"]: p for p in self.plans()}
        if sub.status != "active":
            raise StoreError(f"subscription {subscription_id} is {sub.status}")
        if plan not in ranks or ranks[plan]["rank"] <= ranks[sub.plan]["rank"]:
            raise StoreError(f"{plan} is not an upgrade from {sub.plan}")
        price = ranks[plan]["annual_cents" if sub.billing_cycle == "annual" else "monthly_cents"]
        self._rows(
            "UPDATE subscriptions SET plan = ?, amount_cents = ? WHERE subscription_id = ?",
            (plan, price, subscription_id),
        )
        log.info("subscription %s upgraded to %s by %s: %s", subscription_id, plan, actor, reason)
        return self._subscription(subscription_id)

    def pause_subscription(
        self, subscription_id: str, months: int, *, actor: str, reason: str
    ) -> Subscription:
        sub = self._subscription(subscription_id)
        if sub.status != "active" or sub.billing_cycle != "monthly" or not 1 <= months <= 3:
            raise StoreError(f"subscription {subscription_id} cannot be paused")
        start = sub.next_bill_date or self.today()
        month_index = start.month - 1 + months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        resumes = dt.date(year, month, min(start.day, 28))
        self._rows(
            "UPDATE subscriptions SET status = 'paused', next_bill_date = ? "
            "WHERE subscription_id = ?",
            (resumes.isoformat(), subscription_id),
        )
        log.info("subscription %s paused by %s: %s", subscription_id, actor, reason)
        return self._subscription(subscription_id)

    def credits_for(self, customer_id: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM credits WHERE customer_id = ?", (customer_id,))
        return [dict(r) for r in rows]

    def issue_credit(
        self,
        customer_id: str,
        order_id: str | None,
        amount_cents: int,
        reason_code: str,
        *,
        actor: str,
        reason: str,
    ) -> dict[str, Any]:
        if not 0 < amount_cents <= MAX_CREDIT_CENTS:
            raise StoreError(f"credit of {amount_cents} cents is outside 1..{MAX_CREDIT_CENTS}")
        if order_id and self._rows("SELECT 1 FROM credits WHERE order_id = ?", (order_id,)):
            raise StoreError(f"order {order_id} already has a credit")
        credit_id = f"CR{len(self._rows('SELECT 1 FROM credits')) + 1:04d}"
        self._rows(
            "INSERT INTO credits VALUES (?, ?, ?, ?, ?, ?)",
            (credit_id, customer_id, order_id, amount_cents, reason_code,
             self.today().isoformat()),
        )
        log.info("credit %s for %s by %s: %s", credit_id, customer_id, actor, reason)
        return {"credit_id": credit_id, "amount_cents": amount_cents, "status": "issued"}

    def record_complaint(
        self, customer_id: str, order_id: str | None, category: str, follow_up_on: str
    ) -> dict[str, Any]:
        complaint_id = f"K{len(self._rows('SELECT 1 FROM complaints')) + 1:04d}"
        self._rows(
            "INSERT INTO complaints VALUES (?, ?, ?, ?, 'open', ?, ?)",
            (complaint_id, customer_id, order_id, category, follow_up_on,
             self.today().isoformat()),
        )
        return {"complaint_id": complaint_id, "follow_up_on": follow_up_on}

    def verify_identity(self, customer_id: str, claims: dict[str, str]) -> dict[str, Any]:
        """How many of the manual's four factors (full name, zip, phone, email) match."""
        rows = self._rows(
            "SELECT full_name, email, phone, address FROM customers WHERE customer_id = ?",
            (customer_id,),
        )
        if not rows:
            return {"matched": []}
        row = rows[0]
        facts = {
            "full_name": row["full_name"].lower(),
            "email": row["email"].lower(),
            "phone": "".join(c for c in row["phone"] if c.isdigit())[-10:],
            "zip_code": row["address"].rsplit(" ", 1)[-1],
        }
        said = {k: str(v).strip().lower() for k, v in claims.items()}
        if "phone" in said:
            said["phone"] = "".join(c for c in said["phone"] if c.isdigit())[-10:]
        return {"matched": sorted(k for k, v in facts.items() if said.get(k) == v)}

    def send_password_reset(self, customer_id: str, *, actor: str, reason: str) -> dict[str, Any]:
        customer = self.by_id(customer_id)
        if customer is None:
            raise NotFoundError(f"no customer {customer_id}")
        self._rows(
            "INSERT INTO outbox (customer_id, kind, sent_to, created_on) VALUES (?, ?, ?, ?)",
            (customer_id, "password_reset", customer.email, self.today().isoformat()),
        )
        log.info("password reset link for %s by %s: %s", customer_id, actor, reason)
        return {"status": "sent"}

    # ToolAudit: the dialog's tool calls, in the common audit log
    def record(
        self,
        *,
        call_id: str,
        tool: str,
        args: dict[str, Any],
        result: dict[str, Any],
        actor: str,
        confirmed: bool,
    ) -> None:
        self.audit.record_sync(actor, AI_ROLE, TOOL_ACTION + tool, call_id,
                               args=args, result=result, confirmed=confirmed)

    def audit_entries(self, call_id: str | None = None) -> list[dict[str, Any]]:
        """The tool calls (of one call), oldest first, as `tool`, `args_json`, `result_json` ..."""
        entries = self.audit.entries_sync(target=call_id, action_prefix=TOOL_ACTION, limit=None,
                                          oldest_first=True)
        return [{"id": e.id, "at": dt.datetime.fromtimestamp(e.at, dt.UTC).isoformat(
                     timespec="seconds"), "call_id": e.target,
                 "tool": e.action.removeprefix(TOOL_ACTION),
                 "args_json": json.dumps(e.detail.get("args", {})),
                 "result_json": json.dumps(e.detail.get("result", {})),
                 "actor": e.actor, "confirmed": int(bool(e.detail.get("confirmed")))}
                for e in entries]
