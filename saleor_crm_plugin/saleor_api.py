"""Which Saleor the CRM belongs to: its GraphQL API URL, as Saleor names itself to its apps.

Saleor sends that URL in the ``Saleor-Api-Url`` header when it registers an
app, and the CRM keeps one app registration per URL. Inside Saleor it is
Saleor's own (``build_absolute_uri(reverse("api"))``, from its ``PUBLIC_URL``
or site domain); on the standalone host it is ``SALEOR_CRM_SALEOR_URL``.
"""

from django.apps import apps
from django.conf import settings


def in_saleor() -> bool:
    """Whether the CRM runs inside Saleor (as its plugin) rather than on the standalone host."""
    return apps.is_installed("saleor.account")


def saleor_api_url() -> str | None:
    """This shop's Saleor API URL; None on a standalone host without ``SALEOR_CRM_SALEOR_URL``."""
    if in_saleor():
        from django.urls import reverse
        from saleor.core.utils import build_absolute_uri

        return build_absolute_uri(reverse("api"))
    return getattr(settings, "SALEOR_CRM_SALEOR_URL", None) or None
