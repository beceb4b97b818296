"""Write the CRM's GraphQL subgraph SDL (what ``_service { sdl }`` returns) to a file.

Without a path it goes to ``saleor_crm_plugin/graphql/schema.graphql``, shipped
in the wheel as package data (for a gateway composing an installed plugin);
the repository's ``graphql/schema.graphql`` is a link to that one file.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from ...graphql.federation import subgraph_sdl
from ...graphql.schema import schema

PACKAGED = Path(__file__).resolve().parents[2] / "graphql" / "schema.graphql"


class Command(BaseCommand):
    help = "Export the CRM GraphQL schema (federation subgraph SDL), by default into the package (graphql/schema.graphql links to it)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(PACKAGED))

    def handle(self, *args, path, **options):
        Path(path).write_text(subgraph_sdl(schema))
        self.stdout.write(f"Wrote {path}")
