"""What mail does after it is sent: the ESP's tracking webhook, our own click links, and bounce health.

* **Webhook.** ``<plugin path>/tracking/<provider>/`` hands the request to
  django-anymail's tracking view for the configured ESP. anymail checks the
  basic-auth secret (setting ``tracking_webhook_secret``, required: without
  it the webhook is off) and, where it verifies one, the ESP's signature
  (keys from Django's ``ANYMAIL`` settings, as anymail reads them). It then
  sends its ``tracking`` signal, which ``record_event`` receives.
* **Events.** Each event is stored once per ESP event id (for an ESP that
  sends none, the payload's hash, and only when it is about a mail the CRM
  sent), whatever the number of deliveries of the webhook, with the ESP's
  payload kept for audit. A body that is not JSON, nests too deeply or has a
  shape the ESP's parser cannot read is answered 400. The
  mail is found by the delivery id in the metadata we sent, else by the
  ESP's message id. Opens are stored but unreliable: mail privacy proxies
  open every mail.
* **Click links.** Links in sent mails lead through ``<plugin path>/click/<token>``.
  The token (HMAC-SHA256 with a key derived once from ``SECRET_KEY``, valid
  a year) names the delivery and the URL, so clicks are measured
  with any provider, SMTP included. A forged token, or a URL off the shop's
  hosts, is refused and redirects nowhere.
* **Health.** A campaign whose hard bounces or complaints over its latest
  ``health_window`` sent mails pass ``bounce_rate_max_percent`` or
  ``complaint_rate_max_per_10000`` is paused, with the reason.
"""

import base64
import hashlib
import hmac
import json
import logging
import re
import time
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound, HttpResponseRedirect
from django.utils import timezone

from .. import json_input
from ..config import get_setting, get_text_setting
from ..errors import CRMError
from ..models import Campaign, CampaignState, Delivery
from . import tokens
from .mail import plugin_url

logger = logging.getLogger(__name__)

CLICK = "click"
CLICK_ESP = "crm"  # the ``esp`` of the events our own click links record
CLICK_LINK_DAYS = 365
MIN_HEALTH_SAMPLE = 100
KINDS = {"delivered": "delivered", "opened": "opened", "clicked": "clicked", "bounced": "bounced",
         "deferred": "deferred", "rejected": "rejected", "failed": "rejected", "complained": "complained",
         "unsubscribed": "unsubscribed"}
HREF = re.compile(r'(<a\b[^>]*?\bhref\s*=\s*")(https?://[^"]+)(")', re.IGNORECASE)

INSERT_SQL = """
INSERT INTO crm_delivery_event (delivery_id, esp, event_id, kind, esp_kind, occurred_at, received_at, url,
                                description, raw)
VALUES (%s, %s, %s, %s, %s, %s, now(), %s, %s, %s::jsonb)
ON CONFLICT DO NOTHING RETURNING id
"""


# --- the webhook -----------------------------------------------------------------------------------------


def _anymail_view(esp: str):
    """anymail's tracking view class for ``esp`` (None when anymail has none of that name)."""
    from anymail import urls

    for pattern in urls.urlpatterns:
        if getattr(pattern, "name", None) == f"{esp}_tracking_webhook":
            return pattern.callback.view_class
    return None


def tracking_webhook(request, esp: str) -> HttpResponse:
    """The ESP's tracking webhook, checked and parsed by anymail; only for the configured provider."""
    secret = get_text_setting("tracking_webhook_secret")
    view_class = _anymail_view(esp) if esp == get_text_setting("email_provider") else None
    if view_class is None or not secret:
        return HttpResponseNotFound("No tracking webhook here")
    from anymail.exceptions import AnymailConfigurationError

    view = type(view_class.__name__, (view_class,), {"webhook_secret": None})
    options = {"webhook_secret": [secret]}
    api_key = get_text_setting("email_api_key")
    if api_key and hasattr(view_class, "api_key"):  # an ESP that signs with its API key unless told another
        options["api_key"] = api_key
    if not _well_formed(request):
        return HttpResponseBadRequest("Malformed webhook body")
    try:
        return view.as_view(**options)(request)
    except AnymailConfigurationError as error:  # e.g. the ESP's signing key is not set
        logger.warning("CRM: the %s tracking webhook is not configured: %s", esp, error)
        return HttpResponse("The tracking webhook is not configured", status=503)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
        # The ESP's parser met a body of valid JSON in a shape it does not know (an array, a field of the
        # wrong type): the sender's fault, answered 400 so that it is not retried as a server failure.
        logger.warning("CRM: the %s tracking webhook got a body it cannot read: %r", esp, error)
        return HttpResponseBadRequest("Malformed webhook body")


