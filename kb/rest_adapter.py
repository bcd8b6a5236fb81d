"""`CustomerStore`, `OrderStore` and `BillingStore` over a JSON REST API, so a real CRM/OMS
(or a thin facade in front of one) can replace the SQLite demo. Endpoints: docs/kb.md.

Synchronous on purpose: the brain runs in a worker thread. Standard library only
(urllib), a timeout on every request, no automatic retries (a POST is not idempotent;
the dialog layer decides what to tell the caller). Errors are `kb.errors` types:
`NotFoundError` for a 404 on an action, `RestStoreError` (a `StoreError`) otherwise, with
`retryable` set for timeouts, connection failures and HTTP 429/5xx.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from kb.adapters import Customer, Order, OrderLine, Refund, Subscription
from kb.errors import NotFoundError, StoreError

log = logging.getLogger(__name__)


class RestStoreError(StoreError):
    def __init__(self, message: str, *, status: int | None = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


def to_json(record: Any) -> Any:
    """A record (or list of records) as the API's JSON: dates as ISO strings."""
    if isinstance(record, list | tuple):
        return [to_json(r) for r in record]
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_json(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, dt.date):
        return record.isoformat()
    return record


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def customer_from_json(d: dict[str, Any]) -> Customer:
    return Customer(customer_id=str(d["customer_id"]), full_name=d["full_name"],
                    email=d.get("email") or "", phone=d.get("phone") or "",
                    username=d.get("username") or "", tier=d.get("tier") or "guest")


def order_from_json(d: dict[str, Any]) -> Order:
    return Order(
        order_id=str(d["order_id"]),
        customer_id=str(d["customer_id"]),
        placed_on=dt.date.fromisoformat(d["placed_on"]),
        status=d["status"],
        carrier=d.get("carrier"),
        delay_reason=d.get("delay_reason"),
        original_estimate=_date(d.get("original_estimate")),
        current_estimate=_date(d.get("current_estimate")),
        total_cents=int(d["total_cents"]),
        lines=tuple(
            OrderLine(sku=line["sku"], product_name=line["product_name"],
                      quantity=int(line["quantity"]), price_cents=int(line["price_cents"]),
                      limited_edition=bool(line.get("limited_edition", False)))
            for line in d.get("lines") or []
        ),
    )


def subscription_from_json(d: dict[str, Any]) -> Subscription:
    return Subscription(subscription_id=str(d["subscription_id"]),
                        customer_id=str(d["customer_id"]), plan=d["plan"], status=d["status"],
                        billing_cycle=d["billing_cycle"],
                        next_bill_date=_date(d.get("next_bill_date")),
                        amount_cents=int(d["amount_cents"]))


def refund_from_json(d: dict[str, Any]) -> Refund:
    return Refund(refund_id=str(d["refund_id"]), order_id=str(d["order_id"]),
                  amount_cents=int(d["amount_cents"]), status=d["status"])


def normalize_phone(phone: str) -> str:
    """The same rule as the demo store: digits only, a 10-digit number gets +1."""
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) == 10:
        digits = "1" + digits
    return f"+{digits}"


class RestStore:
    """The three store protocols over `base_url` (e.g. https://crm.example.com/api/v1)."""

    def __init__(self, base_url: str, *, timeout_s: float = 5.0, token: str | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"REST store URL must be http(s), got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"

    # -- HTTP ----------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              query: dict[str, str] | None = None) -> tuple[int, Any]:
        url = self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=self._headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except TimeoutError as exc:
            raise RestStoreError(f"{method} {url}: no answer within {self.timeout_s} s") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise RestStoreError(f"{method} {url}: {getattr(exc, 'reason', exc)}") from exc
        try:
            payload = json.loads(raw) if raw else None
        except ValueError as exc:
            raise RestStoreError(f"{method} {url}: HTTP {status}, not JSON: {raw[:200]!r}",
                                 status=status, retryable=status == 429 or status >= 500) from exc
        return status, payload

    def _get(self, path: str, query: dict[str, str] | None = None) -> Any:
        """The JSON of a 200; None for a 404; an error otherwise."""
        status, payload = self._call("GET", path, query=query)
        if status == 404:
            return None
        self._check(status, payload, "GET", path)
        return payload

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        status, payload = self._call("POST", path, body=body)
        if status == 404:
            raise NotFoundError(_message(payload) or f"not found: {path}")
        self._check(status, payload, "POST", path)
        return payload

    @staticmethod
    def _check(status: int, payload: Any, method: str, path: str) -> None:
        if 200 <= status < 300:
            return
        detail = _message(payload) or f"HTTP {status}"
        # 409/422: the system refused the action (e.g. already shipped); its message is
        # meant for the agent. 429/5xx: try later.
        raise RestStoreError(f"{detail}" if status in (409, 422) else f"{method} {path}: {detail}",
                             status=status, retryable=status == 429 or status >= 500)

    def _first_customer(self, query: dict[str, str]) -> Customer | None:
        found = self._get("/customers", query) or []
        return customer_from_json(found[0]) if found else None

    # -- CustomerStore -------------------------------------------------------------------
    def by_phone(self, phone: str) -> Customer | None:
        return self._first_customer({"phone": normalize_phone(phone)})

    def by_email(self, email: str) -> Customer | None:
        return self._first_customer({"email": email.strip().lower()})

    def by_id(self, customer_id: str) -> Customer | None:
        found = self._get(f"/customers/{_seg(customer_id)}")
        return customer_from_json(found) if found else None

    # -- OrderStore ----------------------------------------------------------------------
    def order(self, order_id: str) -> Order | None:
        found = self._get(f"/orders/{_seg(order_id)}")
        return order_from_json(found) if found else None

    def orders_for(self, customer_id: str) -> list[Order]:
        found = self._get(f"/customers/{_seg(customer_id)}/orders") or []
        return [order_from_json(o) for o in found]

    def cancel_order(self, order_id: str, *, actor: str, reason: str) -> Order:
        return order_from_json(
            self._post(f"/orders/{_seg(order_id)}/cancel", {"actor": actor, "reason": reason})
        )

    # -- BillingStore --------------------------------------------------------------------
    def subscriptions_for(self, customer_id: str) -> list[Subscription]:
        found = self._get(f"/customers/{_seg(customer_id)}/subscriptions") or []
        return [subscription_from_json(s) for s in found]

    def cancel_subscription(self, subscription_id: str, *, actor: str, reason: str) -> Subscription:
        return subscription_from_json(self._post(
            f"/subscriptions/{_seg(subscription_id)}/cancel", {"actor": actor, "reason": reason}
        ))

    def refund_order(
        self, order_id: str, amount_cents: int, *, actor: str, reason: str = ""
    ) -> Refund:
        return refund_from_json(self._post(
            f"/orders/{_seg(order_id)}/refunds",
            {"amount_cents": amount_cents, "actor": actor, "reason": reason},
        ))

    # -- catalogue (optional endpoint) ---------------------------------------------------
    def product_names(self) -> list[str]:
        found = self._get("/products") or []
        return [p["name"] for p in found]


def _seg(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")


def _message(payload: Any) -> str:
    if isinstance(payload, dict):
        err = payload.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or "")
        return str(err or payload.get("detail") or "")
    return ""
