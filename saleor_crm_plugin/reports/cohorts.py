"""Shop reports: acquisition cohorts × retention, repeat-purchase rate, RFM groups and segments."""

from collections import defaultdict
from datetime import datetime

from django.db import connection

from ..models.order import counted_sql
from ..support.satisfaction import COUNTS, Figures, figures_of

COHORTS_SQL = """
WITH firsts AS (
  SELECT id AS profile_id, date_trunc('month', first_order_at) AS cohort
  FROM crm_customer_profile WHERE erased_at IS NULL AND first_order_at IS NOT NULL AND first_order_at >= %s
), activity AS (
  SELECT DISTINCT o.profile_id, date_trunc('month', o.placed_at) AS month
  FROM crm_order o JOIN firsts f ON f.profile_id = o.profile_id
  WHERE {counted}
)
SELECT f.cohort, (extract(year FROM age(a.month, f.cohort)) * 12 + extract(month FROM age(a.month, f.cohort)))::int,
       count(DISTINCT a.profile_id), (SELECT count(*) FROM firsts g WHERE g.cohort = f.cohort)
FROM firsts f JOIN activity a ON a.profile_id = f.profile_id
GROUP BY 1, 2 ORDER BY 1, 2
""".format(counted=counted_sql("o"))

# Every survey answer of the cohort's customers, whenever given.
COHORT_SATISFACTION_SQL = f"""
SELECT date_trunc('month', p.first_order_at), {COUNTS}
FROM crm_customer_profile p JOIN crm_survey_response r ON r.profile_id = p.id
WHERE p.erased_at IS NULL AND p.first_order_at >= %s
GROUP BY 1
"""

GROUPS_SQL = """
SELECT a.rfm_group, a.currency, count(*), sum(a.revenue), sum(a.clv_12m)
FROM crm_customer_analytics a GROUP BY 1, 2 ORDER BY 1, 2
"""

# What the customer list shows per customer (crm_customer_spend, kept by the fold), summed: it exists from the
# first folded order, while the RFM groups wait for the scores (nightly, or a recompute).
REVENUE_SQL = """
SELECT currency, count(*), sum(order_count), sum(revenue)
FROM crm_customer_spend GROUP BY 1 ORDER BY 1
"""

SEGMENTS_SQL = """
SELECT g.id, g.name, g.member_count, s.currency, count(s.profile_id), sum(s.revenue)
FROM crm_segment g
LEFT JOIN crm_segment_member m ON m.segment_id = g.id
LEFT JOIN crm_customer_spend s ON s.profile_id = m.profile_id
GROUP BY 1, 2, 3, 4 ORDER BY 2, 4
"""


def cohorts(since: datetime) -> list[dict]:
    """Customers acquired each month since ``since``, the share ordering again in each later month, and the
    cohort's satisfaction (every survey answer of its customers: CSAT and NPS ``Figures``)."""
    with connection.cursor() as cursor:
        cursor.execute(COHORTS_SQL, [since])
        rows = cursor.fetchall()
        cursor.execute(COHORT_SATISFACTION_SQL, [since])
        satisfaction = {row[0]: figures_of(*row[1:]) for row in cursor.fetchall()}
    table = {}
    for cohort, offset, active, size in rows:
        entry = table.setdefault(cohort, {"cohort": cohort.date(), "customers": size, "retention": {},
                                          "satisfaction": satisfaction.get(cohort, Figures())})
        entry["retention"][offset] = active / size if size else 0.0
    return [{**entry, "retention": [entry["retention"].get(k, 0.0) for k in range(max(entry["retention"]) + 1)]}
            for entry in table.values()]


def repeat_purchase_rate() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE order_count >= 1), count(*) FILTER (WHERE order_count >= 2) "
                       "FROM crm_customer_profile WHERE erased_at IS NULL")
        buyers, repeaters = cursor.fetchone()
    return {"customers": buyers, "repeat_customers": repeaters, "rate": repeaters / buyers if buyers else 0.0}


def rfm_groups() -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(GROUPS_SQL)
        return [{"group": g, "currency": c, "customers": n, "revenue": r, "clv_12m": v}
                for g, c, n, r, v in cursor.fetchall()]


def revenue_per_currency() -> list[dict]:
    """Customers, counted orders and revenue per currency, as the customer list adds them up (never converted)."""
    with connection.cursor() as cursor:
        cursor.execute(REVENUE_SQL)
        return [{"currency": c, "customers": n, "orders": o, "amount": r} for c, n, o, r in cursor.fetchall()]


def segments() -> list[dict]:
    """Members and revenue per currency of every saved segment."""
    grouped = defaultdict(lambda: {"revenue": []})
    with connection.cursor() as cursor:
        cursor.execute(SEGMENTS_SQL)
        for pk, name, members, currency, customers, revenue in cursor.fetchall():
            entry = grouped[pk]
            entry.update({"id": pk, "name": name, "members": members})
            if currency:
                entry["revenue"].append({"currency": currency, "customers": customers, "amount": revenue})
    return list(grouped.values())