def _well_formed(request) -> bool:
    """A JSON body (what every JSON-posting ESP sends) must be JSON within ``json_input``'s bounds (nesting,
    size, digits); form-encoded bodies are left to the ESP's parser."""
    if "json" not in request.content_type and request.body.lstrip()[:1] not in (b"{", b"["):
        return True
    try:
        json_input.loads(request.body)
    except json_input.JSONInputError:
        return False
    return True


def _json(value):
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return {"unparsed": str(value)[:10000]}


def _delivery_of(event) -> int | None:
    metadata = getattr(event, "metadata", None) or {}
    delivery = str(metadata.get("delivery", ""))
    if delivery.isdigit():
        found = Delivery.objects.filter(pk=int(delivery)).values_list("pk", flat=True).first()
        if found is not None:
            return found
    if event.message_id:
        return Delivery.objects.filter(provider_message_id=str(event.message_id)[:255]).values_list(
            "pk", flat=True).first()
    return None


def record_event(sender, event, esp_name, **kwargs) -> None:
    """anymail ``tracking`` receiver: store the event once (per ESP event id), then check the campaign's health."""
    kind = KINDS.get(getattr(event, "event_type", None), "other")
    delivery_id = _delivery_of(event)
    occurred = event.timestamp if isinstance(event.timestamp, datetime) else timezone.now()
    if not event.event_id and delivery_id is None:
        # Nothing names this event but its payload, and it is about no mail the CRM sent: anyone holding the
        # webhook's secret could otherwise store any number of made-up events.
        logger.info("CRM: a %s %s event with no id about no mail of ours was not stored", esp_name, kind)
        return
    raw = json.dumps(_json(event.esp_event), sort_keys=True)
    # An ESP that gives no id for an event (Postmark's deliveries and opens): the payload names it.
    event_id = str(event.event_id or "")[:255] or "sha256:" + hashlib.sha256(raw.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, [
            delivery_id, esp_name.lower()[:32], event_id, kind, str(event.event_type or "")[:32], occurred,
            str(event.click_url or "")[:4000], str(event.description or event.mta_response or "")[:2000], raw])
        new = cursor.fetchone() is not None
    if new and delivery_id is not None and kind in ("bounced", "complained"):
        check_health_of_delivery(delivery_id)


# --- click links ------------------------------------------------------------------------------------------


def allowed_hosts() -> set[str]:
    """Where a tracked link may lead: the public URL's host, the storefront patterns' hosts, ``link_hosts``."""
    hosts = set(get_text_setting("link_hosts").lower().split())
    for name in ("public_url", "storefront_product_url", "storefront_checkout_url"):
        value = get_text_setting(name)
        if value:
            host = urlsplit(value.split("{", 1)[0]).hostname
            if host:
                hosts.add(host.lower())
    return hosts


def _click_key() -> bytes:
    """The click links' HMAC key, derived once per secret (Django's signing derives it per call: a mail has
    several links and a campaign 100,000 mails)."""
    secret = settings.SECRET_KEY
    if _derived.get("secret") != secret:
        _derived.update(secret=secret, key=hashlib.sha256(f"saleor_crm_plugin.click{secret}".encode()).digest())
    return _derived["key"]


_derived: dict = {}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def click_token(delivery_id: int, url: str, *, at: float | None = None) -> str:
    """``<delivery and URL>.<time>.<HMAC>``: the link's content, when it was made, and its signature."""
    body = _b64(json.dumps([delivery_id, url], separators=(",", ":")).encode())
    stamp = format(int(time.time() if at is None else at), "x")
    mac = hmac.new(_click_key(), f"{body}.{stamp}".encode(), hashlib.sha256).digest()[:18]
    return f"{body}.{stamp}.{_b64(mac)}"


