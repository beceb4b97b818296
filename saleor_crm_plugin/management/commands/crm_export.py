"""Export everything the CRM stores about one customer as JSON (GDPR article 15)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...profiles.export import export_customer


class Command(BaseCommand):
    help = "Write one customer's CRM data (a key per table) as JSON to stdout or --output."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=None)
        parser.add_argument("--user-id", type=int, default=None)
        parser.add_argument("--output", default=None, help="A file to write instead of stdout.")

    def handle(self, *args, email, user_id, output, **options):
        if user_id is None and not (email or "").strip():
            raise CommandError("Give --email and/or --user-id.")
        text = json.dumps(export_customer(user_id=user_id, email=email), indent=2, sort_keys=True)
        if output:
            Path(output).write_text(text + "\n")
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text)
