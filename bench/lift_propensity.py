"""The nightly response propensity and a campaign's holdout and lift, at scale, on PostgreSQL.

    python bench/lift_propensity.py [--profiles 200000]

Set-up (not timed, in SQL, seeded): ``--profiles`` customers; 3 orders per
customer on average over two years, skewed (low ids buy more), one line
each in one of 8 categories; every customer subscribed 300 days ago; one
old campaign mailed half of them 200 days ago, with opens (20%) and clicks
(5% of the mails).

Timed:

1. ``compute_propensity`` (load, mail features, training with cross-fitting,
   scoring, writing every score in one transaction): seconds per stage and the
   process's peak resident memory.
2. A campaign to everyone with "the 50% most likely to respond" and a 10%
   holdout: ``start_campaign`` (segments refreshed, audience ranked, holdout
   drawn, one delivery row per customer).
3. ``campaign_lift`` once the mailed rows are marked sent (SQL), with orders
   in the window for a share of both groups.
"""

import argparse
import resource
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import clone, fresh_database  # noqa: E402

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def build(profiles: int) -> None:
    from decimal import Decimal

    from django.db import connection

    from saleor_crm_plugin.models import (
        Campaign, ChannelConsent, ConsentRecord, CRMOrder, CRMOrderLine, CustomerProfile, Delivery, DeliveryEvent,
        EmailTemplate,
    )

    started = time.perf_counter()
    cursor = connection.cursor()
    cursor.execute("SELECT setseed(0.42)")
    seed = CustomerProfile.objects.create(email="seed@example.com", created_at=NOW - timedelta(days=800))
    clone("crm_customer_profile", seed.pk, profiles - 1, {"email": "'c' || g || '@example.com'"})
    first = CRMOrder.objects.create(order_id="seed", profile=seed, channel="default-channel", currency="USD",
                                    total_gross=Decimal(30), placed_at=NOW - timedelta(days=500),
                                    source_updated_at=NOW, version_key="seed")
    clone("crm_order", first.pk, 3 * profiles - 1, {
        "order_id": "'o' || g",
        "profile_id": f"{seed.pk} + floor({profiles} * power(random(), 2))::bigint",
        "total_gross": "round((10 + 90 * random())::numeric, 2)",
        "placed_at": "now() - make_interval(secs => random() * 730 * 86400)"})
    line = CRMOrderLine.objects.create(order=first, category="c0", quantity=1)
    clone("crm_order_line", line.pk, 3 * profiles - 1, {
        "order_id": f"{first.pk} + g", "category": "'c' || (g %% 8)"})
    consent = ChannelConsent.objects.create(profile=seed, channel="default-channel", state="subscribed",
                                            source="import", updated_at=NOW - timedelta(days=300))
    clone("crm_channel_consent", consent.pk, profiles - 1, {"profile_id": f"{seed.pk} + g"})
    record = ConsentRecord.objects.create(profile=seed, channel="default-channel", state="subscribed",
                                          source="import", at=NOW - timedelta(days=300))
    clone("crm_consent_record", record.pk, profiles - 1, {"profile_id": f"{seed.pk} + g"})
    template = EmailTemplate.objects.create(name="Bench", subject="S", body="<p>x</p>", body_format="html")
    old = Campaign.objects.create(name="Old", template=template, channel="default-channel", state="sent")
    mail = Delivery.objects.create(campaign=old, profile=seed, email=seed.email, state="sent",
                                   sent_at=NOW - timedelta(days=200))
    clone("crm_delivery", mail.pk, profiles // 2 - 1, {"profile_id": f"{seed.pk} + 2 * g"})
    event = DeliveryEvent.objects.create(delivery=mail, esp="crm", event_id="seed", kind="opened",
                                         occurred_at=NOW - timedelta(days=199))
    cursor.execute("INSERT INTO crm_delivery_event (delivery_id, esp, event_id, kind, esp_kind, occurred_at, "
                   "received_at, url, description, raw) SELECT d.id, 'crm', CASE WHEN d.id %% 20 = 0 THEN 'c' "
                   "ELSE 'o' END || d.id, CASE WHEN d.id %% 20 = 0 THEN 'clicked' ELSE 'opened' END, '', "
                   "e.occurred_at, e.received_at, '', '', '{}' FROM crm_delivery d, crm_delivery_event e "
                   "WHERE e.id = %s AND d.id <> %s AND d.id %% 5 = 0", [event.pk, mail.pk])
    cursor.execute("UPDATE crm_customer_profile p SET order_count = o.n, last_order_at = o.last, "
                   "first_order_at = o.first FROM (SELECT profile_id, count(*) n, max(placed_at) last, "
                   "min(placed_at) first FROM crm_order GROUP BY 1) o WHERE o.profile_id = p.id")
    cursor.execute("ANALYZE")
    print(f"set-up: {profiles:,} customers, {3 * profiles:,} orders and lines, {profiles // 2:,} old mails "
          f"in {time.perf_counter() - started:.1f} s")


def nightly() -> None:
    from saleor_crm_plugin.profiles.propensity import compute_propensity

    marks = [("start", time.perf_counter())]
    names = ["loading", "training", "scoring", "writing", "done"]
    run = compute_propensity(now=NOW, progress=lambda _, done, total: marks.append((names[done],
                                                                                   time.perf_counter())))
    stages = ", ".join(f"{marks[i][0]} {marks[i + 1][1] - marks[i][1]:.1f} s" for i in range(1, len(marks) - 1))
    total = marks[-1][1] - marks[0][1]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"propensity nightly: {total:.1f} s ({stages}); {run.method}, {run.confidence} confidence, "
          f"{run.customers:,} training customers, {run.scored:,} scored; cross-fitted AUC "
          f"{run.metrics.get('auc', float('nan')):.3f}; peak memory {peak_mb:,.0f} MB")


