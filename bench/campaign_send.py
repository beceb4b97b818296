"""Campaign sending benchmark: 100,000 recipients, each mail with their own recommendations block.

    python bench/campaign_send.py [--recipients 100000] [--workers 2] [--batch 200] [--database NAME]

Target (issue #11): every mail rendered (MJML template compiled once, then
Handlebars per recipient: greeting, last order, four recommended products
with image, price and link, unsubscribe link) and handed to the email
backend in < 30 s on 2 cores, with RSS growth < 200 MB per sending process.

Set-up (not timed): a fresh database with the recipients stored as the fold
stores them, consent in the channel, 200 products, 3,000 folded orders and
the recommendation models trained on them (so recommendations come from
the trained model for buyers, best-sellers for the rest). Timed: the
campaign's start (segment refresh, template compiled, audience frozen into
one delivery row per recipient) and the sending, which runs the production
path (``campaigns.sending.send_campaign``: claim a batch, re-check consent,
suppression and frequency cap in SQL, build contexts, render, hand to the
backend, record the outcome) in ``--workers`` processes at once, as Celery
workers would. The backend takes each message and drops it (an ESP backend
would post it); with ``--mime`` it first serializes it to MIME bytes with
Python's email package, as Django's SMTP backend does, which costs more than
everything else together.
"""

import argparse
import multiprocessing
import os
import resource
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402

from bench._db import fresh_database  # noqa: E402

NOW = datetime.now(timezone.utc)
PRODUCTS = 200
ORDERS = 3000
TEMPLATE = """<mjml><mj-head><mj-preview>{{customer.greeting_name}}, picked for you</mj-preview></mj-head><mj-body>
<mj-section><mj-column>
<mj-text font-size="20px">Hello {{default customer.first_name "there"}},</mj-text>
{{#if last_order}}<mj-text>Thanks for order #{{last_order.number}} ({{last_order.total}}).</mj-text>{{/if}}
</mj-column></mj-section>
<mj-raw>{{#each recommendations}}</mj-raw>
<mj-section><mj-column width="35%"><mj-image src="{{image_url}}" alt="{{name}}" /></mj-column>
<mj-column width="65%"><mj-text><a href="{{url}}">{{name}}</a><br/>{{price}}</mj-text>
<mj-button href="{{url}}">Shop now</mj-button></mj-column></mj-section>
<mj-raw>{{/each}}</mj-raw>
<mj-section><mj-column><mj-text font-size="11px"><a href="{{unsubscribe_url}}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>"""


class DiscardingBackend(BaseEmailBackend):
    """Takes each message and drops it, as an ESP backend would after posting it (no network here)."""

    def send_messages(self, email_messages):
        return len(email_messages)


