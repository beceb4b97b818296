"""Recompute RFM, lifetime value and churn risk for every customer, per currency.

Reads the orders that count (one transaction per customer and day), runs
``analytics`` (pure numpy/scipy) per currency, and replaces the rows of
``crm_customer_analytics`` in one transaction, so readers never see half a
recompute. Runs nightly and after a backfill; ``crm_analytics`` runs it now.
"""

import io
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from ..analytics.rfm import GROUPS, rfm_scores
from ..analytics.summary import DAY, summarize
from ..analytics.value import HORIZONS_DAYS, customer_value
from ..config import get_setting
from ..models.order import readable_counted_sql
from ..db import array_columns_by_range
from ..models import AnalyticsRun
from .metrics import facts_to_skip

logger = logging.getLogger(__name__)

CHUNK = 200_000

DAILY_SQL = """
SELECT coalesce(array_agg(profile_id), '{}'), coalesce(array_agg(day), '{}'), coalesce(array_agg(total), '{}'),
       coalesce(array_agg(orders), '{}')
FROM (
  SELECT profile_id, floor(extract(epoch FROM placed_at) / 86400)::bigint AS day, sum(total_gross)::float8 AS total,
         count(*)::float8 AS orders
  FROM crm_order
  WHERE currency = %s AND NOT (profile_id = ANY(%s)) AND profile_id >= %s AND profile_id < %s
    AND {readable}
  GROUP BY profile_id, day
) daily
""".replace("{readable}", readable_counted_sql(None))

COLUMNS = ("profile_id", "currency", "orders", "revenue", "recency_days", "r_score", "f_score", "m_score",
           "rfm_group", "expected_orders_30", "expected_orders_90", "expected_orders_365", "p_alive", "churn_risk",
           "next_order_at", "expected_order_value", "clv_12m", "method", "confidence", "computed_at")


class AnalyticsCounts(dict):
    """``{currency: customers}``, and ``skipped``: what was left out, ``{reason: count}`` (``facts_to_skip``)."""

    skipped: dict[str, int]


def _daily(currency: str, set_aside: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(min(profile_id), 0), coalesce(max(profile_id), -1) FROM crm_order "
                       "WHERE currency = %s", [currency])
        low, high = cursor.fetchone()
    return array_columns_by_range(DAILY_SQL, [currency, set_aside], low, high, CHUNK, 4)


def compute_currency(profile, day, total, orders, now: datetime) -> tuple[list[tuple], dict]:
    """Rows for ``crm_customer_analytics`` and the run's parameters, for one currency's daily totals and counts."""
    end_day = float(np.floor(now.timestamp() / DAY))
    summary = summarize(profile.astype(np.int64), day.astype(float), total.astype(float), end_day,
                        orders=orders.astype(float))
    if len(summary.customer) == 0:
        return [], {}
    value = customer_value(summary, churn_horizon_days=get_setting("churn_horizon_days"))
    recency = (end_day * DAY - summary.last) / DAY
    r, f, m, group = rfm_scores(recency, summary.orders, summary.monetary_total)
    rows = []
    for i, customer in enumerate(summary.customer.tolist()):
        next_days = value.next_order_days[i]
        rows.append((
            customer, float(recency[i]), int(summary.orders[i]), float(summary.monetary_total[i]),
            int(r[i]), int(f[i]), int(m[i]), GROUPS[group[i]],
            *(float(value.expected_orders[h][i]) for h in HORIZONS_DAYS),
            float(value.p_alive[i]), float(value.churn_risk[i]),
            None if np.isnan(next_days) else now + timedelta(days=float(next_days)),
            float(value.expected_order_value[i]), float(value.clv_12m[i]), value.confidence[i],
        ))
    return rows, {"method": value.method, **value.params}


def recompute_scores(now: datetime | None = None, progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Recompute every customer's analytics; returns ``AnalyticsCounts`` ({currency: customers} and ``skipped``).

    Orders dated outside ``date_range`` and set-aside profiles are left out,
    counted in ``skipped`` and in a warning.
    """
    now = now or timezone.now()
    set_aside, skipped = facts_to_skip()
    if any(skipped.values()):
        logger.warning("CRM analytics skipped: %s", skipped)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT currency FROM crm_order ORDER BY 1")
        currencies = [row[0] for row in cursor.fetchall()]
    buffer = io.StringIO()
    runs, counts = [], AnalyticsCounts()
    counts.skipped = skipped
    for index, currency in enumerate(currencies):
        started = time.perf_counter()
        rows, params = compute_currency(*_daily(currency, set_aside), now)
        counts[currency] = len(rows)
        if rows:
            runs.append(AnalyticsRun(currency=currency, computed_at=now, customers=len(rows),
                                     method=params["method"], params={**params, "seconds": time.perf_counter() - started,
                                                                     "skipped": skipped}))
        method = params.get("method", "")
        for row in rows:
            (customer, recency, orders, revenue, r, f, m, group, e30, e90, e365, alive, churn, next_at, value_, clv,
             confidence) = row
            fields = [customer, currency, orders, f"{revenue:.3f}", f"{recency:.3f}", r, f, m, group,
                      f"{e30:.6f}", f"{e90:.6f}", f"{e365:.6f}", f"{alive:.6f}", f"{churn:.6f}",
                      next_at.isoformat() if next_at else "\\N", f"{value_:.3f}", f"{clv:.3f}", method, confidence,
                      now.isoformat()]
            buffer.write("\t".join(str(v) for v in fields) + "\n")
        if progress:
            progress("analytics", index + 1, len(currencies))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM crm_customer_analytics")
            with cursor.connection.cursor().copy(
                f"COPY crm_customer_analytics ({', '.join(COLUMNS)}) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
        AnalyticsRun.objects.bulk_create(runs)
    return counts