def campaign(profiles: int) -> None:
    from django.db import connection

    from saleor_crm_plugin.campaigns.lift import campaign_lift
    from saleor_crm_plugin.campaigns.sending import start_campaign
    from saleor_crm_plugin.models import Campaign, EmailTemplate
    from saleor_crm_plugin.segments.membership import save_segment

    everyone = save_segment(name="Everyone", rules={"field": "order_count", "op": "gte", "value": 0})
    news = Campaign.objects.create(name="News", template=EmailTemplate.objects.get(name="Bench"),
                                   channel="default-channel", segment_ids=[everyone.pk], state="scheduled",
                                   scheduled_at=NOW, holdout_percent=10, audience_top_percent=50)
    started = time.perf_counter()
    start_campaign(news.pk, enqueue=False)
    frozen = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT skip_reason, count(*) FROM crm_delivery WHERE campaign_id = %s GROUP BY 1 "
                       "ORDER BY 1", [news.pk])
        split = ", ".join(f"{reason or 'queued'} {n:,}" for reason, n in cursor.fetchall())
        cursor.execute("UPDATE crm_delivery SET state = 'sent', sent_at = now() WHERE campaign_id = %s "
                       "AND state = 'queued'", [news.pk])
        cursor.execute("UPDATE crm_campaign SET state = 'sent', started_at = now() - interval '6 days' "
                       "WHERE id = %s", [news.pk])
        # orders in the window: 8% of the mailed, 6% of the holdout
        cursor.execute("INSERT INTO crm_order (order_id, number, profile_id, email, channel, currency, status, "
                       "total_gross, total_net, lines_count, placed_at, checkout_token, country, source_updated_at, "
                       "version_key, is_paid, is_fulfilled, is_cancelled, is_expired, is_refunded, "
                       "is_fully_refunded) SELECT 'w' || d.id, '', d.profile_id, NULL, 'default-channel', 'USD', "
                       "'', 40, 40, 1, now() - interval '3 days', '', '', now(), 'w', true, false, false, false, "
                       "false, false FROM crm_delivery d WHERE d.campaign_id = %s AND ((d.state = 'sent' AND "
                       "d.id %% 100 < 8) OR (d.skip_reason = 'holdout' AND d.id %% 100 < 6))", [news.pk])
        cursor.execute("ANALYZE crm_order")
    news.refresh_from_db()
    started = time.perf_counter()
    lift = campaign_lift(news)
    lifted = time.perf_counter() - started
    print(f"campaign freeze (top 50%, holdout 10%) of {profiles:,}: {frozen:.2f} s ({split})")
    print(f"campaign lift: {lifted:.3f} s; mailed {lift.mailed.recipients:,} / holdout {lift.holdout.recipients:,}; "
          f"orders per recipient {lift.orders.mailed_mean:.4f} vs {lift.orders.holdout_mean:.4f}, difference "
          f"{lift.orders.difference.estimate:+.4f} [{lift.orders.difference.low:+.4f}, "
          f"{lift.orders.difference.high:+.4f}], {lift.orders.verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=200_000)
    args = parser.parse_args()
    fresh_database("crm_bench_lift")
    build(args.profiles)
    nightly()
    campaign(args.profiles)


if __name__ == "__main__":
    main()
