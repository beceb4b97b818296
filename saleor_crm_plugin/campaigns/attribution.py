"""What mail brought: an order is credited to the last mail clicked before it, within the attribution window.

An order by a recipient placed within ``attribution_window_days`` after a
click (``clicked ≤ placed < clicked + window``) is credited to the mail
clicked last before it: one credit per order, whichever campaign or
automation step that mail belonged to. Revenue is the order's gross total,
per currency, never added across currencies; only orders that count (the
one counting rule) are credited. Computed when asked, from the stored
clicks (the ESP's and our click links), so a late click event or a
cancelled order changes the figures the next time they are read.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from ..config import get_setting
from ..models.order import counted_sql

CREDITED_SQL = f"""
WITH clicks AS (
    SELECT e.occurred_at AS clicked_at, d.profile_id, d.campaign_id, d.run_id
    FROM crm_delivery_event e JOIN crm_delivery d ON d.id = e.delivery_id
    WHERE e.kind = 'clicked' AND d.profile_id IN ({{recipients}})
), credited AS (
    SELECT DISTINCT ON (o.id) o.id, o.currency, o.total_gross, c.campaign_id, c.run_id
    FROM crm_order o JOIN clicks c ON c.profile_id = o.profile_id
     AND c.clicked_at <= o.placed_at AND o.placed_at < c.clicked_at + make_interval(days => %(window)s)
    WHERE {counted_sql("o")}
    ORDER BY o.id, c.clicked_at DESC, c.run_id DESC NULLS LAST, c.campaign_id DESC NULLS LAST
)
SELECT currency, count(*), sum(total_gross) FROM credited WHERE {{mine}} GROUP BY currency ORDER BY currency
"""


@dataclass(frozen=True)
class Attributed:
    currency: str
    orders: int
    revenue: Decimal


def _credited(recipients: str, mine: str, params: dict) -> list[Attributed]:
    with connection.cursor() as cursor:
        cursor.execute(CREDITED_SQL.format(recipients=recipients, mine=mine),
                       {**params, "window": get_setting("attribution_window_days")})
        return [Attributed(currency, n, revenue) for currency, n, revenue in cursor.fetchall()]


def for_campaign(campaign_id: int) -> list[Attributed]:
    """Orders and revenue per currency credited to the campaign."""
    return _credited("SELECT profile_id FROM crm_delivery WHERE campaign_id = %(campaign)s",
                     "campaign_id = %(campaign)s", {"campaign": campaign_id})


def for_automation_step(automation_id: int, step: int) -> list[Attributed]:
    """Orders and revenue per currency credited to one step of an automation."""
    runs = "SELECT id FROM crm_automation_run WHERE automation_id = %(automation)s AND step = %(step)s"
    return _credited(f"SELECT profile_id FROM crm_delivery WHERE run_id IN ({runs})", f"run_id IN ({runs})",
                     {"automation": automation_id, "step": step})
