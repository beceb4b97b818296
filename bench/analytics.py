"""Analytics benchmark: BG/NBD on CDNOW_master, RFM + CLV for 1M customers, a 5-condition segment.

    python bench/analytics.py [--customers 1000000]

Targets (issue #5): BG/NBD fit on CDNOW_master (23,570 customers) < 1 s; RFM +
CLV recompute for 1M synthetic customers < 2 min; a 5-condition segment
evaluated over 1M profiles < 500 ms. Issue #10: churn risk, fitted on
CDNOW_master's first 39 weeks (to 1997-09-30), ranks the customers with no
purchase in the next 39 weeks (273 days) with ROC AUC ≥ 0.74, one-time
buyers included; 1 − P(alive) and expected orders printed beside it.

The 1M customers are stored as the fold stores them (crm_customer_profile,
crm_order with ~2.6M orders; set-up, not timed). The recompute is
``recompute_scores()``, what the nightly task and ``crm_analytics`` run:
daily totals read from PostgreSQL, BG/NBD + Gamma-Gamma fitted, every
customer scored, 1M rows written in one transaction. The segment is counted
with the same SQL a preview and a membership refresh use.
"""

import argparse
import io
import resource
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import fresh_database  # noqa: E402

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
SEGMENT = {"and": [
    {"field": "order_count", "op": "gte", "value": 2},
    {"field": "last_order_at", "op": "within_last", "value": {"days": 180}},
    {"field": "rfm_group", "op": "in", "value": ["champions", "loyal", "potential_loyalist", "cant_lose"]},
    {"field": "clv", "currency": "USD", "op": "gt", "value": 50},
    {"field": "marketing_consent", "op": "eq", "value": "subscribed", "channel": "default-channel"},
]}


def bench_cdnow() -> None:
    from crm_host.cdnow import read_cdnow
    from saleor_crm_plugin.analytics.clv import BetaGeo
    from saleor_crm_plugin.analytics.summary import summarize

    customers, days, values = read_cdnow("CDNOW_master.txt")
    summary = summarize(customers, days, values, end_day=float(days.max()))
    timings, model = [], None
    for _ in range(5):
        start = time.perf_counter()
        model = BetaGeo().fit(summary.x, summary.t_x, summary.T)
        timings.append(time.perf_counter() - start)
    print(f"BG/NBD on CDNOW_master: {len(summary.customer):,} customers, fit median {statistics.median(timings):.3f} s "
          f"(max {max(timings):.3f} s; target < 1 s); r={model.r_:.4f} α={model.alpha_:.3f} a={model.a_:.4f} "
          f"b={model.b_:.4f} LL={model.log_likelihood_:.1f}", flush=True)


def bench_cdnow_churn() -> None:
    """Fit on CDNOW_master's first 39 weeks; rank who buys nothing in the next 39 (ROC AUC, target ≥ 0.74)."""
    from sklearn.metrics import roc_auc_score

    from crm_host.cdnow import HOLDOUT_DAYS, calibration_and_holdout
    from saleor_crm_plugin.analytics.value import customer_value

    summary, bought = calibration_and_holdout("CDNOW_master.txt")
    value = customer_value(summary, churn_horizon_days=HOLDOUT_DAYS)
    silent, one_time = ~bought, summary.x == 0
    print(f"churn on CDNOW_master, fit on 39 weeks ({value.method}), no purchase in the next {HOLDOUT_DAYS} days: "
          f"ROC AUC churn risk {roc_auc_score(silent, value.churn_risk):.4f} (target ≥ 0.74), "
          f"1 − P(alive) {roc_auc_score(silent, 1 - value.p_alive):.4f}, "
          f"−expected orders (365 d) {roc_auc_score(silent, -value.expected_orders[365]):.4f}; "
          f"{one_time.sum():,} of {len(one_time):,} one-time buyers, mean churn risk "
          f"{value.churn_risk[one_time].mean():.3f} (bought again: {bought[one_time].mean():.3f}) vs repeat buyers "
          f"{value.churn_risk[~one_time].mean():.3f} ({bought[~one_time].mean():.3f})", flush=True)


def synthetic_orders(customers: int, seed: int = 4):
    """Poisson buyers with gamma rates who drop out (BG/NBD's own story) over two years, amounts lognormal."""
    rng = np.random.default_rng(seed)
    start = NOW - timedelta(days=730)
    first = rng.uniform(0, 700, customers)
    rate = rng.gamma(0.6, 1 / 12.0, customers)  # orders per day while alive
    dropout = rng.beta(1.0, 4.0, customers)
    rows_customer, rows_day = [np.arange(customers)], [first]
    current, alive = first.copy(), np.ones(customers, bool)
    for _ in range(40):
        gap = rng.exponential(1 / np.maximum(rate, 1e-6))
        current = current + gap
        alive &= (rng.random(customers) > dropout) & (current < 730)
        rows_customer.append(np.flatnonzero(alive))
        rows_day.append(current[alive])
        if not alive.any():
            break
    customer = np.concatenate(rows_customer)
    day = np.concatenate(rows_day)
    spend = rng.lognormal(3.5, 0.6, customers)
    amount = np.round(spend[customer] * rng.lognormal(0, 0.3, len(customer)), 2)
    return customer + 1, start, day, amount