def read_click_token(token) -> tuple[int, str] | None:
    """The delivery and URL of a click token; None when it is forged, tampered, malformed or too old."""
    if not isinstance(token, str) or len(token) > tokens.MAX_TOKEN_LENGTH or token.count(".") != 2:
        return None
    body, stamp, mac = token.split(".")
    expected = _b64(hmac.new(_click_key(), f"{body}.{stamp}".encode(), hashlib.sha256).digest()[:18])
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        made = int(stamp, 16)
        delivery_id, url = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, TypeError):
        return None
    if time.time() - made > CLICK_LINK_DAYS * 86400 or not isinstance(delivery_id, int) or not isinstance(url, str):
        return None
    return delivery_id, url


def click_url(delivery_id: int, url: str) -> str:
    return plugin_url(f"{CLICK}/{click_token(delivery_id, url)}")


class LinkTracker:
    """Puts a batch of mails' links to the shop through click links; the shop's hosts and the plugin's paths are
    read once per batch, not once per mail. Without a public URL nothing is rewritten (the mail fails on its
    unsubscribe link anyway)."""

    def __init__(self):
        try:
            self.own = plugin_url("")  # our signed pages (survey, reply, confirmation) are links of their own
        except CRMError:
            self.own = None
            return
        self.base = plugin_url(f"{CLICK}/")
        self.hosts = allowed_hosts()

    def track(self, html: str, delivery_id: int, *, keep: tuple[str, ...] = ()) -> str:
        """Each link to one of the shop's hosts through a click link; the ``keep`` URLs (unsubscribe) and the
        plugin's own pages (survey scores, reply links) as they are."""
        if self.own is None:
            return html

        def wrap(match):
            url = match.group(2).replace("&amp;", "&")
            if url in keep or url.startswith(self.own) or (urlsplit(url).hostname or "").lower() not in self.hosts:
                return match.group(0)
            token = click_token(delivery_id, url)
            if len(token) > tokens.MAX_TOKEN_LENGTH:  # a link too long to sign: as it is
                return match.group(0)
            return f"{match.group(1)}{self.base}{token}{match.group(3)}"

        return HREF.sub(wrap, html)


def _refused(status: int = 400) -> HttpResponse:
    return HttpResponse("<!doctype html><title>Link not valid</title><p>This link is not valid.</p>", status=status)


