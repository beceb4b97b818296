"""Recommendation training and serving at scale, on synthetic data.

    python bench/recs_scale.py [--lines 10000000] [--customers 200000] [--products 50000]

Targets (issue #3): on 10M order lines (200k customers, 50k products,
long-tailed), training < 3 min and peak memory < 4 GB; serving p50 ≤ 0.2 ms and
p99 ≤ 1 ms per call from the store.

The shop: product popularity is Zipf-like; each customer has a long-tailed
activity level and a personal set of favourite products drawn from the same
popularity, which half of their order lines come from (repeat purchases);
baskets hold 1 + Poisson(7) products; three channels; 500 categories; names,
descriptions and attributes from a Zipf vocabulary, so the content model
meets common and rare words as in a real catalog.

The data is first stored as the fold stores it (crm_order, crm_order_line,
crm_product_snapshot; set-up, not timed). Measured: ``train_models()``, what
``crm_train`` and the nightly task run — loading the lines from PostgreSQL,
fitting every model (for you, also bought, similar, popularity), the shop
evaluation stored with the version, writing the bundle and swapping it in;
then, in the same process, 20,000 calls of each serving function with random
customers, products and carts through the serving store, as the API uses it
(availability from the product snapshots). Peak memory is the process's
maximum resident set size, data generation included.
"""

import argparse
import io
import json
import random
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import fresh_database, percentile  # noqa: E402

CHANNELS = ("web", "app", "outlet")


def zipf_weights(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def synthetic_shop(lines: int, customers: int, products: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    popularity = zipf_weights(products, 1.0)
    product_of_rank = rng.permutation(products)  # popularity rank → product index
    # Orders: long-tailed activity per customer, basket sizes 1 + Poisson(7).
    activity = rng.pareto(1.5, customers) + 1.0
    sizes = 1 + rng.poisson(7, int(lines / 8 * 1.1))
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), lines) + 1]
    n_orders = len(sizes)
    order_customer = rng.choice(customers, n_orders, p=activity / activity.sum())
    line_order = np.repeat(np.arange(n_orders), sizes)[:lines]
    line_customer = order_customer[line_order]
    # Half of the lines from the customer's 20 favourites, half from the whole catalog.
    table = product_of_rank[rng.choice(products, 2_000_003, p=popularity)]
    favourite_slot = rng.integers(0, 20, lines)
    favourite = table[(line_customer.astype(np.int64) * 7919 + favourite_slot * 104729) % len(table)]
    anywhere = table[rng.integers(0, len(table), lines)]
    line_product = np.where(rng.random(lines) < 0.5, favourite, anywhere)
    order_time = np.sort(rng.uniform(0, 730 * 86400, n_orders))[rng.permutation(n_orders)]
    order_channel = rng.choice(len(CHANNELS), n_orders, p=[0.6, 0.3, 0.1])
    return {
        "customer": line_customer + 1, "order": line_order + 1, "item": line_product + 1,
        "placed_at": order_time[line_order] + 1.7e9, "channel": order_channel[line_order].astype(np.int16),
    }


