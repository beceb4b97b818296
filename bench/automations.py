"""Automation planning benchmark: the abandoned-checkout scan and the win-back selection over 1,000,000 profiles.

    python bench/automations.py [--profiles 1000000] [--open-checkouts 0.3]

Set-up (not timed, in SQL): ``--profiles`` customer profiles, each with one
order (its channel is what win-back mails in) and one scores row (churn risk
spread evenly over 0-1, so 30% reach the default 0.7; next-order dates from
40 days ahead to 40 days overdue, so some more are overdue past 30 days);
one checkout per profile, of which ``--open-checkouts`` are open with lines
and idle for 0 to 3 days, the rest completed. Both automations switched on
a week ago.

Timed, each twice (the second pass finds every key taken, as beat's next
pass does): ``planning.plan_one`` for the abandoned checkout (reads open
checkouts through ``crm_checkout_open_idx``, skips customers who ordered
since, inserts one run per cart under its unique key) and for win-back
(reads every scores row, the newest order's channel per lapsed customer,
one run per lapse). Printed: seconds, the rows the scan read, runs planned
and rows per second.
"""

import argparse
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import clone, fresh_database  # noqa: E402

NOW = datetime.now(timezone.utc)


def build(profiles: int, open_share: float) -> None:
    from decimal import Decimal

    from django.db import connection

    from saleor_crm_plugin.models import CRMCheckout, CRMOrder, CustomerAnalytics, CustomerProfile

    started = time.perf_counter()
    seed = CustomerProfile.objects.create(email="seed@example.com", last_order_at=NOW - timedelta(days=300))
    clone("crm_customer_profile", seed.pk, profiles - 1, {
        "email": "'c' || g || '@example.com'",
        "last_order_at": "now() - make_interval(days => 30 + (g %% 400))"})
    order = CRMOrder.objects.create(order_id="seed", profile=seed, channel="default-channel", currency="USD",
                                    placed_at=seed.last_order_at, source_updated_at=seed.last_order_at,
                                    version_key="seed")
    clone("crm_order", order.pk, profiles - 1, {
        "order_id": "'o' || g", "profile_id": f"{seed.pk} + g",
        "channel": "CASE WHEN g %% 3 = 0 THEN 'outlet' ELSE 'default-channel' END",
        "placed_at": "now() - make_interval(days => 30 + (g %% 400))"})
    cursor = connection.cursor()
    cursor.execute("UPDATE crm_customer_profile p SET last_order_at = o.placed_at FROM crm_order o "
                   "WHERE o.profile_id = p.id")
    analytics = CustomerAnalytics.objects.create(
        profile=seed, currency="USD", orders=1, revenue=Decimal(10), recency_days=300, r_score=1, f_score=1,
        m_score=1, rfm_group="at_risk", expected_orders_30=0, expected_orders_90=0, expected_orders_365=0.1,
        p_alive=0.5, churn_risk=0.5, next_order_at=NOW, expected_order_value=Decimal(10), clv_12m=Decimal(1),
        method="bgnbd", confidence="low", computed_at=NOW)
    clone("crm_customer_analytics", analytics.pk, profiles - 1, {
        "profile_id": f"{seed.pk} + g", "churn_risk": "((g::bigint * 7919) %% 10000) / 10000.0",
        "next_order_at": "now() + make_interval(days => 40 - (g %% 81))"})
    checkout = CRMCheckout.objects.create(token="seed", profile=seed, channel="default-channel", currency="USD",
                                          lines=[{"product_id": 1, "variant_id": "v1", "name": "Tea", "quantity": 2}],
                                          lines_count=1, last_change=NOW - timedelta(days=10),
                                          completed_at=NOW - timedelta(days=10))
    open_every = max(1, round(1 / open_share))
    clone("crm_checkout", checkout.pk, profiles - 1, {
        "token": "'k' || g", "profile_id": f"{seed.pk} + g",
        "last_change": "now() - make_interval(mins => 70 + (g %% 4320))",
        "completed_at": f"CASE WHEN g %% {open_every} = 0 THEN NULL ELSE now() END"})
    cursor.execute("ANALYZE")
    print(f"set-up: {profiles:,} profiles, orders, scores and checkouts in {time.perf_counter() - started:.1f} s")


def switch_on(kind: str):
    from saleor_crm_plugin.campaigns.automations.staff import ensure_defaults
    from saleor_crm_plugin.models import Automation, AutomationStep, EmailTemplate

    ensure_defaults()
    template, _ = EmailTemplate.objects.get_or_create(name="Bench", defaults={"subject": "S", "body": "<p>x</p>",
                                                                            "body_format": "html"})
    AutomationStep.objects.filter(automation__kind=kind, position=1).update(template=template)
    Automation.objects.filter(kind=kind).update(enabled=True, enabled_at=NOW - timedelta(days=7), planned_at=None)
    return Automation.objects.prefetch_related("steps").get(kind=kind)


def timed(label: str, kind: str, scanned_sql: str) -> None:
    from django.db import connection

    from saleor_crm_plugin.campaigns.automations.planning import plan_one

    with connection.cursor() as cursor:
        cursor.execute(scanned_sql)
        scanned = cursor.fetchone()[0]
    for attempt in ("first pass", "second pass"):
        automation = switch_on(kind)
        started = time.perf_counter()
        planned = plan_one(automation, datetime.now(timezone.utc))
        seconds = time.perf_counter() - started
        print(f"{label:<26} {attempt:<12} {seconds:7.2f} s  scanned {scanned:>9,}  planned {planned:>8,}  "
              f"{scanned / seconds:>12,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--open-checkouts", type=float, default=0.3)
    args = parser.parse_args()
    fresh_database("crm_bench_automations")
    build(args.profiles, args.open_checkouts)
    timed("abandoned-checkout scan", "abandoned_checkout",
          "SELECT count(*) FROM crm_checkout WHERE completed_at IS NULL AND lines_count > 0 "
          "AND last_change >= now() - interval '3 days'")
    timed("win-back selection", "win_back", "SELECT count(*) FROM crm_customer_analytics")


if __name__ == "__main__":
    main()