def store(customers: int) -> int:
    from django.db import connection

    customer, start, day, amount = synthetic_orders(customers)
    order_count = np.bincount(customer, minlength=customers + 1)
    last = np.full(customers + 1, -1.0)
    np.maximum.at(last, customer, day)
    rng = np.random.default_rng(9)
    with connection.cursor() as cursor, cursor.connection.cursor() as raw:
        with raw.copy("COPY crm_customer_profile (id, email, order_count, placed_count, cancelled_count, "
                      "refunded_count, last_order_at, favourite_categories, favourite_products, channels, "
                      "open_checkouts, abandoned_checkouts, created_at, updated_at, "
                      "first_name, last_name, is_active) FROM STDIN") as copy:
            lines, consents = [], []
            for pid in range(1, customers + 1):
                at = (start + timedelta(days=float(last[pid]))).isoformat()
                lines.append(f"{pid}\tc{pid}@example.com\t{order_count[pid]}\t{order_count[pid]}\t0\t0\t{at}\t"
                             f"[]\t[]\t[]\t0\t0\t{NOW.isoformat()}\t{NOW.isoformat()}\t"
                             f"\t\tt\n")
                if rng.random() < 0.4:
                    consents.append(f"{pid}\tdefault-channel\tsubscribed\timport\t{NOW.isoformat()}\n")
                if len(lines) == 100_000:
                    copy.write("".join(lines))
                    lines = []
            copy.write("".join(lines))
        with raw.copy("COPY crm_channel_consent (profile_id, channel, state, source, updated_at) FROM STDIN") as copy:
            copy.write("".join(consents))
        with raw.copy("COPY crm_order (order_id, number, profile_id, channel, currency, status, total_gross, "
                      "total_net, lines_count, placed_at, checkout_token, source_updated_at, version_key, is_paid, "
                      "is_fulfilled, is_cancelled, is_expired, is_refunded, is_fully_refunded) FROM STDIN") as copy:
            buffer = io.StringIO()
            for i, (pid, d, value) in enumerate(zip(customer.tolist(), day.tolist(), amount.tolist())):
                at = (start + timedelta(days=d)).isoformat()
                buffer.write(f"b{i}\t{i}\t{pid}\tweb\tUSD\tfulfilled\t{value}\t{value}\t1\t{at}\t\t{at}\tb\t"
                             f"t\tt\tf\tf\tf\tf\n")
                if i % 200_000 == 199_999:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE crm_customer_profile; ANALYZE crm_order")
    return len(customer)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()
    fresh_database("saleor_crm_bench_analytics")
    bench_cdnow()
    bench_cdnow_churn()

    start = time.perf_counter()
    orders = store(args.customers)
    print(f"stored {args.customers:,} customers and {orders:,} orders (set-up, not timed) in "
          f"{time.perf_counter() - start:.0f} s", flush=True)

    from django.db import connection

    from saleor_crm_plugin.models import AnalyticsRun
    from saleor_crm_plugin.profiles.scores import recompute_scores
    from saleor_crm_plugin.segments.membership import preview

    start = time.perf_counter()
    counts = recompute_scores(now=NOW)
    elapsed = time.perf_counter() - start
    run = AnalyticsRun.objects.latest("pk")
    fit = run.params.get("bgnbd", {})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_customer_analytics")
    print(f"RFM + CLV recompute: {counts['USD']:,} customers in {elapsed:.1f} s (target < 120 s); "
          f"method {run.method}, r={fit.get('r', 0):.3f} α={fit.get('alpha', 0):.2f} a={fit.get('a', 0):.3f} "
          f"b={fit.get('b', 0):.3f}; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB",
          flush=True)

    timings, count = [], 0
    for _ in range(7):
        start = time.perf_counter()
        count = preview(SEGMENT, now=NOW)["count"]  # the count and a 10-customer sample, as the API previews
        timings.append((time.perf_counter() - start) * 1000)
    print(f"5-condition segment over {args.customers:,} profiles (preview: count + sample): {count:,} members, "
          f"median {statistics.median(timings[1:]):.0f} ms, max {max(timings[1:]):.0f} ms (target < 500 ms)")


if __name__ == "__main__":
    main()
