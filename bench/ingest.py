"""Ingest benchmark: outbox insert per hook, fold throughput, backfill throughput.

    python bench/ingest.py [--orders 100000]

Targets (issue #2): insert ≤ 1 ms p99; fold ≥ 5,000 events/s; backfill ≥ 2,000 orders/s.
Synthetic shop: 20,000 customers (a third of them guests, activity long-tailed),
5,000 products, 1-5 lines per order, two channels (USD, EUR), and one status
event (paid/fulfilled/cancelled) for every fourth order.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import fresh_database, percentile, reset_crm_tables  # noqa: E402

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def synthetic_orders(count: int, seed: int = 7, customers: int = 20_000, products: int = 5_000):
    from saleor_crm_plugin.normalized.schema import Customer, Line, OrderEvent

    rng = random.Random(seed)
    prices = [Decimal(rng.randrange(199, 9999)) / 100 for _ in range(products)]
    for i in range(count):
        who = min(int(rng.paretovariate(1.2)) - 1, customers - 1) if rng.random() < 0.5 else rng.randrange(customers)
        guest = who % 3 == 0
        usd = who % 4 != 0
        lines = []
        for _ in range(rng.randint(1, 5)):
            product = min(int(rng.paretovariate(1.1)) - 1, products - 1) if rng.random() < 0.6 else rng.randrange(products)
            quantity = rng.randint(1, 3)
            lines.append(Line(quantity=quantity, product_id=product + 1, product_name=f"Product {product + 1}",
                              category=f"Category {product % 40}", unit_price=prices[product],
                              total_price=prices[product] * quantity))
        at = T0 + timedelta(minutes=5 * i)
        yield OrderEvent(
            kind="order.created", occurred_at=at, order_id=f"bench-{seed}-{i}", number=str(i),
            customer=Customer(user_id=None if guest else who + 1, email=f"c{who}@example.com"),
            channel="us" if usd else "eu", currency="USD" if usd else "EUR", status="unfulfilled",
            total_gross=sum((l.total_price for l in lines), Decimal(0)), total_net=Decimal(0),
            lines=tuple(lines), placed_at=at, updated_at=at,
        )


def with_status_events(orders):
    from dataclasses import replace

    for i, order in enumerate(orders):
        yield order
        if i % 4 == 0:
            kind, status = [("order.fully_paid", "unfulfilled"), ("order.fulfilled", "fulfilled"),
                            ("order.cancelled", "canceled")][(i // 4) % 3]
            later = order.updated_at + timedelta(hours=1)
            yield replace(order, kind=kind, status=status, updated_at=later, occurred_at=later)


class SyntheticSource:
    name = "bench-synthetic"
    entities = ("orders",)

    def __init__(self, count):
        self.count_ = count

    def count(self, entity):
        return self.count_

    def batches(self, entity, after, size):
        start = int(after or 0)
        orders = synthetic_orders(self.count_, seed=11)
        batch = []
        for i, order in enumerate(orders):
            if i < start:
                continue
            batch.append(order)
            if len(batch) == size:
                yield batch, str(i + 1), len(batch)
                batch = []
        if batch:
            yield batch, str(self.count_), len(batch)


def bench_insert(samples: int) -> dict:
    """Cost of one hook's outbox insert, inside a shop transaction (savepoint included)."""
    from django.db import connection, transaction

    from saleor_crm_plugin.events.outbox import record

    events = list(synthetic_orders(samples, seed=3))
    timings = []
    for event in events:
        with transaction.atomic():  # Saleor's request transaction, already under way
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            start = time.perf_counter()
            record(event, source="plugin")  # savepoint + insert + release
            timings.append((time.perf_counter() - start) * 1000)
    timings = timings[100:]  # warm-up
    return {"median_ms": statistics.median(timings), "p99_ms": percentile(timings, 99), "samples": len(timings)}


def bench_fold(orders: int) -> dict:
    from saleor_crm_plugin.events.fold import process_pending
    from saleor_crm_plugin.events.outbox import record_many
    from saleor_crm_plugin.models import CRMEvent

    events = list(with_status_events(synthetic_orders(orders, seed=5)))
    for start in range(0, len(events), 5000):
        record_many(events[start : start + 5000], source="bench", enqueue=False)
    pending = CRMEvent.objects.filter(status="pending").count()
    start = time.perf_counter()
    stats = process_pending()
    elapsed = time.perf_counter() - start
    return {"events": pending, "processed": stats.processed, "seconds": elapsed, "events_per_s": pending / elapsed}


def bench_backfill(orders: int) -> dict:
    from saleor_crm_plugin.events.backfill import run_backfill

    start = time.perf_counter()
    report = run_backfill(SyntheticSource(orders), batch_size=2000)
    elapsed = time.perf_counter() - start
    return {"orders": report.records["orders"], "seconds": elapsed, "orders_per_s": report.records["orders"] / elapsed}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--insert-samples", type=int, default=5_000)
    args = parser.parse_args()

    fresh_database("saleor_crm_bench")
    insert = bench_insert(args.insert_samples)
    print(f"outbox insert per hook : median {insert['median_ms']:.3f} ms, p99 {insert['p99_ms']:.3f} ms "
          f"({insert['samples']:,} inserts; target p99 ≤ 1 ms)", flush=True)

    reset_crm_tables()
    fold = bench_fold(args.orders)
    print(f"fold throughput        : {fold['events_per_s']:,.0f} events/s "
          f"({fold['events']:,} events from {args.orders:,} orders in {fold['seconds']:.1f} s; "
          f"target ≥ 5,000 events/s)", flush=True)

    reset_crm_tables()
    backfill = bench_backfill(args.orders)
    print(f"backfill throughput    : {backfill['orders_per_s']:,.0f} orders/s "
          f"({backfill['orders']:,} orders in {backfill['seconds']:.1f} s, record + fold; "
          f"target ≥ 2,000 orders/s)", flush=True)


if __name__ == "__main__":
    main()