def click_page(request, token: str) -> HttpResponse:
    """Record the click and redirect; a forged token or a URL off the shop's hosts is refused."""
    found = read_click_token(token)
    if found is None:
        return _refused()
    delivery_id, url = found
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in allowed_hosts():
        return _refused()
    if Delivery.objects.filter(pk=delivery_id).exists():
        click_id = hashlib.sha256(f"{delivery_id}:{url}:{timezone.now().isoformat()}".encode()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute(INSERT_SQL, [delivery_id, CLICK_ESP, click_id, "clicked", "clicked", timezone.now(),
                                        url[:4000], "",
                                        json.dumps({"user_agent": request.headers.get("User-Agent", "")[:500]})])
    return HttpResponseRedirect(url)


# --- health -----------------------------------------------------------------------------------------------

HEALTH_SQL = """
WITH latest AS (
    SELECT d.id FROM crm_delivery d WHERE d.campaign_id = %s AND d.sent_at IS NOT NULL
    ORDER BY d.sent_at DESC, d.id DESC LIMIT %s
)
SELECT count(*),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM crm_delivery_event e WHERE e.delivery_id = latest.id
                                      AND e.kind = 'bounced')),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM crm_delivery_event e WHERE e.delivery_id = latest.id
                                      AND e.kind = 'complained'))
FROM latest
"""


def health(campaign_id: int) -> dict:
    """Sent, bounced and complained over the campaign's latest ``health_window`` sent mails, with the rates."""
    with connection.cursor() as cursor:
        cursor.execute(HEALTH_SQL, [campaign_id, get_setting("health_window")])
        sent, bounced, complained = cursor.fetchone()
    return {"window": sent, "bounced": bounced, "complained": complained,
            "bounce_rate": bounced / sent if sent else 0.0, "complaint_rate": complained / sent if sent else 0.0}


def health_limits() -> dict:
    """The rates that pause a campaign (shares of the window) and the sent mails needed before any does."""
    return {"bounce_rate_max": get_setting("bounce_rate_max_percent") / 100,
            "complaint_rate_max": get_setting("complaint_rate_max_per_10000") / 10000,
            "minimum_sample": MIN_HEALTH_SAMPLE}


def unhealthy_reason(figures: dict) -> str | None:
    """Why the figures must stop the campaign, or None."""
    if figures["window"] < MIN_HEALTH_SAMPLE:
        return None
    if figures["bounce_rate"] * 100 >= get_setting("bounce_rate_max_percent"):
        return (f"{figures['bounced']} hard bounces in the last {figures['window']} mails "
                f"({figures['bounce_rate']:.1%}); limit {get_setting('bounce_rate_max_percent')}%")
    if figures["complaint_rate"] * 10000 >= get_setting("complaint_rate_max_per_10000"):
        return (f"{figures['complained']} spam complaints in the last {figures['window']} mails "
                f"({figures['complaint_rate']:.2%}); limit {get_setting('complaint_rate_max_per_10000')} per 10,000")
    return None


def check_health_of_delivery(delivery_id: int) -> None:
    """After a bounce or complaint: pause the delivery's campaign if its health is past the limits."""
    from .campaigns import pause_campaign

    campaign_id = Delivery.objects.filter(pk=delivery_id).values_list("campaign_id", flat=True).first()
    if campaign_id is None:
        return
    reason = unhealthy_reason(health(campaign_id))
    if reason and Campaign.objects.filter(pk=campaign_id, state__in=[CampaignState.SENDING,
                                                                     CampaignState.SCHEDULED]).exists():
        try:
            pause_campaign(campaign_id, reason=f"Paused by the CRM: {reason}.")
        except CRMError:  # it changed state meanwhile
            return
        logger.warning("CRM campaign %s paused: %s", campaign_id, reason)


FUNNEL_SQL = """
SELECT e.kind, count(DISTINCT e.delivery_id), bool_or(e.esp <> %s)
FROM crm_delivery_event e JOIN crm_delivery d ON d.id = e.delivery_id
WHERE {mails} GROUP BY e.kind
"""
FUNNEL_KINDS = ("delivered", "opened", "clicked", "bounced", "deferred", "rejected", "complained", "unsubscribed")

# Whether the funnel's figures other than clicks can be trusted (clicks go through our own links, so every
# provider has them): the ESP's webhook reported on these mails, could but has not yet, or cannot.
REPORTS_RECEIVED = "received"
REPORTS_AWAITED = "awaited"
NOT_REPORTED = "not_reported"


def provider_reports_deliveries() -> bool:
    """Whether the configured provider tells the CRM what became of its mails: a django-anymail ESP whose
    tracking webhook is on (a secret set). SMTP and Django's ``EMAIL_BACKEND`` report nothing."""
    provider = get_text_setting("email_provider")
    if not provider or provider == "smtp" or not get_text_setting("tracking_webhook_secret"):
        return False
    return _anymail_view(provider) is not None


def _funnel(mails: str, params: list) -> dict:
    counts = dict.fromkeys(FUNNEL_KINDS, 0)
    reported = False
    with connection.cursor() as cursor:
        cursor.execute(FUNNEL_SQL.format(mails=mails), [CLICK_ESP, *params])
        for kind, n, by_esp in cursor.fetchall():
            reported = reported or by_esp
            if kind in counts:
                counts[kind] = n
    if reported:
        counts["delivery_reports"] = REPORTS_RECEIVED
    else:
        counts["delivery_reports"] = REPORTS_AWAITED if provider_reports_deliveries() else NOT_REPORTED
    return counts


def funnel(campaign_id: int) -> dict:
    """How many of the campaign's mails were delivered, opened, clicked, bounced, complained, unsubscribed
    (each mail counted once per kind, whatever the number of events), and ``delivery_reports``: whether the
    ESP reported on them (``received``), may still (``awaited``), or cannot (``not_reported``: every count
    but clicks is then unknown, not zero)."""
    return _funnel("d.campaign_id = %s", [campaign_id])


def step_funnel(automation_id: int, step: int) -> dict:
    """The same for the mails of one step of an automation."""
    return _funnel("d.run_id IN (SELECT id FROM crm_automation_run WHERE automation_id = %s AND step = %s)",
                   [automation_id, step])
