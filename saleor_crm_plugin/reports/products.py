"""One product's buyers: how many, how many bought it again, its orders, units and revenue per currency."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection

from ..models.order import counted_sql


@dataclass(frozen=True)
class ProductRevenue:
    currency: str
    orders: int
    units: int
    revenue: Decimal


@dataclass(frozen=True)
class ProductInsight:
    product_id: int
    buyers: int
    repeat_buyers: int
    orders: int
    units: int
    first_ordered_at: datetime | None
    last_ordered_at: datetime | None
    revenue: list[ProductRevenue] = field(default_factory=list)

    @property
    def repeat_rate(self) -> float:
        """Share of the product's buyers who ordered it in two or more orders."""
        return self.repeat_buyers / self.buyers if self.buyers else 0.0


# Counted orders only (the one counting rule); a buyer is a profile that is not erased. One order with the
# product on two lines is one order. Reads through crm_order_line_product_idx.
_PER_ORDER = f"""
    SELECT o.id, o.profile_id, o.currency, o.placed_at, sum(l.quantity) AS units, sum(l.total_price) AS revenue
      FROM crm_order_line l JOIN crm_order o ON o.id = l.order_id
     WHERE l.product_id = %s AND {counted_sql('o')}
     GROUP BY o.id
"""

_TOTALS_SQL = f"""
    WITH per_order AS ({_PER_ORDER}),
    per_buyer AS (
        SELECT b.profile_id, count(*) AS orders
          FROM per_order b JOIN crm_customer_profile p ON p.id = b.profile_id AND p.erased_at IS NULL
         GROUP BY b.profile_id
    )
    SELECT (SELECT count(*) FROM per_buyer), (SELECT count(*) FROM per_buyer WHERE orders >= 2),
           count(*), coalesce(sum(units), 0), min(placed_at), max(placed_at)
      FROM per_order
"""

_REVENUE_SQL = f"""
    WITH per_order AS ({_PER_ORDER})
    SELECT currency, count(*), sum(units), sum(revenue) FROM per_order GROUP BY currency ORDER BY currency
"""


def product_insight(product_id: int) -> ProductInsight:
    """The figures of one product over every counted order that has it."""
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL, [product_id])
        buyers, repeat, orders, units, first, last = cursor.fetchone()
        cursor.execute(_REVENUE_SQL, [product_id])
        revenue = [ProductRevenue(currency, n, int(u), r) for currency, n, u, r in cursor.fetchall()]
    return ProductInsight(product_id, buyers, repeat, orders, int(units), first, last, revenue)
