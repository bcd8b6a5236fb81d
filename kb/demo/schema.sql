-- Hotline demo company (Acme Apparel). Reset with kb.demo.reset(data_dir).
CREATE TABLE membership_tiers (
    tier TEXT PRIMARY KEY,            -- gold | silver | bronze | guest (the manual's levels)
    rank INTEGER NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL UNIQUE,       -- E.164
    username TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL REFERENCES membership_tiers(tier),
    member_since TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE TABLE products (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    limited_edition INTEGER NOT NULL DEFAULT 0,
    stock INTEGER NOT NULL
);
CREATE TABLE orders (
    order_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    placed_on TEXT NOT NULL,
    status TEXT NOT NULL,
    carrier TEXT,
    tracking TEXT,
    delay_reason TEXT,
    original_estimate TEXT,
    current_estimate TEXT,
    total_cents INTEGER NOT NULL
);
CREATE TABLE order_items (
    order_id TEXT NOT NULL REFERENCES orders(order_id),
    sku TEXT NOT NULL REFERENCES products(sku),
    quantity INTEGER NOT NULL,
    price_cents INTEGER NOT NULL
);
CREATE TABLE subscriptions (
    subscription_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    plan TEXT NOT NULL,
    status TEXT NOT NULL,
    billing_cycle TEXT NOT NULL,
    next_bill_date TEXT,
    amount_cents INTEGER NOT NULL
);
CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    order_id TEXT REFERENCES orders(order_id),
    amount_cents INTEGER NOT NULL,
    method TEXT NOT NULL,
    paid_on TEXT NOT NULL
);
CREATE TABLE refunds (
    refund_id TEXT PRIMARY KEY,
    payment_id TEXT REFERENCES payments(payment_id),
    order_id TEXT NOT NULL REFERENCES orders(order_id),
    amount_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_on TEXT NOT NULL
);
-- Append-only: every tool call, with who/what/why. Triggers forbid UPDATE and DELETE.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    call_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    args_json TEXT NOT NULL,
    result_json TEXT NOT NULL,
    actor TEXT NOT NULL,
    confirmed INTEGER NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- Subscription plans, cheapest first (rank 1). Upgrades go to a higher rank only.
CREATE TABLE plans (
    plan TEXT PRIMARY KEY,
    rank INTEGER NOT NULL UNIQUE,
    monthly_cents INTEGER NOT NULL,
    annual_cents INTEGER NOT NULL
);
-- Goodwill credits on a customer's account (complaints, late deliveries). One per order.
CREATE TABLE credits (
    credit_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    order_id TEXT REFERENCES orders(order_id),
    amount_cents INTEGER NOT NULL,
    reason_code TEXT NOT NULL,         -- complaint | late_delivery
    created_on TEXT NOT NULL
);
CREATE UNIQUE INDEX credits_one_per_order ON credits(order_id) WHERE order_id IS NOT NULL;
CREATE TABLE complaints (
    complaint_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    order_id TEXT REFERENCES orders(order_id),
    category TEXT NOT NULL,            -- late | damaged | wrong_item | missing | service | other
    status TEXT NOT NULL,              -- open | closed
    follow_up_on TEXT NOT NULL,
    created_on TEXT NOT NULL
);
-- Messages sent to the email address on file (password reset links). Never the secret itself.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    kind TEXT NOT NULL,                -- password_reset
    sent_to TEXT NOT NULL,
    created_on TEXT NOT NULL
);
