"""Registration: Saleor POSTs the app token to the manifest's ``tokenTargetUrl`` when it installs the app.

The token is accepted only when it is the token of *this* CRM's app in the
Saleor the CRM runs in:

* the request's ``Saleor-Api-Url`` must be that Saleor's API
  (``saleor_api.saleor_api_url``);
* that Saleor must know the token, and the app it belongs to must carry our
  manifest's ``id`` as its ``identifier`` (Saleor copies it from the manifest
  on installation): asked in Saleor's own app-token table when the CRM runs
  inside Saleor, or over HTTP (``{ app { id identifier } }`` with the token)
  to that Saleor's API only, on the standalone host.

Anything else is refused (403) and nothing is stored: a token Saleor issued
to another app does not replace the CRM's registration. A reinstall of the
CRM's app (same identifier, new app id) replaces it. The token is stored
sealed (``AppRegistration.set_app_token``) and never shown.

Verification is bounded, because the endpoint is anonymous and each call
holds a worker: the HTTP question has short connect/read timeouts and an
overall deadline, and at most one verification runs at a time across all
processes (a PostgreSQL advisory lock held in its own connection); a
registration arriving meanwhile is answered at once with 503 and
``Retry-After``, and stores nothing. So a slow or absent Saleor holds one
worker for a few seconds at most, however many registrations arrive.
"""

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse

from ..models.app import save_registration
from ..saleor_api import saleor_api_url
from .manifest import APP_ID

logger = logging.getLogger(__name__)

MAX_BODY = 4096
MAX_TOKEN = 256
CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 2.0
VERIFY_DEADLINE_SECONDS = CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS
MAX_ANSWER_BYTES = 65_536  # `{ app { id identifier } }` answers in a few hundred bytes
RETRY_AFTER_SECONDS = 5
# pg_try_advisory_xact_lock's key for "an app registration is being verified" (any 64-bit number the CRM owns).
VERIFY_LOCK_KEY = 0x43524D_41505052  # "CRM" "APPR"
APP_QUERY = "{ app { id identifier } }"


@dataclass(frozen=True)
class SaleorApp:
    """The app a token belongs to, as Saleor knows it."""

    id: str  # the app's global id (App:<pk>), the ``app`` claim of the tokens Saleor signs for it
    identifier: str | None  # the ``id`` of the manifest it was installed from


class SaleorUnavailable(Exception):
    """Saleor did not answer the question in time (or at all): nothing can be said about the token."""


Verifier = Callable[[str], SaleorApp | None]  # token → its app; None when Saleor does not know the token


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def _refuse(status: int, error: str, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"success": False, "error": error}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def register(request, verify: Verifier, api_url: Callable[[], str | None] | None = None) -> JsonResponse:
    """Store the app token of this CRM's app, installed by this shop's Saleor; 4xx/503 (nothing stored) otherwise.

    ``api_url`` gives this shop's Saleor API URL as Saleor itself names it
    in the ``Saleor-Api-Url`` header (default ``saleor_api.saleor_api_url``).
    """
    if request.method != "POST":
        return _refuse(405, "POST the app token.")
    if len(request.body) > MAX_BODY:
        return _refuse(400, "Request too large.")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _refuse(400, "The body is not JSON.")
    token = body.get("auth_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        return _refuse(400, "auth_token is missing.")
    sender = request.headers.get("Saleor-Api-Url") or request.headers.get("X-Saleor-Api-Url") or ""
    expected = (api_url or saleor_api_url)()
    if not expected:
        return _refuse(503, "This shop's Saleor API URL is not configured (SALEOR_CRM_SALEOR_URL).")
    if not _same_url(sender, expected):
        logger.warning("CRM app registration refused: from %r, not this shop's Saleor", sender[:200])
        return _refuse(403, "Only this shop's Saleor may register the app.")
    with verification_slot() as free:
        if not free:
            logger.warning("CRM app registration deferred: another one is being verified")
            return _refuse(503, "Another registration is being verified; try again shortly.", RETRY_AFTER_SECONDS)
        try:
            app = verify(token)
        except SaleorUnavailable as error:
            logger.warning("CRM app registration not verified: %s", error)
            return _refuse(503, "Saleor did not answer in time; try again.", RETRY_AFTER_SECONDS)
    if app is None:
        logger.warning("CRM app registration refused: Saleor does not know the token")
        return _refuse(403, "Saleor did not issue this token.")
    if app.identifier != APP_ID:
        logger.warning("CRM app registration refused: the token is app %s's (identifier %r), not the CRM's",
                       app.id, (app.identifier or "")[:100])
        return _refuse(403, "The token belongs to another app, not the CRM's.")
    save_registration(expected, app.id, token)
    logger.info("CRM app registered with %s (app %s)", expected, app.id)
    return JsonResponse({"success": True})


@contextmanager
def verification_slot() -> Iterator[bool]:
    """Yields whether this process may verify a registration now (no other process is verifying one).

    The lock is a transaction-level advisory lock in a connection of its
    own: it ends with that connection's transaction, whatever happens to the
    request's connection (an aborted transaction, a pooler in transaction
    mode, a killed worker), so it can never be left held.
    """
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [VERIFY_LOCK_KEY])
            free = bool(cursor.fetchone()[0])
        yield free
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        finally:
            connection.close()


def verify_over_http(token: str) -> SaleorApp | None:
    """Ask this shop's Saleor API (never another URL) which app the token belongs to.

    None when Saleor answers that it does not know the token; ``SaleorUnavailable`` when it does not answer
    within ``VERIFY_DEADLINE_SECONDS`` (connect and read timeouts, and a deadline for the whole answer).
    """
    url = saleor_api_url()
    if not url:
        raise SaleorUnavailable("SALEOR_CRM_SALEOR_URL is not set")
    deadline = time.monotonic() + VERIFY_DEADLINE_SECONDS
    try:
        with requests.post(url, json={"query": APP_QUERY}, headers={"Authorization": f"Bearer {token}"},
                           timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS), allow_redirects=False,
                           stream=True) as response:
            if response.status_code >= 500:
                raise SaleorUnavailable(f"Saleor answered {response.status_code}")
            raw = bytearray()
            for chunk in response.iter_content(8192):
                raw += chunk
                if len(raw) > MAX_ANSWER_BYTES:
                    return None
                if time.monotonic() > deadline:
                    raise SaleorUnavailable(f"no complete answer within {VERIFY_DEADLINE_SECONDS:.0f}s")
            ok = response.ok
    except requests.RequestException as error:
        raise SaleorUnavailable(f"{type(error).__name__} from {url}") from None
    try:
        app = (json.loads(raw).get("data") or {}).get("app") if ok else None
    except (ValueError, AttributeError):
        return None
    if not isinstance(app, dict) or not isinstance(app.get("id"), str):
        return None
    identifier = app.get("identifier")
    return SaleorApp(id=app["id"], identifier=identifier if isinstance(identifier, str) else None)
