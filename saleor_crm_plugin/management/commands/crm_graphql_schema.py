"""Write the CRM's GraphQL subgraph SDL (what ``_service { sdl }`` returns) to a file."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ...graphql.federation import subgraph_sdl
from ...graphql.schema import schema


class Command(BaseCommand):
    help = "Export the CRM GraphQL schema (federation subgraph SDL), by default to graphql/schema.graphql."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="graphql/schema.graphql")

    def handle(self, *args, path, **options):
        Path(path).write_text(subgraph_sdl(schema))
        self.stdout.write(f"Wrote {path}")