def synthetic_catalog(products: int, seed: int = 1) -> list[dict]:
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{i}" for i in range(8000)]
    word_p = zipf_weights(len(vocabulary), 1.1)
    words = rng.choice(len(vocabulary), (products, 12), p=word_p)
    colours = ["red", "blue", "green", "black", "white", "grey", "brown", "pink", "navy", "beige", "gold", "silver"]
    catalog = []
    for index in range(products):
        w = [vocabulary[i] for i in words[index]]
        catalog.append({
            "name": " ".join(w[:3]), "description": " ".join(w[3:]), "category": f"Category {index % 500}",
            "product_type": f"Type {index % 50}",
            "attributes": {"Colour": [colours[index % len(colours)]], "Brand": [f"Brand {index % 2000}"]},
        })
    return catalog


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def write_catalog(catalog, item_ids):
    """Product snapshots with channel listings (every product on web; 80% on app; 50% on outlet)."""
    from django.db import connection

    rng = random.Random(2)
    now = datetime.now(timezone.utc).isoformat()
    buffer = io.StringIO()
    for product_id, product in zip(item_ids.tolist(), catalog):
        listings = [{"channel": "web", "is_published": True}]
        if rng.random() < 0.8:
            listings.append({"channel": "app", "is_published": True})
        if rng.random() < 0.5:
            listings.append({"channel": "outlet", "is_published": True})
        fields = [str(product_id), product["name"], "", "", product["category"], product["product_type"],
                  json.dumps(product["attributes"]), json.dumps(listings), "[]", "f", now, "bench"]
        buffer.write("\t".join(f.replace("\\", "\\\\").replace("\t", " ") for f in fields) + "\n")
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(
            "COPY crm_product_snapshot (product_id, name, slug, description_text, category, product_type, "
            "attributes, channel_listings, variants, is_deleted, source_updated_at, version_key) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())


def write_orders(data) -> None:
    """The synthetic orders as the fold would have stored them (crm_order, crm_order_line), by COPY."""
    from django.db import connection

    order_ids, first = np.unique(data["order"], return_index=True)
    customers = data["customer"][first]
    channels = data["channel"][first]
    placed = data["placed_at"][first]
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor().copy(
            "COPY crm_order (id, order_id, number, profile_id, channel, currency, status, total_gross, total_net, "
            "lines_count, placed_at, checkout_token, source_updated_at, version_key, is_paid, is_fulfilled, "
            "is_cancelled, is_expired, is_refunded, is_fully_refunded) FROM STDIN"
        ) as copy:
            for start in range(0, len(order_ids), 100_000):
                rows = []
                for oid, cust, chan, at in zip(order_ids[start:start + 100_000].tolist(),
                                               customers[start:start + 100_000].tolist(),
                                               channels[start:start + 100_000].tolist(),
                                               placed[start:start + 100_000].tolist()):
                    stamp = datetime.fromtimestamp(at, timezone.utc).isoformat()
                    rows.append(f"{oid}\tb{oid}\t{oid}\t{cust}\t{CHANNELS[chan]}\tUSD\tfulfilled\t0\t0\t0\t"
                                f"{stamp}\t\t{stamp}\tbench\tt\tt\tf\tf\tf\tf\n")
                copy.write("".join(rows))
        with raw.cursor().copy(
            "COPY crm_order_line (order_id, product_id, line_id, variant_id, product_name, variant_name, sku, "
            "category, quantity, unit_price, total_price) FROM STDIN"
        ) as copy:
            for start in range(0, len(data["order"]), 1_000_000):
                chunk = zip(data["order"][start:start + 1_000_000].tolist(), data["item"][start:start + 1_000_000].tolist())
                copy.write("".join(f"{o}\t{p}\t\t\t\t\t\t\t1\t0\t0\n" for o, p in chunk))
        cursor.execute("ANALYZE crm_order; ANALYZE crm_order_line")


def serve(calls: int, bundle, rng) -> dict:
    from saleor_crm_plugin.recommendations import service

    customers = bundle.for_you.customer_ids_
    items = bundle.item_ids
    requests = {
        "for_customer": lambda: service.for_customer(int(customers[rng.integers(len(customers))]),
                                                     CHANNELS[rng.integers(3)], 10),
        "also_bought": lambda: service.also_bought(int(items[rng.integers(len(items))]), CHANNELS[rng.integers(3)], 10),
        "similar": lambda: service.similar(int(items[rng.integers(len(items))]), CHANNELS[rng.integers(3)], 10),
        "for_cart": lambda: service.for_cart([int(p) for p in items[rng.integers(len(items), size=3)]],
                                             CHANNELS[rng.integers(3)], 10),
    }
    results = {}
    for name, call in requests.items():
        for _ in range(1000):
            call()  # warm-up (channel masks and rankings are built on first use)
        timings, empty = [], 0
        for _ in range(calls):
            start = time.perf_counter()
            got = call()
            timings.append((time.perf_counter() - start) * 1000)
            empty += not got
        results[name] = {"p50": percentile(timings, 50), "p99": percentile(timings, 99), "empty": empty}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()

    fresh_database("saleor_crm_bench_recs")
    from saleor_crm_plugin.recommendations.store import store
    from saleor_crm_plugin.recommendations.training import train_models

    start = time.perf_counter()
    data = synthetic_shop(args.lines, args.customers, args.products)
    catalog = synthetic_catalog(args.products)
    item_ids = np.arange(1, args.products + 1)
    print(f"generated {args.lines:,} lines in {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    write_orders(data)
    write_catalog(catalog, item_ids)
    del data
    print(f"stored as CRM orders, lines and product snapshots (set-up, not timed) in "
          f"{time.perf_counter() - start:.1f} s", flush=True)

    stages = {}

    def progress(stage, done, total):
        if stage not in stages:
            stages[stage] = time.perf_counter()
            print(f"  {stage} …", flush=True)

    start = time.perf_counter()
    record = train_models(progress=progress)  # what `crm_train` and the nightly task run
    total = time.perf_counter() - start
    stamps = sorted(stages.items(), key=lambda kv: kv[1]) + [("end", time.perf_counter())]
    print("  " + ", ".join(f"{a} {t2 - t1:.1f} s" for (a, t1), (_, t2) in zip(stamps, stamps[1:])))
    print(f"  fit per model: {record.params['fit_seconds']}; bundle {record.bundle_bytes / 1e6:,.0f} MB; "
          f"counts {record.counts}")
    metrics = record.metrics
    print(f"  evaluation on {metrics['customers']:,} sampled customers: for you recall@10 "
          f"{metrics['for_you']['recall']:.3f} vs personal top-frequency "
          f"{metrics['personal_top_frequency']['recall']:.3f}; also bought HR@10 "
          f"{metrics['also_bought']['hit_rate']:.3f} vs popularity {metrics['popularity']['hit_rate']:.3f}")
    print(f"TRAINING (load from the CRM tables, fit, evaluate, store, swap): {total:.1f} s (target < 180 s); "
          f"peak memory {peak_rss_gb():.2f} GB (target < 4 GB)", flush=True)

    start = time.perf_counter()
    store.invalidate()
    served = store.current()
    print(f"serving store loaded version {served.version} in {time.perf_counter() - start:.1f} s", flush=True)
    results = serve(args.calls, served.bundle, np.random.default_rng(5))
    print(f"SERVING ({args.calls:,} calls each, limit 10, random channel; targets p50 ≤ 0.2 ms, p99 ≤ 1 ms):")
    for name, r in results.items():
        print(f"  {name:13s} p50 {r['p50']:.3f} ms  p99 {r['p99']:.3f} ms  (empty results: {r['empty']})")
    print(f"peak memory of the whole run: {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
