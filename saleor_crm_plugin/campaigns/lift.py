"""A campaign's lift: orders and revenue per recipient, mailed customers against its random holdout.

The holdout (``Campaign.holdout_percent``) is drawn when the audience is
frozen, among the customers who would be mailed (``audience.FREEZE_SQL``),
and never mailed. Both groups are measured over the same period: orders that
count, placed from the campaign's start until ``attribution_window_days``
later, whether or not anybody clicked — the lift is what the mail changed,
not what it was credited with. *Mailed* are the deliveries sent; a customer
who unsubscribed between the freeze and the send drops out of it (a few at
most; the holdout cannot lose anyone that way), and the figures say so.

Orders per recipient add up every currency; revenue per recipient is given
per currency and never added across them. The statistics are
``analytics.lift.compare``'s; until the window has passed the figures are
provisional (``final`` false).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from ..analytics.lift import Comparison, GroupStats, compare
from ..config import get_setting
from ..models import Campaign
from ..models.order import counted_sql

LIFT_SQL = f"""
WITH grp AS (
    SELECT d.profile_id, d.skip_reason = 'holdout' AS held
    FROM crm_delivery d
    WHERE d.campaign_id = %(campaign)s AND (d.state = 'sent' OR (d.state = 'skipped' AND d.skip_reason = 'holdout'))
), bought AS (
    SELECT g.profile_id, g.held, o.currency, count(*) AS orders, sum(o.total_gross) AS revenue
    FROM grp g JOIN crm_order o ON o.profile_id = g.profile_id
    WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s AND {counted_sql("o")}
    GROUP BY g.profile_id, g.held, o.currency
), per_recipient AS (
    SELECT held, sum(orders) AS orders FROM bought GROUP BY profile_id, held
)
SELECT 'size', held, '', count(*), 0, 0 FROM grp GROUP BY held
UNION ALL
SELECT 'orders', held, '', count(*), sum(orders), sum(orders * orders) FROM per_recipient GROUP BY held
UNION ALL
SELECT 'revenue', held, currency, count(*), sum(revenue), sum(revenue * revenue) FROM bought GROUP BY held, currency
"""


@dataclass(frozen=True)
class Group:
    recipients: int
    orders: int
    buyers: int


@dataclass(frozen=True)
class RevenueLift:
    currency: str
    mailed_revenue: Decimal
    holdout_revenue: Decimal
    comparison: Comparison


@dataclass(frozen=True)
class CampaignLift:
    holdout_percent: int
    window_start: datetime | None
    window_end: datetime | None
    final: bool  # the window has passed
    mailed: Group
    holdout: Group
    orders: Comparison  # orders per recipient
    revenue: list[RevenueLift]


def campaign_lift(campaign: Campaign, now: datetime | None = None) -> CampaignLift | None:
    """The lift of ``campaign`` over its holdout; None when it keeps no holdout."""
    if not campaign.holdout_percent:
        return None
    now = now or timezone.now()
    start = campaign.started_at
    end = start + timedelta(days=get_setting("attribution_window_days")) if start else None
    rows = []
    if start is not None:
        with connection.cursor() as cursor:
            cursor.execute(LIFT_SQL, {"campaign": campaign.pk, "start": start, "end": end})
            rows = cursor.fetchall()
    sizes = {held: n for kind, held, _, n, _, _ in rows if kind == "size"}
    orders = {held: (n, total, squares) for kind, held, _, n, total, squares in rows if kind == "orders"}
    revenue: dict[str, dict[bool, tuple]] = {}
    for kind, held, currency, n, total, squares in rows:
        if kind == "revenue":
            revenue.setdefault(currency, {})[held] = (n, total, squares)

    def stats(held: bool, values: dict) -> GroupStats:
        buyers, total, squares = values.get(held, (0, 0, 0))
        return GroupStats(sizes.get(held, 0), buyers, float(total), float(squares))

    def group(held: bool) -> Group:
        buyers, total, _ = orders.get(held, (0, 0, 0))
        return Group(sizes.get(held, 0), int(total), buyers)

    return CampaignLift(
        holdout_percent=campaign.holdout_percent, window_start=start, window_end=end,
        final=end is not None and now >= end, mailed=group(False), holdout=group(True),
        orders=compare(stats(False, orders), stats(True, orders)),
        revenue=[RevenueLift(currency, Decimal(by_group.get(False, (0, 0, 0))[1]),
                             Decimal(by_group.get(True, (0, 0, 0))[1]),
                             compare(stats(False, by_group), stats(True, by_group)))
                 for currency, by_group in sorted(revenue.items())])
