-- Hotline demo company (Acme Apparel). Reset with kb.demo.reset(data_dir).
-- Schema "demo", version 1 (kb/demo/db.py). Tool calls go to the common audit_log (kb/db/audit.py).
CREATE TABLE IF NOT EXISTS demo_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS membership_tiers (
    tier TEXT PRIMARY KEY,            -- gold | silver | bronze | guest (the manual's levels)
    rank INTEGER NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customers (
    customer_id TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    phone TEXT NOT NULL UNIQUE,       -- E.164
    username TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL REFERENCES membership_tiers(tier),
    member_since TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS products (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    limited_edition INTEGER NOT NULL DEFAULT 0,
    stock INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
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
CREATE TABLE IF NOT EXISTS order_items (
    order_id TEXT NOT NULL REFERENCES orders(order_id),
    sku TEXT NOT NULL REFERENCES products(sku),
    quantity INTEGER NOT NULL,
    price_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
    subscription_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    plan TEXT NOT NULL,
    status TEXT NOT NULL,
    billing_cycle TEXT NOT NULL,
    next_bill_date TEXT,
    amount_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    payment_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    order_id TEXT REFERENCES orders(order_id),
    amount_cents INTEGER NOT NULL,
    method TEXT NOT NULL,
    paid_on TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id TEXT PRIMARY KEY,
    payment_id TEXT REFERENCES payments(payment_id),
    order_id TEXT NOT NULL REFERENCES orders(order_id),
    amount_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_on TEXT NOT NULL
);
-- Subscription plans, cheapest first (rank 1). Upgrades go to a higher rank only.
CREATE TABLE IF NOT EXISTS plans (
    plan TEXT PRIMARY KEY,
    rank INTEGER NOT NULL UNIQUE,
    monthly_cents INTEGER NOT NULL,
    annual_cents INTEGER NOT NULL
);
-- Goodwill credits on a customer's account (complaints, late deliveries). One per order.
CREATE TABLE IF NOT EXISTS credits (
    credit_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    order_id TEXT REFERENCES orders(order_id),
    amount_cents INTEGER NOT NULL,
    reason_code TEXT NOT NULL,         -- complaint | late_delivery
    created_on TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS credits_one_per_order ON credits(order_id) WHERE order_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS complaints (
    complaint_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    order_id TEXT REFERENCES orders(order_id),
    category TEXT NOT NULL,            -- late | damaged | wrong_item | missing | service | other
    status TEXT NOT NULL,              -- open | closed
    follow_up_on TEXT NOT NULL,
    created_on TEXT NOT NULL
);
-- Messages sent to the email address on file (password reset links). Never the secret itself.
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL REFERENCES customers(customer_id),
    kind TEXT NOT NULL,                -- password_reset
    sent_to TEXT NOT NULL,
    created_on TEXT NOT NULL
);
