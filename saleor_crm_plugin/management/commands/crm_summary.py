from django.core.management.base import BaseCommand

from ...reports.summary import format_summary, profile_summary


class Command(BaseCommand):
    help = "Print the CRM profile summary: customers, repeat rate, distribution, top customers."

    def add_arguments(self, parser):
        parser.add_argument("--top", type=int, default=10)

    def handle(self, *args, top, **options):
        self.stdout.write(format_summary(profile_summary(top=top)))
