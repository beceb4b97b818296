"""Recompute RFM, lifetime value and churn risk now, and print the RFM groups and the top customers by CLV."""

import sys
from datetime import datetime, timezone as dt_timezone

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Max, Sum

from ...analytics.rfm import GROUPS
from ...models import AnalyticsRun, CRMOrder, CustomerAnalytics
from ...profiles.scores import recompute_scores
from ...reports.wording import count_of, group_label
from ...segments.membership import refresh_all
from ._progress import EntityProgress


def add_as_of_argument(parser) -> None:
    parser.add_argument("--as-of", default=None, help="'latest' (the newest order: for imported history "
                        "such as the demo's) or an ISO date; default now.")


def as_of_moment(as_of: str | None) -> datetime | None:
    """``--as-of``: None (now), 'latest' (the newest order) or an ISO date (UTC when it has no zone)."""
    if as_of == "latest":
        return CRMOrder.objects.aggregate(latest=Max("placed_at"))["latest"]
    if not as_of:
        return None
    try:
        now = datetime.fromisoformat(as_of)
    except ValueError:
        raise CommandError("--as-of takes 'latest' or an ISO date such as 2025-01-31.") from None
    return now.replace(tzinfo=dt_timezone.utc) if now.tzinfo is None else now


class Command(BaseCommand):
    help = "Recompute every customer's RFM scores and group, expected orders, P(alive) and 12-month CLV."

    def add_arguments(self, parser):
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--details", action="store_true", help="Also print the fitted model parameters "
                            "and each customer's method and confidence.")
        add_as_of_argument(parser)

    def handle(self, *args, top, as_of, details, **options):
        now = as_of_moment(as_of)
        with EntityProgress(sys.stderr) as progress:
            counts = recompute_scores(now=now, progress=progress)
        refresh_all(now=now)
        for currency, customers in counts.items():
            run = AnalyticsRun.objects.filter(currency=currency).order_by("-pk").first()
            fit = run.params.get("bgnbd") if run else None
            how = ("scored with the purchase model fitted on this shop's history" if fit
                   else "scored with the simple rule (too few repeat customers to fit the purchase model)")
            self.stdout.write(f"Analytics {currency}: {count_of(customers, 'customer')}, {how}")
            if details and fit:
                self.stdout.write(f"  BG/NBD r={fit['r']:.3f} α={fit['alpha']:.2f} a={fit['a']:.3f} b={fit['b']:.3f}")
        rows = CustomerAnalytics.objects.values("currency", "rfm_group").annotate(
            n=Count("pk"), revenue=Sum("revenue"))
        by_group = {(r["currency"], r["rfm_group"]): r for r in rows}
        for currency in counts:
            self.stdout.write(f"\nRFM groups ({currency})")
            for group in GROUPS:
                row = by_group.get((currency, group))
                n = row["n"] if row else 0
                self.stdout.write(f"  {group_label(group):<20} {n:6,d} {'#' * round(40 * n / max(1, counts[currency]))}")
            priced = CustomerAnalytics.objects.filter(currency=currency, revenue__gt=0).exists()
            self.stdout.write(f"\nTop {top} customers by 12-month CLV ({currency})" + (
                "" if priced else ": the data has no prices, so CLV amounts are 0; ranked by expected orders"))
            best = CustomerAnalytics.objects.filter(currency=currency).select_related("profile").order_by(
                "-clv_12m", "-expected_orders_365", "profile_id")[:top]
            for i, a in enumerate(best, 1):
                method = f"  [{a.method}, {a.confidence} confidence]" if details else ""
                self.stdout.write(
                    f"  {i:2d}. {str(a.profile):<40} worth {a.clv_12m:>10,.2f} {currency} in 12 months, "
                    f"{a.expected_orders_365:5.1f} orders expected, {a.p_alive:4.0%} likely still a customer, "
                    f"{group_label(a.rfm_group)}{method}"
                )
