"""Profile metrics, derived from the order and checkout facts.

Every metric is recomputed from ``crm_order``/``crm_checkout`` for the
profiles a fold touched, never incremented, so folding the same events again
or in another order gives the same numbers.

Counting rules: an order *counts* (orders, revenue, first/last order, mean
gap, favourites) unless it was cancelled, expired or fully refunded.
``placed_count`` counts every order; ``refunded_count`` counts orders with any
refund. Revenue is the order's gross total, per currency.

A profile whose recompute fails (facts stored before validation was strict,
say) is set aside with a code and reason on the profile, like a rejected
event, and never stops the others; its next successful recompute clears it.
"""

import json
import logging
import traceback
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from ..config import get_setting
from ..date_range import in_range_sql
from ..models.order import counted_sql
from ..error_codes import EventErrorCode
from ..db import binding_cursor, bulk_set, take_fold_lock
from ..segments.membership import refresh_for_profiles

logger = logging.getLogger(__name__)

COUNTS = counted_sql("o")

ORDER_TOTALS_SQL = f"""
SELECT o.profile_id, count(*),
       count(*) FILTER (WHERE o.is_cancelled),
       count(*) FILTER (WHERE o.is_refunded OR o.is_fully_refunded),
       count(*) FILTER (WHERE {COUNTS}),
       min(o.placed_at) FILTER (WHERE {COUNTS}),
       max(o.placed_at) FILTER (WHERE {COUNTS}),
       array_agg(DISTINCT o.channel) FILTER (WHERE o.channel <> ''),
       (array_agg(o.country ORDER BY o.placed_at DESC) FILTER (WHERE {COUNTS} AND o.country <> ''))[1]
FROM crm_order o WHERE o.profile_id = ANY(%b) GROUP BY o.profile_id
"""
SPEND_SQL = f"""
SELECT o.profile_id, o.currency, count(*), sum(o.total_gross)
FROM crm_order o WHERE o.profile_id = ANY(%b) AND {COUNTS}
GROUP BY o.profile_id, o.currency
"""
# Top-N products and categories per profile from one scan of the lines
# (the CTE is materialized once), ranked in SQL so only N rows come back.
FAVOURITES_SQL = f"""
WITH bought AS MATERIALIZED (
  SELECT o.profile_id, o.id AS order_id, l.product_id, l.product_name, l.category, l.quantity
  FROM crm_order o JOIN crm_order_line l ON l.order_id = o.id
  WHERE o.profile_id = ANY(%b) AND {COUNTS}
), products AS (
  SELECT profile_id, product_id, max(product_name) AS name, sum(quantity) AS quantity,
         count(DISTINCT order_id) AS orders,
         row_number() OVER (PARTITION BY profile_id
             ORDER BY sum(quantity) DESC, count(DISTINCT order_id) DESC, product_id) AS rank
  FROM bought WHERE product_id IS NOT NULL GROUP BY profile_id, product_id
), categories AS (
  SELECT profile_id, category, sum(quantity) AS quantity,
         row_number() OVER (PARTITION BY profile_id ORDER BY sum(quantity) DESC, category) AS rank
  FROM bought WHERE category <> '' GROUP BY profile_id, category
)
SELECT 'product', profile_id, product_id, name, quantity, orders FROM products WHERE rank <= %s
UNION ALL
SELECT 'category', profile_id, NULL, category, quantity, NULL FROM categories WHERE rank <= %s
"""
CHECKOUTS_SQL = """
SELECT c.profile_id,
       count(*) FILTER (WHERE c.last_change >= %s),
       count(*) FILTER (WHERE c.last_change < %s)
FROM crm_checkout c
WHERE c.profile_id = ANY(%b) AND c.completed_at IS NULL AND c.lines_count > 0
GROUP BY c.profile_id
"""
# A successful recompute clears a previous set-aside (see ``set_aside``).
CLEAR_RECOMPUTE_ERROR = "recompute_error_code = NULL, recompute_error = NULL, recompute_failed_at = NULL"
# The phone is the newest order's that has one (crm_order_profile_idx, backwards), else the one the profile
# has (from the account's default address, profiles written by the fold).
NEWEST_PHONE = ("phone = COALESCE((SELECT o.phone FROM crm_order o WHERE o.profile_id = s.id AND o.phone <> '' "
                "ORDER BY o.placed_at DESC LIMIT 1), crm_customer_profile.phone)")
