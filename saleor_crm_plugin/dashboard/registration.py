"""Registration: Saleor POSTs the app token to the manifest's ``tokenTargetUrl`` when it installs the app.

The token is accepted only from the Saleor the CRM runs in: the request's
``Saleor-Api-Url`` must be that Saleor's API (the public URL's ``/graphql/``,
or ``SALEOR_CRM_SALEOR_URL`` on the standalone host), and the token must be
one that Saleor issued to an app — checked in Saleor's own app-token table
when the CRM runs inside Saleor, or by asking that Saleor's API who the token
is otherwise. Anything else is refused and nothing is stored. The token is
stored once per Saleor API (a reinstall replaces it) and never shown.
"""

import json
import logging
from collections.abc import Callable

import requests
from django.conf import settings as django_settings
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone

from ..errors import CRMError
from ..models import AppRegistration

logger = logging.getLogger(__name__)

MAX_BODY = 4096
MAX_TOKEN = 256
VERIFY_TIMEOUT_SECONDS = 10
Verifier = Callable[[str], str | None]  # token → the app's id, or None when Saleor does not know it


def expected_api_url() -> str:
    """The GraphQL URL of the Saleor this CRM belongs to."""
    configured = getattr(django_settings, "SALEOR_CRM_SALEOR_URL", None)
    if configured:
        return configured
    from ..campaigns.mail import public_url

    return f"{public_url()}/graphql/"


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def register(request, verify: Verifier, api_url: Callable[[], str] | None = None) -> JsonResponse:
    """Store the app token of a legitimate installation; 400/403 (nothing stored) otherwise.

    ``api_url`` gives this shop's Saleor API URL as Saleor itself names it
    in the ``Saleor-Api-Url`` header (default ``expected_api_url``).
    """
    if request.method != "POST":
        return JsonResponse({"success": False, "error": "POST the app token."}, status=405)
    if len(request.body) > MAX_BODY:
        return JsonResponse({"success": False, "error": "Request too large."}, status=400)
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"success": False, "error": "The body is not JSON."}, status=400)
    token = body.get("auth_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        return JsonResponse({"success": False, "error": "auth_token is missing."}, status=400)
    sender = request.headers.get("Saleor-Api-Url") or request.headers.get("X-Saleor-Api-Url") or ""
    try:
        expected = (api_url or expected_api_url)()
    except CRMError:
        return JsonResponse({"success": False, "error": "The CRM's public URL is not configured."}, status=503)
    if not _same_url(sender, expected):
        logger.warning("CRM app registration refused: from %r, not this shop's Saleor", sender[:200])
        return JsonResponse({"success": False, "error": "Only this shop's Saleor may register the app."}, status=403)
    app_id = verify(token)
    if app_id is None:
        logger.warning("CRM app registration refused: Saleor does not know the token")
        return JsonResponse({"success": False, "error": "Saleor did not issue this token."}, status=403)
    with transaction.atomic():
        AppRegistration.objects.update_or_create(
            saleor_api_url=expected, defaults={"auth_token": token, "app_id": app_id, "installed_at": timezone.now()})
    logger.info("CRM app registered with %s (app %s)", expected, app_id)
    return JsonResponse({"success": True})


def verify_over_http(token: str) -> str | None:
    """Ask this shop's Saleor API (never another URL) which app the token belongs to."""
    try:
        response = requests.post(expected_api_url(), json={"query": "{ app { id } }"},
                                 headers={"Authorization": f"Bearer {token}"}, timeout=VERIFY_TIMEOUT_SECONDS)
        app = (response.json().get("data") or {}).get("app") if response.ok else None
    except (requests.RequestException, ValueError, CRMError):
        return None
    return app.get("id") if isinstance(app, dict) and isinstance(app.get("id"), str) else None
