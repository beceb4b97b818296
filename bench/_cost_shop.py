"""The 1M-customer shop of ``bench/graphql_cost.py``: ``bench/analytics.py``'s customers and orders, plus what
the staff API reads about them (set-up, not timed).

``bench/analytics.py`` stores 1,000,000 profiles and ~5.3M orders (one line each, no line rows, no events).
On top of them, in SQL:

* order lines: 1 or 2 per order (~8M), products 1–5,000 skewed like a real catalogue (``u ** 2.5``: product 1
  is on ~3% of the lines, the top 100 on ~21%), 25 categories; product snapshots with names;
* one processed ``order.created`` event per order (the timeline), a second ``order.fulfilled`` one per order of
  customers with 20 orders or more;
* survey answers: CSAT on every 5th order, NPS on every 7th;
* for the 20,000 customers with the most orders (the first pages of the customer list): 2 service requests of
  3 messages each, 5 automation runs, 2 abandoned checkouts; 3 notes for the first 1,000;
* the scores (``recompute_scores``), predefined RFM segments and one saved segment with their members (no
  trained recommendation version: see ``build``).
"""

import time

from bench._db import existing_database, fresh_database

PRODUCTS = 5_000
CATEGORIES = 25
HEAVY = 20_000  # customers with service requests, automation runs and checkouts
MARKER = "bench: graphql cost shop"  # the saved segment whose presence says the shop is complete


def open_shop(database: str, customers: int, *, rebuild: bool = False) -> None:
    """Point Django at ``database``: the shop built earlier when it is complete, else built afresh."""
    if not rebuild and existing_database(database):
        from saleor_crm_plugin.models import CustomerProfile, Segment

        if Segment.objects.filter(name=MARKER).exists() and CustomerProfile.objects.count() == customers:
            print(f"reusing {database}: {customers:,} customers", flush=True)
            return
        from django.db import connections

        connections.close_all()  # the database is dropped under this connection
    fresh_database(database)
    build(customers)


def _step(label: str, sql: str, params=None) -> None:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = cursor.rowcount
    print(f"  {label}: {count:,} rows in {time.perf_counter() - start:.0f} s", flush=True)


