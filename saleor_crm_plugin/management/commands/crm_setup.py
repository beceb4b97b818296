"""One command on: switch the CRM on inside Saleor, install its Dashboard app, check the worker and beat.

The install's last step (docs/merchant-guide.md). Each step says what it did,
what was already done, or what is missing and how to fix it; running it
again changes nothing that is already in place. It exits non-zero while
something is missing, so a deployment script can run it after ``migrate``.
Outside Saleor (the standalone host) it stops with a message: switching a
Saleor plugin on needs Saleor.
"""

from celery import current_app
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ... import readiness


class Command(BaseCommand):
    help = ("Switch the CRM on in this Saleor, install its Dashboard app, and check that a Celery worker and beat "
            "(Saleor's DatabaseScheduler) are running; safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--public-url", default="",
                            help="The shop's public URL (Saleor's address as shoppers and the Dashboard reach it), "
                                 "stored in the plugin's public_url when Saleor's PUBLIC_URL is not set.")
        parser.add_argument("--timeout", type=float, default=3.0, help="Seconds to wait for workers to answer.")

    def handle(self, *args, **options):
        if not readiness.in_saleor():
            raise CommandError("crm_setup runs inside Saleor: Saleor is not installed here (or these are not "
                               "Saleor's settings). Run it with Saleor's manage.py, in the virtualenv where you "
                               "installed saleor-crm-plugin: `python manage.py crm_setup`.")
        # Committed before the app install: Saleor fetches the manifest from its web server, which reads the
        # switched-on configuration (and the first backfill is sent after this commit).
        with transaction.atomic():
            steps = [readiness.activate_plugin(options["public_url"].rstrip("/"))]
        steps.append(readiness.install_dashboard_app(stdout=self.stdout))
        steps.append(readiness.check_worker(current_app, timeout=options["timeout"]))
        steps.append(readiness.check_beat())
        missing = [step for step in steps if step.status == readiness.MISSING]
        for step in steps:
            line = f"{step.name:<14} {step.status:<13} {step.message}"
            self.stdout.write(self.style.ERROR(line) if step in missing else line)
            if step.remedy:
                self.stdout.write(f"{'':<28} → {step.remedy}")
        if missing:
            raise CommandError(f"{len(missing)} of {len(steps)} steps missing: "
                               f"{', '.join(step.name for step in missing)}. Fix them and run crm_setup again.")
        self.stdout.write(self.style.SUCCESS("The CRM is on: open Customers → CRM in the Dashboard."))
