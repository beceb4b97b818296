"""Install the CRM's Dashboard app into the Saleor this runs in, from the plugin's own manifest URL.

The same as "Install external app" in the Dashboard with that URL: Saleor's
own ``install_app`` command fetches the manifest over HTTP, creates the app
and its extensions, and POSTs the app token to the plugin's ``register``
endpoint. The shop's public URL (setting ``public_url`` or Saleor's
``PUBLIC_URL``) must reach this Saleor.
"""

import importlib.util

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ...campaigns.mail import plugin_url
from ...errors import CRMError


class Command(BaseCommand):
    help = "Install the CRM Dashboard app (its manifest is served by the plugin) into this Saleor."

    def handle(self, *args, **options):
        try:
            manifest = plugin_url("manifest")
        except CRMError as error:
            raise CommandError(error.message) from None
        if importlib.util.find_spec("saleor.app.management.commands.install_app") is None:  # Saleor's own command
            raise CommandError(f"Saleor is not installed here. Install the app from the Dashboard "
                               f"(Apps → Install external app) with the manifest URL {manifest}")
        self.stdout.write(f"Installing the CRM app from {manifest}")
        call_command("install_app", manifest, "--activate", "--quiet", stdout=self.stdout)
        self.stdout.write("Installed: the CRM page is under Customers in the Dashboard.")