PROFILE_COLUMNS = [
    "id", "placed_count", "cancelled_count", "refunded_count", "order_count", "first_order_at",
    "last_order_at", "mean_days_between_orders", "channels", "favourite_products",
    "favourite_categories", "open_checkouts", "abandoned_checkouts", "country", "updated_at",
]


def facts_to_skip() -> tuple[list[int], dict[str, int]]:
    """What readers of all order facts (training, analytics) leave out, and how much.

    Returns the ids of set-aside profiles (``set_aside``) and
    ``{"out_of_range_dates": orders, "set_aside_profiles": profiles}``:
    orders whose date is outside ``date_range`` (stored before it was
    enforced) would break date arithmetic, and a set-aside profile's facts
    are what its recompute failed on.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM crm_customer_profile WHERE recompute_error_code IS NOT NULL ORDER BY id")
        set_aside_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT count(*) FROM crm_order WHERE NOT {in_range_sql('placed_at')}")  # noqa: S608
        out_of_range = cursor.fetchone()[0]
    return set_aside_ids, {"out_of_range_dates": out_of_range, "set_aside_profiles": len(set_aside_ids)}


def abandoned_cutoff(now: datetime) -> datetime:
    """Checkouts idle since before this moment are abandoned."""
    return now - timedelta(minutes=get_setting("abandoned_checkout_minutes"))


def mean_days_between(first: datetime | None, last: datetime | None, count: int) -> float | None:
    """Mean gap between consecutive counted orders, in days (None below 2 orders)."""
    if count < 2 or first is None or last is None:
        return None
    return round((last - first).total_seconds() / 86400 / (count - 1), 4)


def mark_dirty(profile_ids) -> None:
    """Queue profiles for recomputation (in the caller's transaction)."""
    ids = sorted({int(pid) for pid in profile_ids if pid is not None})
    if ids:
        with binding_cursor() as cursor:
            cursor.execute(
                "INSERT INTO crm_dirty_profile (profile_id) SELECT unnest(%b::bigint[]) ON CONFLICT DO NOTHING",
                [ids],
            )


def recompute_marked(chunk: int = 2000, now: datetime | None = None) -> int:
    """Recompute queued profiles, one locked transaction per chunk; return how many."""
    done = 0
    while True:
        with transaction.atomic():
            take_fold_lock()
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM crm_dirty_profile WHERE profile_id IN (SELECT profile_id FROM "
                    "crm_dirty_profile ORDER BY profile_id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING profile_id",
                    [chunk],
                )
                ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return done
            # A profile whose recompute fails is set aside (and its dirty mark
            # stays deleted), so one bad profile never stops the others, nor
            # every later drain of the outbox.
            recomputed = recompute_isolating(ids, now=now)
            refresh_for_profiles(recomputed, now=now)  # saved segments follow their members' new figures
        done += len(recomputed)


def recompute_isolating(profile_ids, now: datetime | None = None) -> list[int]:
    """Recompute the given profiles, setting aside any whose recompute fails; return the recomputed ids.

    All of them are tried in one savepoint first; when that fails, the ids
    are halved until each failing profile stands alone (a few savepoints for
    one culprit among thousands, not one per profile). Each culprit is set
    aside with code ``fold_error``, the error as reason and a warning logged;
    no exception escapes for a profile's data.
    """
    pending = [sorted({int(pid) for pid in profile_ids if pid is not None})]
    recomputed, failed = [], {}
    while pending:
        part = pending.pop()
        if not part:
            continue
        try:
            with transaction.atomic():  # a savepoint inside the caller's transaction
                recompute_profiles(part, now=now)
            recomputed += part
        except Exception as error:  # noqa: BLE001 - isolate the failing profile, keep the rest moving
            if len(part) == 1:
                failed[part[0]] = error
            else:
                middle = len(part) // 2
                pending += [part[middle:], part[:middle]]
    if failed:
        set_aside(failed, now=now)
    return sorted(recomputed)


def set_aside(errors: dict[int, BaseException], now: datetime | None = None) -> None:
    """Record why these profiles could not be recomputed (one warning each); their figures stay as they were."""
    now = now or timezone.now()
    code = EventErrorCode.FOLD_ERROR.value
    rows = []
    for profile_id, error in sorted(errors.items()):
        reason = "".join(traceback.format_exception_only(error)).strip()[:2000]
        logger.warning("CRM profile %s set aside: its metrics could not be recomputed: %s [%s]",
                       profile_id, reason, code)
        rows.append((profile_id, code, reason, now))
    bulk_set("crm_customer_profile", ["id", "recompute_error_code", "recompute_error", "recompute_failed_at"], rows)


def recompute_profiles(profile_ids, now: datetime | None = None) -> int:
    """Recompute every metric of the given profiles; return how many were updated."""
    ids = sorted({int(pid) for pid in profile_ids if pid is not None})
    if not ids:
        return 0
    now = now or timezone.now()
    limit = get_setting("favourite_limit")
    cutoff = abandoned_cutoff(now)
    totals, spend = {}, defaultdict(list)
    products, categories = defaultdict(list), defaultdict(list)
    checkouts = {}
    with binding_cursor() as cursor:  # binary array parameters
        cursor.execute(ORDER_TOTALS_SQL, [ids])
        for row in cursor.fetchall():
            totals[row[0]] = row[1:]
        cursor.execute(SPEND_SQL, [ids])
        for profile_id, currency, count, revenue in cursor.fetchall():
            spend[profile_id].append((currency, count, revenue))
        cursor.execute(FAVOURITES_SQL, [ids, limit, limit])
        for kind, profile_id, product_id, name, quantity, orders in cursor.fetchall():
            if kind == "product":
                products[profile_id].append(
                    {"product_id": product_id, "name": name, "quantity": int(quantity), "orders": orders}
                )
            else:
                categories[profile_id].append({"category": name, "quantity": int(quantity)})
        cursor.execute(CHECKOUTS_SQL, [cutoff, cutoff, ids])
        for profile_id, open_count, abandoned in cursor.fetchall():
            checkouts[profile_id] = (open_count, abandoned)

    rows = []
    for pid in ids:
        placed, cancelled, refunded, counted, first, last, channels, country = totals.get(
            pid, (0, 0, 0, 0, None, None, None, None)
        )
        open_count, abandoned = checkouts.get(pid, (0, 0))
        rows.append((
            pid, placed, cancelled, refunded, counted, first, last,
            mean_days_between(first, last, counted), json.dumps(sorted(channels or [])),
            json.dumps(sorted(products.get(pid, []), key=lambda p: (-p["quantity"], -p["orders"], p["product_id"]))),
            json.dumps(sorted(categories.get(pid, []), key=lambda c: (-c["quantity"], c["category"]))),
            open_count, abandoned, country or "", now,
        ))
    bulk_set("crm_customer_profile", PROFILE_COLUMNS, rows, extra=f"{CLEAR_RECOMPUTE_ERROR}, {NEWEST_PHONE}")

    with binding_cursor() as cursor:
        cursor.execute("DELETE FROM crm_customer_spend WHERE profile_id = ANY(%b)", [ids])
        spend_rows = [
            (pid, currency, count, revenue, (Decimal(revenue) / count).quantize(Decimal("0.001")))
            for pid, items in spend.items()
            for currency, count, revenue in items
        ]
        if spend_rows:
            cursor.execute(
                "INSERT INTO crm_customer_spend (profile_id, currency, order_count, revenue, average_order_value) "
                "SELECT * FROM unnest(%b::bigint[], %b::text[], %b::int[], %b::numeric[], %b::numeric[])",
                [list(column) for column in zip(*spend_rows)],
            )
    return len(rows)
