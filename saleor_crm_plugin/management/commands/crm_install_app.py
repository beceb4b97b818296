"""Install the CRM's Dashboard app into the Saleor this runs in, from the plugin's own manifest URL.

The same as "Install external app" in the Dashboard with that URL: Saleor's
own ``install_app`` command fetches the manifest over HTTP, creates the app
and its extensions, and POSTs the app token to the plugin's ``register``
endpoint. The shop's public URL (setting ``public_url`` or Saleor's
``PUBLIC_URL``) must reach this Saleor.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ...campaigns.mail import plugin_url
from ...errors import CRMError
from ...readiness import in_saleor


class Command(BaseCommand):
    help = "Install the CRM Dashboard app (its manifest is served by the plugin) into this Saleor."

    def handle(self, *args, **options):
        # Saleor first: outside it (the standalone host) there is no app to install, whatever the settings say.
        if not in_saleor():
            raise CommandError("Saleor is not installed here (or these are not Saleor's settings): run "
                               "crm_install_app with Saleor's manage.py, in the virtualenv where saleor-crm-plugin "
                               "is installed, or install the app from the Dashboard (Apps → Install external app) "
                               "with the manifest URL https://<your Saleor>/plugins/global/saleor_crm_plugin.crm/"
                               "manifest.")
        try:
            manifest = plugin_url("manifest")
        except CRMError as error:
            raise CommandError(f"{error.message} Set Saleor's PUBLIC_URL or the plugin's public_url (the manifest "
                               "URL is built from it).") from None
        self.stdout.write(f"Installing the CRM app from {manifest}")
        call_command("install_app", manifest, "--activate", "--quiet", stdout=self.stdout)
        self.stdout.write("Installed: the CRM page is under Customers in the Dashboard.")
