"""Deterministic demo data for Acme Apparel. The demo world's 'today' is DEMO_TODAY."""

from __future__ import annotations

import datetime as dt

DEMO_TODAY = dt.date(2026, 5, 6)

TIERS = [
    ("gold", 1, "Top membership level"),
    ("silver", 2, "Second membership level"),
    ("bronze", 3, "Third membership level"),
    ("guest", 4, "No membership"),
]
CUSTOMERS = [
    (
        "C1001",
        "Jordan Rivera",
        "jordan.rivera@example.com",
        "+15550100001",
        "jrivera1",
        "gold",
        "2021-02-11",
        "12 Harbor Lane, Portland, OR 97201",
    ),
    (
        "C1002",
        "Priya Shah",
        "priya.shah@example.com",
        "+15550100002",
        "pshah1",
        "silver",
        "2023-07-30",
        "480 Elm Street, Austin, TX 78701",
    ),
    (
        "C1003",
        "Sam Okafor",
        "sam.okafor@example.com",
        "+15550100003",
        "sokafor1",
        "bronze",
        "2024-11-02",
        "9 Birch Court, Columbus, OH 43004",
    ),
    (
        "C1004",
        "Alex Chen",
        "alex.chen@example.com",
        "+15550100004",
        "achen1",
        "guest",
        "2026-03-01",
        "77 Pine Road, Denver, CO 80014",
    ),
]
PRODUCTS = [
    ("SKU-SHIRT-OX", "Oxford Shirt", "shirt", 4900, 0, 120),
    ("SKU-JEANS-SL", "Slim Fit Jeans", "jeans", 7900, 0, 80),
    ("SKU-BOOT-CH", "Chelsea Boots", "boots", 12900, 0, 35),
    ("SKU-JACKET-RN", "Rain Jacket", "jacket", 9900, 0, 50),
    ("SKU-SOCKS-3", "Wool Socks 3-Pack", "socks", 1900, 0, 300),
    ("SKU-HEADSET-LE", "Aurora Limited Edition Wireless Headset", "accessories", 19900, 1, 12),
]
# order_id, customer, placed_on, status, carrier, tracking, delay_reason, original, current
ORDERS = [
    (
        "10234",
        "C1001",
        "2026-04-15",
        "delivered",
        "UPS",
        "1Z999AA10234",
        None,
        "2026-04-19",
        "2026-04-19",
    ),
    (
        "10251",
        "C1002",
        "2026-05-01",
        "in_transit",
        "UPS",
        "1Z999AA10251",
        "a storm closed the carrier's regional sorting hub",
        "2026-05-05",
        "2026-05-08",
    ),
    (
        "10263",
        "C1003",
        "2026-04-15",
        "delivered",
        "FedEx",
        "7700010263",
        None,
        "2026-04-20",
        "2026-04-20",
    ),
    (
        "10270",
        "C1004",
        "2026-03-20",
        "delivered",
        "USPS",
        "9400110270",
        None,
        "2026-03-25",
        "2026-03-25",
    ),
    (
        "10288",
        "C1001",
        "2026-05-04",
        "order_received",
        None,
        None,
        None,
        "2026-05-09",
        "2026-05-09",
    ),
    (
        "10290",
        "C1003",
        "2026-05-05",
        "order_received",
        None,
        None,
        None,
        "2026-05-11",
        "2026-05-11",
    ),
]
ORDER_ITEMS = [
    ("10234", "SKU-HEADSET-LE", 1, 19900),
    ("10251", "SKU-JEANS-SL", 1, 7900),
    ("10251", "SKU-SHIRT-OX", 1, 4900),
    ("10263", "SKU-HEADSET-LE", 1, 19900),
    ("10270", "SKU-BOOT-CH", 1, 12900),
    ("10288", "SKU-JACKET-RN", 1, 9900),
    ("10290", "SKU-SOCKS-3", 2, 1900),
]
# plan, rank, monthly, annual (cents). Every seeded subscription is premium; elite is the upgrade.
PLANS = [
    ("basic", 1, 799, 6900),
    ("premium", 2, 1299, 9900),
    ("elite", 3, 1999, 14900),
]
SUBSCRIPTIONS = [
    ("S2001", "C1001", "premium", "active", "monthly", "2026-05-20", 1299),
    ("S2002", "C1002", "premium", "active", "annual", "2026-07-30", 9900),
    ("S2003", "C1003", "premium", "active", "monthly", "2026-05-12", 1299),
]
PAYMENTS = [
    ("P3001", "C1001", "10234", 19900, "credit card", "2026-04-15"),
    ("P3002", "C1002", "10251", 12800, "paypal", "2026-05-01"),
    ("P3003", "C1003", "10263", 19900, "debit card", "2026-04-15"),
    ("P3004", "C1004", "10270", 12900, "credit card", "2026-03-20"),
    ("P3005", "C1001", "10288", 9900, "credit card", "2026-05-04"),
    ("P3006", "C1003", "10290", 3800, "debit card", "2026-05-05"),
]
REFUNDS: list[tuple[str, str, str, int, str, str]] = []
