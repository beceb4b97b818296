from django.db import models
from django.utils import timezone


class AppRegistration(models.Model):
    """The app token Saleor gave the CRM when its Dashboard app was installed (one per Saleor API).

    Secret: never returned by any API or written to a log. Kept so the CRM
    can call Saleor's API as its app (e.g. to list its extensions).
    """

    saleor_api_url = models.CharField(max_length=500, unique=True)
    app_id = models.CharField(max_length=100, blank=True, default="")
    auth_token = models.CharField(max_length=256)
    installed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_app_registration"
