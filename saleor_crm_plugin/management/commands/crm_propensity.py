"""Train the response propensity model now, score every customer and print the model's figures and the top."""

import sys

from django.core.management.base import BaseCommand

from ...models import CustomerPropensity
from ...profiles.propensity import LABELS, compute_propensity
from ...segments.membership import refresh_all
from ._progress import EntityProgress
from .crm_analytics import add_as_of_argument, as_of_moment


class Command(BaseCommand):
    help = ("Train the response propensity model (who will order in the next propensity_horizon_days) on the "
            "CRM's history, score every customer and refresh the segments.")

    def add_arguments(self, parser):
        parser.add_argument("--top", type=int, default=10)
        add_as_of_argument(parser)

    def handle(self, *args, top, as_of, **options):
        now = as_of_moment(as_of)
        with EntityProgress(sys.stderr) as progress:
            run = compute_propensity(now=now, progress=progress)
        refresh_all(now=now)
        if run.state == run.State.SKIPPED:
            self.stdout.write(f"Propensity not trained: {run.error}.")
            return
        metrics = run.metrics
        self.stdout.write(f"Propensity to order within {run.horizon_days} days: {run.method} model, "
                          f"{run.confidence} confidence, trained on {metrics.get('customers', 0):,} customers "
                          f"({metrics.get('base_rate', 0):.1%} ordered), {run.scored:,} scored.")
        if "auc" in metrics:
            self.stdout.write(f"  cross-fitted ROC AUC {metrics['auc']:.3f}"
                              + (f", average precision {metrics['average_precision']:.3f}, top-decile lift "
                                 f"{metrics['top_decile_lift']:.2f}" if "top_decile_lift" in metrics else ""))
        self.stdout.write(f"\nThe {top} customers most likely to order")
        best = CustomerPropensity.objects.select_related("profile").order_by("-probability", "profile_id")[:top]
        for i, row in enumerate(best, 1):
            why = "; ".join(f"{LABELS.get(r['name'], r['name'])} {'raises' if r['value'] > 0 else 'lowers'} it"
                            for r in row.reasons)
            self.stdout.write(f"  {i:2d}. {str(row.profile):<40} {row.probability:5.1%}" + (f"  ({why})" if why else ""))
