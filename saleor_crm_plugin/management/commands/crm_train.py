"""Train the recommendation models now, list trained versions, or roll back to one."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from ...models import RecommendationModel
from ...recommendations.training import TrainingError, activate_version, train_models
from ...reports.wording import count_of
from ._progress import EntityProgress


class Command(BaseCommand):
    help = (
        "Train every recommendation model from the CRM's orders and product snapshots, evaluate "
        "it on the shop's own history and swap it in atomically (a progress bar per stage)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-evaluate", action="store_true", help="Skip the evaluation (faster).")
        parser.add_argument("--no-activate", action="store_true", help="Store the version without serving it.")
        parser.add_argument("--activate", metavar="VERSION", help="Serve an earlier version again (rollback).")
        parser.add_argument("--list", action="store_true", help="List trained versions.")
        parser.add_argument("--details", action="store_true",
                            help="Also print the evaluation figures (recall, NDCG, hit rate, MRR) against baselines.")

    def handle(self, *args, no_evaluate, no_activate, activate, list, details, **options):
        if list:
            for row in RecommendationModel.objects.defer("bundle").order_by("-created_at")[:20]:
                marker = "*" if row.is_active else " "
                self.stdout.write(f"{marker} {row.version}  {row.status:8s}  {json.dumps(row.counts)}")
            return
        try:
            if activate:
                activate_version(activate)
                self.stdout.write(f"Serving {activate}.")
                return
            with EntityProgress(sys.stderr) as progress:
                record = train_models(evaluate=not no_evaluate, activate=not no_activate, progress=progress)
        except TrainingError as error:
            raise CommandError(f"{error} [{error.code.value}]") from None
        counts = record.counts
        learned = ", ".join(count_of(counts.get(key, 0), key[:-1]) for key in ("orders", "customers", "products"))
        serving = "now serving it" if record.is_active else "stored, not serving it"
        self.stdout.write(f"Trained recommendations {record.version} from {learned} "
                          f"in {record.training_seconds:.1f}s; {serving}.")
        metrics = record.metrics or {}
        if metrics.get("for_you") and not details:
            self.stdout.write(
                f"  Checked on the shop's own history: for {metrics['for_you']['hit_rate']:.0%} of customers, "
                "the 10 products suggested to them held one they bought next "
                "(--details for the full evaluation)."
            )
        if metrics.get("for_you") and details:
            fy, tf = metrics["for_you"], metrics["personal_top_frequency"]
            self.stdout.write(
                f"  for you: recall@10 {fy['recall']:.4f}, NDCG@10 {fy['ndcg']:.4f} "
                f"(personal top-frequency {tf['recall']:.4f} / {tf['ndcg']:.4f}; {metrics['customers']} customers)"
            )
            ab, pop = metrics["also_bought"], metrics["popularity"]
            self.stdout.write(
                f"  also bought: HR@10 {ab['hit_rate']:.3f}, MRR@10 {ab['mrr']:.4f} "
                f"(popularity {pop['hit_rate']:.3f}; {ab['cases']} baskets)"
            )
