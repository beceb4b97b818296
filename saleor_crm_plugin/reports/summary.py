"""Shop-wide profile summary (the demo's printout, later the dashboard's header)."""

from django.db import connection
from django.db.models import Count, Q

from ..models import CRMEvent, CRMOrder, CustomerProfile
from .wording import count_of

ORDER_BUCKETS = [(1, 1), (2, 3), (4, 5), (6, 10), (11, 20), (21, 50), (51, None)]


def profile_summary(top: int = 10) -> dict:
    """Customers, orders, repeat rate, order-count distribution and top customers."""
    profiles = CustomerProfile.objects.filter(erased_at__isnull=True)
    buyers = profiles.filter(order_count__gte=1)
    customers = buyers.count()
    repeat = buyers.filter(order_count__gte=2).count()
    distribution = []
    for low, high in ORDER_BUCKETS:
        query = Q(order_count__gte=low) & (Q(order_count__lte=high) if high else Q())
        label = f"{low}" if low == high else (f"{low}-{high}" if high else f"{low}+")
        distribution.append((label, buyers.filter(query).count()))
    top_customers = [
        {
            "customer": p.email or f"user {p.user_id}",
            "orders": p.order_count,
            "first_order": p.first_order_at,
            "last_order": p.last_order_at,
            "mean_days_between_orders": p.mean_days_between_orders,
            "favourite": (p.favourite_products[0]["name"] if p.favourite_products else ""),
        }
        for p in buyers.order_by("-order_count", "pk")[:top]
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT currency, count(*), sum(revenue), sum(order_count) FROM crm_customer_spend "
            "GROUP BY currency ORDER BY currency"
        )
        spend = [
            {"currency": c, "customers": n, "revenue": r, "orders": o} for c, n, r, o in cursor.fetchall()
        ]
    events = dict(CRMEvent.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "customers": customers,
        "profiles": profiles.count(),
        "orders": CRMOrder.objects.count(),
        "counted_orders": sum(p for p in buyers.values_list("order_count", flat=True)),
        "repeat_customers": repeat,
        "repeat_rate": repeat / customers if customers else 0.0,
        "distribution": distribution,
        "top_customers": top_customers,
        "spend": spend,
        "events": events,
    }


def format_summary(summary: dict) -> str:
    """The summary as a plain-text report."""
    out = [
        "CRM profile summary",
        "===================",
        f"Customers with orders : {summary['customers']:,}",
        f"Orders                : {summary['orders']:,}",
        f"Repeat customers      : {summary['repeat_customers']:,} "
        f"(repeat rate {summary['repeat_rate']:.1%})",
        "Events                : "
        + (", ".join(f"{v:,} {k}" for k, v in sorted(summary["events"].items())) or "none yet"),
        "",
        "Orders per customer",
    ]
    width = max((n for _, n in summary["distribution"]), default=1) or 1
    for label, count in summary["distribution"]:
        unit = "order " if label == "1" else "orders"
        out.append(f"  {label:>6} {unit} : {count:5d} {'#' * round(40 * count / width)}")
    out += ["", "Spend per currency"]
    for row in summary["spend"]:
        revenue = f"revenue {row['revenue']:,.2f}" if row["revenue"] else "no prices in the data"
        out.append(f"  {row['currency']}: {count_of(row['orders'], 'order')}, {revenue}")
    out += ["", f"Top {len(summary['top_customers'])} customers by orders"]
    for i, c in enumerate(summary["top_customers"], 1):
        gap = c["mean_days_between_orders"]
        rhythm = f", every {gap:.1f} days" if gap is not None else ""  # a gap needs two orders
        favourite = f", favourite: {c['favourite']}" if c["favourite"] else ""
        out.append(
            f"  {i:2d}. {c['customer']:<40} {count_of(c['orders'], 'order'):>11}{rhythm}, "
            f"last {c['last_order']:%Y-%m-%d}{favourite}"
        )
    return "\n".join(out)
