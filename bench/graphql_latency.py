"""GraphQL latency end to end over HTTP, against a running server (gunicorn, 2 workers).

    python bench/graphql_latency.py [--orders 20000] [--requests 2000]

Targets (issue #4): storefront recommendations query p99 ≤ 10 ms; a staff page
of 50 customers with their profiles and recommendations p99 ≤ 100 ms.

Then a concurrent run (issue #9): ``CLIENTS`` threads on loopback send
FOR_YOU, then the staff page, at once — each client at most
``--concurrent-requests`` requests and for at most ``CONCURRENT_SECONDS`` —
and it prints requests/s and p99 under that load.

Set-up (not timed): a fresh database, 20,000 synthetic orders of
``bench/ingest.py``'s shop folded into profiles, product snapshots for its
5,000 products, a trained recommendation version; a local JWKS endpoint
publishing the key the tokens are signed with; ``gunicorn crm_host.wsgi`` with
2 sync workers. Each request is a fresh HTTP POST with a bearer token (signature
verified against the JWKS on every request), as a storefront or the Dashboard
sends it.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from graphql_relay import to_global_id

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import fresh_database, percentile  # noqa: E402

FOR_YOU = """query ForYou($channel: String!) {
  recommendations(channel: $channel, kind: FOR_YOU, first: 10) { productId score reason } }"""
ALSO_BOUGHT = """query Also($channel: String!, $product: ID!) {
  recommendations(channel: $channel, kind: ALSO_BOUGHT, product: $product, first: 10) { productId score reason } }"""
STAFF_PAGE = (ROOT / "graphql" / "operations" / "staff" / "customers-page.graphql").read_text()
CLIENTS = 16
CONCURRENT_SECONDS = 20.0  # per query: the run stops then even if the clients have requests left


def seed(orders: int) -> tuple[list[int], list[int]]:
    """Fold synthetic orders, add product snapshots, train; return the shoppers' user ids and the product ids."""
    from bench.ingest import synthetic_orders
    from saleor_crm_plugin.events.fold import process_pending
    from saleor_crm_plugin.events.outbox import record_many
    from saleor_crm_plugin.normalized.schema import ProductEvent
    from saleor_crm_plugin.models import CustomerProfile
    from saleor_crm_plugin.recommendations.training import train_models

    events = list(synthetic_orders(orders, seed=21))
    products = {line.product_id: line for event in events for line in event.lines}
    snapshots = [ProductEvent(kind="product.updated", occurred_at=events[0].occurred_at,
                              updated_at=events[0].occurred_at, product_id=pid, name=line.product_name,
                              category=line.category, product_type="Goods",
                              channel_listings=({"channel": "us", "is_published": True},
                                                {"channel": "eu", "is_published": True}))
                 for pid, line in products.items()]
    for start in range(0, len(events), 5000):
        record_many(events[start:start + 5000], source="bench", enqueue=False)
    record_many(snapshots, source="bench", enqueue=False)
    process_pending()
    record = train_models()
    print(f"set-up: {orders:,} orders folded into {CustomerProfile.objects.count():,} profiles, "
          f"{len(products):,} products, model {record.version}", flush=True)
    users = list(CustomerProfile.objects.filter(user_id__isnull=False).values_list("user_id", flat=True))
    return users, sorted(products)


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.post(url, json={"query": "{ __typename }"}, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def measure(url, query, variables_for, token_for, count) -> list[float]:
    timings = []
    for i in range(count):
        start = time.perf_counter()
        response = requests.post(url, data=json.dumps({"query": query, "variables": variables_for(i)}),
                                 headers={"Content-Type": "application/json",
                                          "Authorization": f"Bearer {token_for(i)}"}, timeout=10)
        timings.append((time.perf_counter() - start) * 1000)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"request failed: {response.status_code} {body}")
    return timings


def concurrent(url, query, variables_for, token_for, per_client: int) -> tuple[list[float], float]:
    """``CLIENTS`` clients at once, each up to ``per_client`` requests within ``CONCURRENT_SECONDS``.

    Returns every request's latency (ms) and the wall time (s) of the whole run.
    """
    deadline = time.monotonic() + CONCURRENT_SECONDS

    def client(number: int) -> list[float]:
        timings = []
        for i in range(per_client):
            if time.monotonic() > deadline:
                break
            request = number * per_client + i
            timings += measure(url, query, lambda _: variables_for(request), lambda _: token_for(request), 1)
        return timings

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        timings = [t for client_timings in pool.map(client, range(CLIENTS)) for t in client_timings]
    return timings, time.perf_counter() - start


