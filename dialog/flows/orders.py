"""Order status and delay: find the order, say where it is, why it's late, new estimate."""

from __future__ import annotations

from dialog import identity
from dialog.services import Services, say_date
from dialog.types import Reply, Session
from kb.adapters import Customer, Order
from nlu.entities import Entities

_STATUS_WORDS = {
    "order_received": "has been received and hasn't shipped yet",
    "in_transit": "is on its way",
    "out_for_delivery": "is out for delivery today",
    "delivered": "was delivered",
    "cancelled": "was cancelled",
}


def find_order(
    svc: Services, session: Session, ents: Entities, customer: Customer | None
) -> tuple[Order | None, list[Order]]:
    """The order the caller means: by id, else by purchase date among their orders."""
    for order_id in ents.order_ids:
        order = svc.tools.call(session, "lookup_order", {"order_id": order_id})
        if order is not None and (customer is None or order.customer_id == customer.customer_id):
            return order, []
    if customer is None:
        remembered = session.state.order.order_id
        order = svc.orders.order(str(remembered)) if remembered else None
        return order, []
    orders = svc.tools.call(session, "list_orders", {"customer_id": customer.customer_id})
    excluded = set(session.state.order.excluded)
    orders = [o for o in orders if o.order_id not in excluded] or orders
    if ents.dates:
        dated = [o for o in orders if o.placed_on in ents.dates]
        if len(dated) == 1:
            return dated[0], []
        orders = dated or orders
    if ents.products:
        named = [o for o in orders if any(ln.product_name in ents.products for ln in o.lines)]
        if len(named) == 1:
            return named[0], []
    remembered = session.state.order.order_id
    if remembered and any(o.order_id == remembered for o in orders):
        return next(o for o in orders if o.order_id == remembered), []
    open_orders = [o for o in orders if o.status not in ("delivered", "cancelled")]
    if len(open_orders) == 1:
        return open_orders[0], []
    if len(orders) == 1:
        return orders[0], []
    return None, open_orders or orders


def describe(order: Order) -> str:
    items = " and ".join(line.product_name for line in order.lines) or "your items"
    return f"order {order.order_id}, with the {items}"


def order_status(svc: Services, session: Session, ents: Entities) -> Reply:
    customer = identity.caller(svc, session)
    if customer is None and not ents.order_ids and identity.named_only(session):
        return identity.ask_for_account(session, "order_status")  # the second fact first
    order, candidates = find_order(svc, session, ents, customer)
    named = list(ents.order_ids)
    if named and (order is None or order.order_id not in named):
        other = svc.orders.order(named[0]) if customer is not None else None
        if other is not None:  # someone else's order: the same verification, for that account
            return identity.found_order(session, "order_status", other.order_id,
                                        other.customer_id)
        # The caller named an order we cannot show them (unknown, or not theirs: we do not
        # say which). Never answer about a different order instead.
        session.state.awaiting_flow = "order_status"
        return Reply(
            text=f"I couldn't find order {named[0]}. Could you read me the order number again?",
            intent="order_status",
            confidence=1.0,
        )
    if order is not None and customer is None:  # by its number alone: not yet theirs to hear
        return identity.found_order(session, "order_status", order.order_id, order.customer_id)
    if order is None:
        session.state.awaiting_flow = "order_status"
        if candidates:
            dates = ", ".join(
                f"one from {o.placed_on:%B} {o.placed_on.day}" for o in candidates[:3]
            )
            return Reply(
                text=f"I see a few orders. Which one do you mean: {dates}?",
                intent="order_status",
                confidence=1.0,
            )
        return Reply(
            text="Sure, I can check that. What's your order number?",
            intent="order_status",
            confidence=1.0,
        )
    session.state.awaiting_flow = None
    session.state.order.order_id = order.order_id
    return Reply(
        text=status_text(order),
        intent="order_status",
        confidence=1.0,
        tool_calls=[{"tool": "lookup_order", "order_id": order.order_id}],
    )


def status_text(order: Order) -> str:
    state = _STATUS_WORDS.get(order.status, f"is {order.status.replace('_', ' ')}")
    carrier = ""
    if order.carrier and order.status == "in_transit":
        carrier = f" with {order.carrier}"
    elif order.carrier and order.status == "delivered":
        carrier = f" by {order.carrier}"
    what = describe(order)
    parts = ["I found your order.", f"{what[0].upper()}{what[1:]}, {state}{carrier}."]
    late = (
        order.original_estimate
        and order.current_estimate
        and order.current_estimate > order.original_estimate
    )
    if order.delay_reason and late:
        parts.append(f"It's running late because {order.delay_reason}.")
    if order.current_estimate and order.status not in ("delivered", "cancelled"):
        label = "The new delivery estimate" if late else "The delivery estimate"
        parts.append(f"{label} is {say_date(order.current_estimate)}.")
    elif order.status == "delivered" and order.current_estimate:
        parts[-1] = parts[-1].rstrip(".") + f" on {say_date(order.current_estimate)}."
    return " ".join(parts)
