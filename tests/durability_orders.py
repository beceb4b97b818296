"""Creates orders through the outbox in separate transactions, like shop requests.

Run as ``python -m tests.durability_orders COUNT SEED`` with the host's
environment (DATABASE_URL, CELERY_BROKER_URL); imported by the tests to know
what to expect.
"""

import random
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal

T0 = datetime(2025, 6, 1, tzinfo=timezone.utc)


def planned_orders(count: int, seed: int) -> list[dict]:
    """Deterministic orders: 40 customers, two currencies, 1-3 lines each."""
    rng = random.Random(seed)
    orders = []
    for i in range(count):
        customer = rng.randrange(40)
        lines = [(rng.randrange(1, 30), rng.randrange(1, 4), Decimal(rng.randrange(100, 5000)) / 100)
                 for _ in range(rng.randrange(1, 4))]
        orders.append({
            "order_id": f"dur-{seed}-{i}",
            "email": f"customer{customer}@example.com",
            "user_id": 1000 + customer if customer % 2 else None,
            "currency": "USD" if customer % 3 else "EUR",
            "at": T0 + timedelta(hours=i),
            "lines": lines,
        })
    return orders


def build_event(order: dict):
    from saleor_crm_plugin.normalized.schema import Customer, Line, OrderEvent

    lines = tuple(
        Line(quantity=q, product_id=p, product_name=f"Product {p}", unit_price=price, total_price=price * q)
        for p, q, price in order["lines"]
    )
    total = sum((line.total_price for line in lines), Decimal(0))
    return OrderEvent(
        kind="order.created", occurred_at=order["at"], order_id=order["order_id"],
        customer=Customer(user_id=order["user_id"], email=order["email"]), channel="default-channel",
        currency=order["currency"], status="unfulfilled", total_gross=total, total_net=total,
        lines=lines, placed_at=order["at"], updated_at=order["at"],
    )


def main(count: int, seed: int) -> None:
    import django

    django.setup()
    from django.db import transaction

    from saleor_crm_plugin.events.outbox import record

    for order in planned_orders(count, seed):
        with transaction.atomic():  # one shop request each; enqueue runs on commit
            record(build_event(order), source="plugin")
    print(f"created {count} orders", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
