"""Import existing Saleor customers, products, orders and checkouts into the CRM."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from ...events.backfill import run_backfill_once
from ...events.sources.instacart import InstacartSource
from ...events.sources.saleor_tables import SaleorSource
from ...models import RecomputeRun
from ...recompute import recompute_in_process
from ._progress import EntityProgress


class Command(BaseCommand):
    help = (
        "Import existing history in batches with a progress bar. Resumable: an "
        "interrupted run continues after its last committed batch. Idempotent: "
        "re-running stores nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", choices=["saleor", "instacart"], default="saleor")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--restart", action="store_true", help="Forget saved positions and start over.")
        parser.add_argument("--limit-users", type=int, help="instacart only: import the first N users.")
        parser.add_argument("--no-recompute", action="store_true",
                            help="saleor only: do not score customers and refresh segments after the import "
                                 "(by default a backfill that imported anything is followed by the recompute, "
                                 "as when the plugin is switched on).")

    def handle(self, *args, source, batch_size, restart, limit_users, no_recompute=False, **options):
        if batch_size < 1 or batch_size > 50_000:
            raise CommandError("--batch-size must be between 1 and 50000.")
        if source == "saleor":
            try:
                origin = SaleorSource()
            except ImportError as error:  # SaleorSource imports Saleor's models
                raise CommandError(f"Saleor is not importable here ({error}); run this inside Saleor.") from None
        else:
            try:
                origin = InstacartSource(limit_users=limit_users)
            except FileNotFoundError as error:
                raise CommandError(str(error)) from None
        started = time.perf_counter()
        with EntityProgress(sys.stderr) as progress:
            report = run_backfill_once(origin, batch_size=batch_size, restart=restart, progress=progress)
        if report is None:
            raise CommandError("Another backfill is running (the plugin starts one when it is switched on); "
                               "this one would only repeat its work.")
        elapsed = time.perf_counter() - started
        records = ", ".join(f"{k} {v:,}" for k, v in report.records.items())
        self.stdout.write(
            f"Backfill {origin.name}: {records}; {report.events_stored:,} new events, "
            f"{report.folded:,} folded, {report.rejected:,} rejected in {elapsed:.1f}s"
        )
        # The shop's own history is scored at once (the Instacart trial data is scored with
        # ``crm_analytics --as-of latest``: scored at today's date, its customers would all be lost).
        if source == "saleor" and report.folded and not no_recompute:
            self._recompute()

    def _recompute(self) -> None:
        started = time.perf_counter()
        run = recompute_in_process(RecomputeRun.Reason.BACKFILL)
        if run is None:
            self.stdout.write("A recompute is already queued or running; it scores the imported history.")
            return
        scored = sum(run.figures.get("scores", {}).get("customers", {}).values())
        segments = run.figures.get("segments", {})
        self.stdout.write(f"Recompute: {scored:,} customers scored, {segments.get('segments', 0):,} segments "
                          f"refreshed in {time.perf_counter() - started:.1f}s")