def build(customers: int) -> None:
    """Store the shop in the (empty, migrated) database Django points at."""
    from django.db import connection

    from bench.analytics import NOW, store
    from saleor_crm_plugin.models import Segment
    from saleor_crm_plugin.profiles.scores import recompute_scores
    from saleor_crm_plugin.segments.membership import refresh_all

    started = time.perf_counter()
    orders = store(customers)
    print(f"  {customers:,} customers and {orders:,} orders (bench/analytics.py) in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
    _step("order lines", f"""
        INSERT INTO crm_order_line (order_id, line_id, product_id, variant_id, product_name, variant_name, sku,
                                    category, quantity, unit_price, total_price)
        SELECT o.id, '', l.product_id, 'v' || l.product_id, 'Product ' || l.product_id, '', '',
               'Category ' || (l.product_id % {CATEGORIES}), 1, o.total_gross, o.total_gross
        FROM crm_order o CROSS JOIN LATERAL (
            SELECT 1 + floor({PRODUCTS} * power(random(), 2.5))::bigint + 0 * o.id AS product_id
            FROM generate_series(1, 1 + (o.id % 2)::int)) l""")
    _step("product snapshots", f"""
        INSERT INTO crm_product_snapshot (product_id, name, slug, description_text, image_url, category,
                                          product_type, attributes, channel_listings, variants, is_deleted,
                                          source_updated_at, version_key)
        SELECT g, 'Product ' || g, 'product-' || g, '', '', 'Category ' || (g %% {CATEGORIES}), 'Goods', '{{}}',
               ('[{{"channel": "web", "is_published": true, "price_amount": "' || (5 + g %% 95) || '.99", '
                '"currency": "USD"}}]')::jsonb, '[]', false, %s, 'bench'
        FROM generate_series(1, {PRODUCTS}) g""", [NOW])
    payload = """jsonb_build_object(
            'kind', %s, 'type', 'order', 'occurred_at', o.placed_at, 'order_id', o.order_id,
            'customer', jsonb_build_object('user_id', NULL, 'email', 'c' || o.profile_id || '@example.com',
                                           'first_name', '', 'last_name', '', 'erased', false),
            'currency', o.currency, 'placed_at', o.placed_at, 'updated_at', o.placed_at, 'number', o.number,
            'channel', o.channel, 'status', 'fulfilled', 'total_gross', o.total_gross::text,
            'total_net', o.total_net::text, 'checkout_token', '', 'country', '',
            'lines', (SELECT jsonb_agg(jsonb_build_object(
                'quantity', l.quantity, 'product_id', l.product_id, 'variant_id', l.variant_id,
                'product_name', l.product_name, 'variant_name', '', 'sku', '', 'category', l.category,
                'unit_price', l.unit_price::text, 'total_price', l.total_price::text, 'line_id', ''))
                FROM crm_order_line l WHERE l.order_id = o.id))"""
    for kind, where in (("order.created", "TRUE"),
                        ("order.fulfilled", "o.profile_id IN (SELECT id FROM crm_customer_profile "
                                            "WHERE order_count >= 20)")):
        _step(f"{kind} events", f"""
            INSERT INTO crm_event (dedupe_key, kind, source, occurred_at, payload, status, attempts, error_code,
                                   error_message, profile_id, created_at, processed_at)
            SELECT md5(%s || o.order_id) || md5(o.order_id), %s, 'bench',
                   o.placed_at + CASE WHEN %s = 'order.created' THEN interval '0' ELSE interval '2 days' END,
                   {payload}, 'processed', 0, '', '', o.profile_id, %s, %s
            FROM crm_order o WHERE {where}""", [kind, kind, kind, kind, NOW, NOW])
    for kind, every, score in (("csat", 5, "1 + (o.id % 5)"), ("nps", 7, "o.id % 11")):
        _step(f"{kind} answers", f"""
            INSERT INTO crm_survey_response (profile_id, kind, score, comment, order_id, channel, key, answered_at)
            SELECT o.profile_id, '{kind}', {score}, CASE WHEN o.id % 3 = 0 THEN 'Quick delivery, well packed.'
                   ELSE '' END, o.order_id, o.channel, '{kind}:' || o.order_id, o.placed_at + interval '3 days'
            FROM crm_order o WHERE o.id % {every} = 0""")
    heavy = f"(SELECT id, last_order_at FROM crm_customer_profile ORDER BY order_count DESC, id DESC LIMIT {HEAVY})"
    _step("service requests", f"""
        INSERT INTO crm_service_request (profile_id, email, channel, order_id, order_number, kind, subject, status,
                                         created_at, last_message_at, closed_by)
        SELECT h.id, 'c' || h.id || '@example.com', 'web', '', '', k.kind, 'Where is my parcel?', 'answered',
               h.last_order_at - k.days * interval '1 day', h.last_order_at, ''
        FROM {heavy} h CROSS JOIN (VALUES ('question', 3), ('complaint', 30)) k(kind, days)""")
    _step("service messages", """
        INSERT INTO crm_service_message (request_id, direction, via, body, author, message_id, in_reply_to,
                                         "references", state, error, created_at)
        SELECT r.id, m.direction, m.via, m.body, m.author, '<' || r.id || '.' || m.n || '@bench>', '', '',
               m.state, '', r.created_at + m.n * interval '1 hour'
        FROM crm_service_request r CROSS JOIN (VALUES
            (0, 'inbound', 'storefront', 'My order has not arrived yet, could you look into it please?', '',
             'received'),
            (1, 'outbound', 'staff', 'It left our warehouse yesterday; here is the tracking link.',
             'staff@example.com', 'sent'),
            (2, 'inbound', 'link', 'Thank you, it arrived today.', '', 'received')
        ) m(n, direction, via, body, author, state)""")
    _step("automation runs", f"""
        INSERT INTO crm_automation_run (automation_id, step, trigger_key, profile_id, channel, due_at, state, reason,
                                        context, created_at, finished_at)
        SELECT a.id, 1, 'bench:' || h.id || ':' || a.kind, h.id, 'web', h.last_order_at + interval '1 day',
               'skipped', 'no_consent', '{{}}', h.last_order_at, h.last_order_at + interval '1 day'
        FROM {heavy} h CROSS JOIN crm_automation a""")
    _step("abandoned checkouts", f"""
        INSERT INTO crm_checkout (token, profile_id, email, channel, currency, total_gross, lines, lines_count,
                                  started_at, last_change, version_key, is_paid, abandoned_at)
        SELECT 'bench-' || h.id || '-' || n, h.id, 'c' || h.id || '@example.com', 'web', 'USD', 42.5, '[]', 2,
               h.last_order_at - n * interval '5 days', h.last_order_at - n * interval '5 days', 'b', false,
               h.last_order_at - n * interval '4 days'
        FROM {heavy} h CROSS JOIN generate_series(1, 2) n""")
    _step("notes", f"""
        INSERT INTO crm_customer_note (profile_id, text, author_email, created_at)
        SELECT h.id, 'Prefers delivery on Saturdays; called about a missing item.', 'staff@example.com',
               h.last_order_at - n * interval '1 day'
        FROM (SELECT * FROM {heavy} h LIMIT 1000) h CROSS JOIN generate_series(1, 3) n""")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    recompute_scores(now=NOW)
    print(f"  scores in {time.perf_counter() - started:.0f} s", flush=True)
    Segment.objects.create(name="Category 3 regulars", rules={"and": [
        {"field": "order_count", "op": "gte", "value": 3},
        {"field": "category_bought", "op": "includes", "value": ["Category 3"]}]})
    started = time.perf_counter()
    refresh_all(now=NOW)
    print(f"  segment membership in {time.perf_counter() - started:.0f} s", flush=True)
    # No trained recommendation version: on this shop train_models() fails writing its bundle (over 1 GB,
    # PostgreSQL's limit for one value), so recommendations are served from best-sellers here.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    # last: a shop without it is rebuilt
    Segment.objects.create(name=MARKER, rules={"field": "order_count", "op": "gte", "value": 1000})