def report_concurrent(name, timings, seconds) -> None:
    print(f"  {name:44s} {len(timings) / seconds:7.1f} requests/s   p50 {percentile(timings, 50):6.2f} ms   "
          f"p99 {percentile(timings, 99):7.2f} ms   ({len(timings):,} requests in {seconds:.1f} s)", flush=True)


def report(name, timings, target) -> None:
    print(f"  {name:44s} p50 {percentile(timings, 50):6.2f} ms   p99 {percentile(timings, 99):6.2f} ms   "
          f"({len(timings):,} requests; target p99 ≤ {target} ms)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--concurrent-requests", type=int, default=100, help="per client, in the concurrent run")
    args = parser.parse_args()

    fresh_database("saleor_crm_bench_graphql")
    users, product_ids = seed(args.orders)
    from crm_host.devjwks import Issuer

    issuer = Issuer()
    jwks_url, jwks_server = issuer.serve()
    env = {**os.environ, "DEBUG": "0", "SALEOR_CRM_JWKS_URL": f"{jwks_url}/.well-known/jwks.json",
           "SALEOR_CRM_FOLD_ON_COMMIT": "0", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "crm_host.wsgi", "-w", "2", "-b", f"127.0.0.1:{args.port}",
         "--log-level", "warning"], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{args.port}/graphql/"
    try:
        wait_until_up(url)
        rng = random.Random(3)
        # tokens outlive the whole run (Saleor's default of 5 minutes would not, on a loaded machine)
        shoppers = [issuer.token(user_id=u, expires_in=3600) for u in rng.sample(users, min(200, len(users)))]
        staff = issuer.staff_token(expires_in=3600)
        products = [to_global_id("Product", str(p)) for p in product_ids]
        for _ in range(200):  # warm-up: both workers load the serving store and the JWKS
            measure(url, FOR_YOU, lambda i: {"channel": "us"}, lambda i: shoppers[i % len(shoppers)], 1)
            measure(url, STAFF_PAGE, lambda i: {"first": 50, "channel": "us"}, lambda i: staff, 1)
        print(f"HTTP, gunicorn 2 workers, {args.requests:,} requests per query:")
        report("storefront recommendations (FOR_YOU, token)",
               measure(url, FOR_YOU, lambda i: {"channel": rng.choice(["us", "eu"])},
                       lambda i: shoppers[i % len(shoppers)], args.requests), 10)
        report("storefront recommendations (ALSO_BOUGHT)",
               measure(url, ALSO_BOUGHT, lambda i: {"channel": "us", "product": rng.choice(products)},
                       lambda i: shoppers[i % len(shoppers)], args.requests), 10)
        pages = max(200, args.requests // 5)
        report("staff page: 50 customers + recommendations",
               measure(url, STAFF_PAGE, lambda i: {"first": 50, "channel": "us",
                                                   "after": None if i % 2 else "b2Zmc2V0OjQ5"},
                       lambda i: staff, pages), 100)
        print(f"HTTP, gunicorn 2 workers, {CLIENTS} concurrent clients (at most {args.concurrent_requests:,} "
              f"requests each, {CONCURRENT_SECONDS:.0f} s):")
        report_concurrent("storefront recommendations (FOR_YOU, token)",
                          *concurrent(url, FOR_YOU, lambda i: {"channel": ("us", "eu")[i % 2]},
                                      lambda i: shoppers[i % len(shoppers)], args.concurrent_requests))
        report_concurrent("staff page: 50 customers + recommendations",
                          *concurrent(url, STAFF_PAGE, lambda i: {"first": 50, "channel": "us",
                                                                  "after": None if i % 2 else "b2Zmc2V0OjQ5"},
                                      lambda i: staff, max(1, args.concurrent_requests // 5)))
    finally:
        server.terminate()
        server.wait(10)
        jwks_server.shutdown()


if __name__ == "__main__":
    main()