class SerializingBackend(DiscardingBackend):
    """Also turns each message into MIME bytes first, as Django's SMTP backend does (--mime)."""

    def send_messages(self, email_messages):
        for message in email_messages:
            message.message().as_bytes()
        return len(email_messages)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def setup(recipients: int) -> int:
    """The shop and a scheduled campaign to ``recipients`` subscribed customers; returns the campaign id."""
    from django.db import connection

    from saleor_crm_plugin.events.fold import process_pending
    from saleor_crm_plugin.events.outbox import record
    from saleor_crm_plugin.models import Campaign, CampaignState, EmailTemplate
    from saleor_crm_plugin.normalized.schema import Customer, Line, OrderEvent, ProductEvent
    from saleor_crm_plugin.recommendations.training import train_models
    from saleor_crm_plugin.segments.membership import save_segment

    started = time.perf_counter()
    for p in range(1, PRODUCTS + 1):
        record(ProductEvent(kind="product.updated", occurred_at=NOW, updated_at=NOW, product_id=p, name=f"Record {p}",
                            slug=f"record-{p}", image_url=f"https://cdn.example.com/records/{p}.jpg",
                            category=f"Genre {p % 12}", channel_listings=(
                                {"channel": "default-channel", "is_published": True, "currency": "USD",
                                 "price_amount": f"{10 + p % 30}.99"},)), source="bench")
    with connection.cursor() as cursor, cursor.connection.cursor() as raw:
        with raw.copy("COPY crm_customer_profile (id, email, first_name, last_name, order_count, placed_count, "
                      "cancelled_count, refunded_count, favourite_categories, favourite_products, channels, "
                      "open_checkouts, abandoned_checkouts, is_active, created_at, updated_at) FROM STDIN") as copy:
            copy.write("".join(f"{i}\tfan{i}@example.com\t{'' if i % 7 == 0 else f'Fan{i}'}\tLee\t0\t0\t0\t0\t[]\t[]\t"
                               f"[]\t0\t0\tt\t{NOW.isoformat()}\t{NOW.isoformat()}\n" for i in range(1, recipients + 1)))
        with raw.copy("COPY crm_channel_consent (profile_id, channel, state, source, updated_at) FROM STDIN") as copy:
            copy.write("".join(f"{i}\tdefault-channel\tsubscribed\timport\t{NOW.isoformat()}\n"
                               for i in range(1, recipients + 1)))
        cursor.execute("SELECT setval('crm_customer_profile_id_seq', %s)", [recipients])
        cursor.execute("ANALYZE crm_customer_profile, crm_channel_consent")  # as autovacuum would after a load
    for n in range(ORDERS):
        customer = 1 + (n * 7919) % min(recipients, 1500)
        lines = tuple(Line(quantity=1, product_id=1 + (customer * k + n) % PRODUCTS, variant_id="v",
                           product_name=f"Record {1 + (customer * k + n) % PRODUCTS}", category="Vinyl",
                           unit_price=Decimal("19.99"), total_price=Decimal("19.99")) for k in (1, 3))
        at = NOW - timedelta(days=1 + n % 300)
        record(OrderEvent(kind="order.created", occurred_at=at, order_id=f"o{n}", number=str(n),
                          customer=Customer(email=f"fan{customer}@example.com"), channel="default-channel",
                          currency="USD", status="fulfilled", total_gross=Decimal("39.98"),
                          total_net=Decimal("39.98"), lines=lines, placed_at=at, updated_at=at), source="bench")
    process_pending()
    train_models(evaluate=False)
    segment = save_segment(name="Everyone", rules={"field": "order_count", "op": "gte", "value": 0})
    template = EmailTemplate.objects.create(name="Picked for you", subject="{{customer.greeting_name}}, new records",
                                            body=TEMPLATE)
    campaign = Campaign.objects.create(name="Bench", template=template, channel="default-channel",
                                       segment_ids=[segment.pk], state=CampaignState.SCHEDULED, scheduled_at=NOW)
    print(f"set-up: {recipients:,} subscribed customers, {PRODUCTS} products, {ORDERS:,} orders, models trained "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    return campaign.pk


def send_worker(campaign_id: int, results) -> None:
    """One sending process: what a Celery worker runs for the campaign's task."""
    from django.db import connection

    from saleor_crm_plugin.campaigns.sending import send_campaign

    before = rss_mb()
    report = send_campaign(campaign_id, time_budget=3600)
    results.put({"sent": report.sent, "failed": report.failed, "errors": report.errors[:3], "rss_before": before,
                 "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--mime", action="store_true", help="serialize every message to MIME (SMTP's cost)")
    parser.add_argument("--database", default="crm_bench_campaign",
                        help="the database created afresh for the run (dropped first if it exists)")
    args = parser.parse_args()
    os.environ["SALEOR_CRM_SEND_BATCH_SIZE"] = str(args.batch)
    os.environ["SALEOR_CRM_SEND_RATE_PER_MINUTE"] = str(10**6)
    os.environ["SALEOR_CRM_FREQUENCY_CAP_COUNT"] = "0"
    os.environ["SALEOR_CRM_PUBLIC_URL"] = "https://shop.example.com"
    os.environ["SALEOR_CRM_STOREFRONT_PRODUCT_URL"] = "https://shop.example.com/{channel}/products/{slug}"
    os.environ["SALEOR_CRM_FROM_EMAIL"] = "news@shop.example.com"
    os.environ["EMAIL_BACKEND"] = f"bench.campaign_send.{'Serializing' if args.mime else 'Discarding'}Backend"
    os.environ["SALEOR_CRM_AUTO_TRAIN"] = "0"
    fresh_database(args.database)
    from django.db import connections

    from saleor_crm_plugin.campaigns import sending
    from saleor_crm_plugin.models import Campaign

    campaign_id = setup(args.recipients)
    started = time.perf_counter()
    sending._send_later = lambda *a, **k: None  # the benchmark runs the sending processes itself
    sending.start_campaign(campaign_id)
    frozen = time.perf_counter() - started
    print(f"start (segment refresh, template compiled, {args.recipients:,} deliveries frozen): {frozen:.1f} s", flush=True)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    started = time.perf_counter()
    processes = [context.Process(target=send_worker, args=(campaign_id, results)) for _ in range(args.workers)]
    for process in processes:
        process.start()
    reports = [results.get(timeout=3600) for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    sent = sum(r["sent"] for r in reports)
    state = Campaign.objects.get(pk=campaign_id).state
    print(f"sent: {sent:,} of {args.recipients:,} mails in {elapsed:.1f} s with {args.workers} processes "
          f"= {sent / elapsed:,.0f} recipients/s (target: 100,000 in < 30 s); campaign {state}"
          + ("; MIME serialized" if args.mime else ""))
    for i, r in enumerate(reports):
        print(f"process {i + 1}: {r['sent']:,} sent, {r['failed']} failed; RSS {r['rss_before']:.0f} MB at start, "
              f"peak {r['rss_peak']:.0f} MB (growth {r['rss_peak'] - r['rss_before']:.0f} MB; target < 200 MB)"
              + (f"; errors: {r['errors']}" if r["errors"] else ""))


if __name__ == "__main__":
    main()
