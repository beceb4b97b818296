import threading
import time

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from ..sealing import seal, unseal

APP_TOKEN_PURPOSE = "saleor_crm_plugin.app_token"


class AppRegistration(models.Model):
    """The CRM's Dashboard app as Saleor installed it (one per Saleor API): the app's id and its app token.

    The app's id (its global id, ``App:<pk>``) is what binds the tokens the
    Dashboard hands the CRM's extensions to this installation (their ``app``
    claim). The app token is secret: sealed at rest (``sealing``, key from
    ``SECRET_KEY``), never returned by any API or written to a log; kept so
    the CRM can call Saleor's API as its app. Read it with ``app_token()``.
    """

    saleor_api_url = models.CharField(max_length=500, unique=True)
    app_id = models.CharField(max_length=100, blank=True, default="")
    sealed_token = models.TextField(default="")
    installed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_app_registration"

    def __repr__(self) -> str:
        return f"<AppRegistration {self.saleor_api_url} {self.app_id}>"

    def app_token(self) -> str:
        """The app token Saleor gave the CRM (``sealing.InvalidToken`` when ``SECRET_KEY`` changed without a
        fallback: reinstall the app then)."""
        return unseal(self.sealed_token, APP_TOKEN_PURPOSE)

    def set_app_token(self, token: str) -> None:
        """Keep ``token`` (sealed) on this registration; saved with the next ``save()``."""
        self.sealed_token = seal(token, APP_TOKEN_PURPOSE)


def save_registration(saleor_api_url: str, app_id: str, token: str) -> AppRegistration:
    """Register the app Saleor at ``saleor_api_url`` installed, replacing an earlier installation's."""
    with transaction.atomic():
        registration = AppRegistration.objects.select_for_update().filter(saleor_api_url=saleor_api_url).first() \
            or AppRegistration(saleor_api_url=saleor_api_url)
        registration.app_id = app_id
        registration.installed_at = timezone.now()
        registration.set_app_token(token)
        registration.save()
    return registration


# The registered app's id, per Saleor API URL, read once and kept for a few seconds: every request carrying an
# extension's token asks for it. A change in this process clears it (on save and again on commit); other
# processes see it within REGISTERED_TTL_SECONDS. Only extension (thirdparty) tokens ask: storefront and
# staff requests never pay for it.
REGISTERED_TTL_SECONDS = 5.0
_registered: dict[str, tuple[float, str | None]] = {}
_registered_lock = threading.Lock()


def registered_app_id(saleor_api_url: str) -> str | None:
    """The global id of the app registered for the Saleor at ``saleor_api_url``; None when none is."""
    now = time.monotonic()
    cached = _registered.get(saleor_api_url)
    if cached is not None and now - cached[0] <= REGISTERED_TTL_SECONDS:
        return cached[1]
    app_id = AppRegistration.objects.filter(saleor_api_url=saleor_api_url).values_list("app_id", flat=True).first()
    with _registered_lock:
        _registered[saleor_api_url] = (now, app_id or None)
    return app_id or None


def forget_registered_apps() -> None:
    """Read the registered apps afresh on the next call."""
    with _registered_lock:
        _registered.clear()


@receiver(post_save, sender=AppRegistration)
@receiver(post_delete, sender=AppRegistration)
def _registration_changed(**kwargs) -> None:
    forget_registered_apps()
    # Again once committed: a read in between (another thread of this process) may have cached the old one.
    transaction.on_commit(forget_registered_apps)
