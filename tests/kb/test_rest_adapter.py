"""The REST adapter against the demo data served over a tiny in-process REST API on
127.0.0.1 (the endpoints of docs/kb.md): it must return the same records as SQLite."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kb.demo import SqliteDemoStore
from kb.errors import KBError, NotFoundError, StoreError
from kb.rest_adapter import RestStore, RestStoreError, to_json

CUSTOMERS = ["C1001", "C1002", "C1003", "C1004"]


def demo_api(store: SqliteDemoStore) -> Starlette:
    """What a CRM/OMS facade would serve, backed by the demo database."""

    def one(record: object) -> Response:
        if record is None:
            return JSONResponse({"error": {"message": "not found"}}, status_code=404)
        return JSONResponse(to_json(record))

    async def customers(request: Request) -> Response:
        q = request.query_params
        found = store.by_phone(q["phone"]) if "phone" in q else store.by_email(q.get("email", ""))
        return JSONResponse(to_json([found] if found else []))

    async def action(request: Request, run: object) -> Response:
        body = await request.json()
        try:
            return JSONResponse(to_json(run(body)))  # type: ignore[operator]
        except NotFoundError as exc:
            return JSONResponse({"error": {"message": str(exc)}}, status_code=404)
        except StoreError as exc:
            return JSONResponse({"error": {"message": str(exc)}}, status_code=409)

    async def cancel_order(request: Request) -> Response:
        oid = request.path_params["oid"]
        return await action(request, lambda b: store.cancel_order(oid, actor=b["actor"],
                                                                   reason=b["reason"]))

    async def cancel_sub(request: Request) -> Response:
        sid = request.path_params["sid"]
        return await action(request, lambda b: store.cancel_subscription(
            sid, actor=b["actor"], reason=b["reason"]))

    async def refund(request: Request) -> Response:
        oid = request.path_params["oid"]
        return await action(request, lambda b: store.refund_order(
            oid, b["amount_cents"], actor=b["actor"], reason=b.get("reason", "")))

    async def boom(request: Request) -> Response:
        return JSONResponse({"error": {"message": "database down"}}, status_code=503)

    return Starlette(routes=[
        Route("/api/customers", customers),
        Route("/api/customers/{cid}",
              lambda r: one(store.by_id(r.path_params["cid"]))),
        Route("/api/customers/{cid}/orders",
              lambda r: JSONResponse(to_json(store.orders_for(r.path_params["cid"])))),
        Route("/api/customers/{cid}/subscriptions",
              lambda r: JSONResponse(to_json(store.subscriptions_for(r.path_params["cid"])))),
        Route("/api/orders/{oid}", lambda r: one(store.order(r.path_params["oid"]))),
        Route("/api/orders/{oid}/cancel", cancel_order, methods=["POST"]),
        Route("/api/orders/{oid}/refunds", refund, methods=["POST"]),
        Route("/api/subscriptions/{sid}/cancel", cancel_sub, methods=["POST"]),
        Route("/api/products", lambda r: JSONResponse([{"name": n} for n in store.product_names()])),
        Route("/broken/customers/{cid}", boom),
    ])


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[SqliteDemoStore, RestStore, str]]:
    store = SqliteDemoStore.open(tmp_path)
    srv = uvicorn.Server(uvicorn.Config(demo_api(store), host="127.0.0.1", port=0,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    root = f"http://127.0.0.1:{srv.servers[0].sockets[0].getsockname()[1]}"
    yield store, RestStore(root + "/api", timeout_s=5), root
    srv.should_exit = True
    thread.join(5)
    store.close()


def test_reads_return_the_same_records_as_sqlite(
    stores: tuple[SqliteDemoStore, RestStore, str]
) -> None:
    sqlite, rest, _ = stores
    for cid in CUSTOMERS:
        customer = sqlite.by_id(cid)
        assert customer is not None
        assert rest.by_id(cid) == customer
        assert rest.by_phone(customer.phone) == customer
        assert rest.by_phone(customer.phone.removeprefix("+1")) == customer  # 10 digits
        assert rest.by_email(customer.email.upper()) == customer
        assert rest.orders_for(cid) == sqlite.orders_for(cid)
        assert rest.subscriptions_for(cid) == sqlite.subscriptions_for(cid)
        for order in sqlite.orders_for(cid):
            assert rest.order(order.order_id) == order
    assert rest.orders_for("C1001") and rest.order("10251") is not None
    assert rest.order("99999") is None and rest.by_id("C9999") is None
    assert rest.by_phone("+15559999999") is None and rest.orders_for("C9999") == []
    assert rest.product_names() == sqlite.product_names()


def test_actions_change_the_system_of_record(
    stores: tuple[SqliteDemoStore, RestStore, str]
) -> None:
    sqlite, rest, _ = stores
    cancelled = rest.cancel_order("10288", actor="test", reason="caller asked")
    assert cancelled.status == "cancelled" and cancelled == sqlite.order("10288")
    with pytest.raises(StoreError, match="can no longer be cancelled") as refused:
        rest.cancel_order("10251", actor="test", reason="in transit")
    assert isinstance(refused.value, RestStoreError) and refused.value.status == 409
    assert not refused.value.retryable
    with pytest.raises(NotFoundError):
        rest.cancel_order("99999", actor="test", reason="x")
    sub = sqlite.subscriptions_for("C1001")[0]
    done = rest.cancel_subscription(sub.subscription_id, actor="test", reason="x")
    assert done.status == "cancelled" and done == sqlite.subscriptions_for("C1001")[0]
    refund = rest.refund_order("10234", 1999, actor="test")
    assert (refund.order_id, refund.amount_cents, refund.status) == ("10234", 1999, "in_progress")


def test_failures_are_clear_errors(stores: tuple[SqliteDemoStore, RestStore, str]) -> None:
    _, _, root = stores
    with pytest.raises(RestStoreError, match="database down") as down:
        RestStore(root + "/broken").by_id("C1001")
    assert down.value.retryable and down.value.status == 503
    with pytest.raises(KBError) as unreachable:
        RestStore("http://127.0.0.1:9/api", timeout_s=1).by_id("C1001")  # nothing listens
    assert unreachable.value.retryable
