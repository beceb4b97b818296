"""CRM settings, read through one function.

Order of precedence for every setting ``name``:

1. ``settings.SALEOR_CRM[name]`` in the Django settings module (deployment
   pins, also what the tests use);
2. the value saved in the Saleor Dashboard for the CRM plugin (mirrored into
   our own ``CRMSetting`` table when the plugin configuration is saved, so the
   core never reads Saleor's tables);
3. the default declared in ``DEFAULTS``.
"""

import re
import time
from dataclasses import dataclass

from django.conf import settings as django_settings

from .error_codes import ConfigErrorCode
from .errors import CRMError
from .text import has_control_characters

# The plugin's id in Saleor; its HTTP endpoints are under /plugins/global/<PLUGIN_ID>/
# in Saleor and at the same path on the standalone host.
PLUGIN_ID = "saleor_crm_plugin.crm"
PLUGIN_PATH = f"/plugins/global/{PLUGIN_ID}/"


@dataclass(frozen=True)
class SettingSpec:
    name: str
    default: int
    label: str
    help_text: str
    minimum: int = 1
    maximum: int = 10**7


SPECS = {
    spec.name: spec
    for spec in [
        SettingSpec(
            "abandoned_checkout_minutes",
            60,
            "Abandoned checkout delay (minutes)",
            "A checkout with lines that has not changed for this many minutes "
            "and was not completed counts as abandoned.",
        ),
        SettingSpec(
            "sweep_after_seconds",
            30,
            "Sweeper grace period (seconds)",
            "Outbox rows still pending after this many seconds are folded by "
            "the periodic sweeper (covers a broker that was down or a worker "
            "that crashed).",
            minimum=0,
        ),
        SettingSpec(
            "sweep_interval_seconds",
            60,
            "Sweeper interval (seconds)",
            "How often Celery beat runs the sweeper. Read from Django settings "
            "at start-up only, because beat reads its schedule once.",
        ),
        SettingSpec(
            "fold_batch_size",
            1000,
            "Fold batch size",
            "How many outbox rows are folded into profiles per transaction.",
            maximum=50_000,
        ),
        SettingSpec(
            "favourite_limit",
            5,
            "Favourites per profile",
            "How many favourite products and categories a profile keeps.",
            maximum=100,
        ),
        SettingSpec(
            "recommendation_refresh_seconds",
            10,
            "Recommendation refresh (seconds)",
            "How often each server process checks for a newly trained "
            "recommendation version or a changed catalog.",
            minimum=0,
            maximum=3600,
        ),
        SettingSpec(
            "repeat_purchase_min_percent",
            10,
            "Repeat-purchase threshold (%)",
            "Products a customer already bought are recommended to them again "
            "only in categories where at least this share of purchases are "
            "repeats (groceries, consumables). SALEOR_CRM['repeat_purchase_categories'] "
            "overrides it per category.",
            minimum=0,
            maximum=100,
        ),
        SettingSpec(
            "churn_horizon_days",
            90,
            "Churn horizon (days)",
            "Churn risk is the probability that a customer places no order "
            "within this many days.",
            maximum=3650,
        ),
        SettingSpec(
            "auto_train_min_orders",
            20,
            "Orders before the first training",
            "Until the recommendation models are first trained, recommendations "
            "are best-sellers and content similarity. Once the shop has this "
            "many orders and no trained model, the first training starts by "
            "itself (a backfill also starts one); later ones run nightly.",
            maximum=10**6,
        ),
        SettingSpec(
            "training_hour",
            3,
            "Nightly training hour (UTC)",
            "Hour at which Celery beat retrains the recommendation models. "
            "Read at start-up only.",
            minimum=0,
            maximum=23,
        ),
        SettingSpec(
            "double_opt_in",
            1,
            "Double opt-in (1 = on, 0 = off)",
            "When on, a storefront subscription is pending until the customer "
            "clicks the link of a confirmation mail.",
            minimum=0,
            maximum=1,
        ),
        SettingSpec(
            "confirmation_link_hours",
            48,
            "Confirmation link validity (hours)",
            "How long the link of a double opt-in confirmation mail works.",
            maximum=24 * 90,
        ),
        SettingSpec(
            "anonymous_per_client_per_minute",
            10,
            "Storefront requests per visitor per minute",
            "How many subscriptions, messages, survey answers and replies one visitor (one IP address, "
            "an IPv6 /64) may send per minute without signing in; more are refused with rate_limited. "
            "Behind a proxy or a server-rendered storefront, set the client IP header below.",
            maximum=10_000,
        ),
        SettingSpec(
            "anonymous_per_address_per_hour",
            5,
            "Storefront requests per email address per hour",
            "How many subscriptions (across all channels) and guest messages one email address may be the "
            "subject of per hour, whoever sends them; more are refused with rate_limited.",
            maximum=10_000,
        ),
        SettingSpec(
            "trusted_proxies",
            1,
            "Trusted proxies",
            "With a client IP header set: how many proxies of yours append to it (the visitor's address is "
            "that many entries from the right).",
            maximum=10,
        ),
        SettingSpec(
            "send_rate_per_minute",
            6000,
            "Sending rate (mails per minute)",
            "At most this many campaign mails per minute, per campaign.",
            maximum=10**6,
        ),
        SettingSpec(
            "send_batch_size",
            50,
            "Sending batch size",
            "Recipients claimed, rendered and handed to the provider together. "
            "At most this many are of unknown fate if a worker dies mid-send.",
            maximum=1000,
        ),
        SettingSpec(
            "send_max_attempts",
            5,
            "Attempts per mail",
            "A mail whose provider answers with a temporary error is retried "
            "with growing delays, at most this many times in all.",
            maximum=20,
        ),
        SettingSpec(
            "frequency_cap_count",
            3,
            "Frequency cap (mails)",
            "A customer gets at most this many campaign mails within the frequency-cap days, across campaigns (0 = no cap).",
            minimum=0,
            maximum=1000,
        ),
        SettingSpec(
            "frequency_cap_days",
            7,
            "Frequency cap (days)",
            "The window of the frequency cap, in days.",
            maximum=365,
        ),
        SettingSpec(
            "claim_lease_seconds",
            600,
            "Unknown-fate delay (seconds)",
            "A mail claimed by a worker that has not reported back after this "
            "long is marked unknown and reported (never resent).",
            minimum=1,
            maximum=86400,
        ),
        SettingSpec(
            "campaign_dispatch_seconds",
            60,
            "Campaign dispatcher interval (seconds)",
            "How often Celery beat starts scheduled campaigns and resumes "
            "interrupted sending. Read at start-up only.",
            maximum=3600,
        ),
        SettingSpec(
            "automation_scan_seconds",
            60,
            "Automation interval (seconds)",
            "How often Celery beat looks for automation triggers (abandoned checkouts, fulfilled orders, "
            "lapsed customers, new subscribers) and sends the mails that are due. Read at start-up only.",
            maximum=3600,
        ),
        SettingSpec(
            "attribution_window_days",
            5,
            "Attribution window (days)",
            "An order placed this many days at most after a click on a mail is credited to the mail clicked "
            "last before it.",
            maximum=365,
        ),
        SettingSpec(
            "propensity_horizon_days",
            90,
            "Response propensity horizon (days)",
            "The nightly propensity model gives each customer's probability of ordering within this many days; "
            "it trains on the history up to this many days ago and what was bought since.",
            minimum=7,
            maximum=365,
        ),
        SettingSpec(
            "bounce_rate_max_percent",
            5,
            "Bounce rate that pauses a campaign (%)",
            "A campaign whose hard bounces over its last deliveries (see the window) reach this share is "
            "paused, with the reason in its figures.",
            maximum=100,
        ),
        SettingSpec(
            "complaint_rate_max_per_10000",
            10,
            "Complaint rate that pauses a campaign (per 10,000)",
            "A campaign whose spam complaints over its last deliveries reach this many per 10,000 (10: 0.1%) "
            "is paused, with the reason in its figures.",
            maximum=10000,
        ),
        SettingSpec(
            "health_window",
            500,
            "Bounce health window (deliveries)",
            "How many of a campaign's latest sent mails the bounce and complaint rates are taken over; "
            "nothing is paused before 100 were sent.",
            minimum=100,
            maximum=100000,
        ),
        SettingSpec(
            "survey_link_days",
            30,
            "Survey link validity (days)",
            "How long the score links of a satisfaction survey mail work.",
            maximum=3650,
        ),
        SettingSpec(
            "reply_link_days",
            90,
            "Reply link validity (days)",
            "How long the link in a service reply, where the customer answers without signing in, works.",
            maximum=3650,
        ),
    ]
}


# The numbers the plugin's configuration edits (Saleor's plugin page and the CRM's Settings page alike); the
# others are the deployment's (SALEOR_CRM in Django settings).
DASHBOARD_SETTINGS = [
    "abandoned_checkout_minutes", "sweep_after_seconds", "fold_batch_size", "favourite_limit",
    "recommendation_refresh_seconds", "repeat_purchase_min_percent", "auto_train_min_orders",
    "double_opt_in", "confirmation_link_hours", "send_rate_per_minute", "frequency_cap_count", "frequency_cap_days",
]


def get_setting(name: str, *, use_database: bool = True) -> int:
    """Return the effective value of CRM setting ``name`` (see module doc)."""
    spec = SPECS[name]
    pinned = getattr(django_settings, "SALEOR_CRM", {}) or {}
    if name in pinned:
        return int(pinned[name])
    if use_database:
        stored = _stored().get(name)
        if stored is not None:
            return int(stored)
    return spec.default


# Settings saved from the Dashboard, read in one query and kept for a few
# seconds: a campaign reads several per mail, and 100,000 queries for values
# that change a few times a year would dominate sending. A save in this
# process (the plugin's pre_save) clears the cache; other processes see it
# within STORED_TTL_SECONDS.
STORED_TTL_SECONDS = 5.0
_stored_cache: tuple[float, dict[str, str]] | None = None


def _stored() -> dict[str, str]:
    global _stored_cache
    now = time.monotonic()
    if _stored_cache is None or now - _stored_cache[0] > STORED_TTL_SECONDS:
        # Imported here, not at the top: Saleor imports plugin.py (and so this
        # module) while it builds its plugin list, possibly before the app
        # registry is ready to import models.
        from .models import CRMSetting

        _stored_cache = (now, dict(CRMSetting.objects.values_list("name", "value")))
    return _stored_cache[1]


def forget_stored() -> None:
    """Read saved settings afresh on the next call (after they were saved in this process)."""
    global _stored_cache
    _stored_cache = None


def validate_value(name: str, value) -> int:
    """Parse and range-check one setting; raise ``CRMError`` (a ValueError) with a code and a readable message.

    The error names no field: the plugin's form and the Settings API each say which field it is about.
    """
    spec = SPECS[name]
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise CRMError(ConfigErrorCode.NOT_A_NUMBER, f"{spec.label} must be a whole number.") from None
    if not spec.minimum <= number <= spec.maximum:
        raise CRMError(ConfigErrorCode.OUT_OF_RANGE,
                       f"{spec.label} must be between {spec.minimum} and {spec.maximum}.")
    return number


def validate_setting(name: str, value) -> int | str:
    """Check any setting of the plugin's configuration, number or text; returns the value to store."""
    return validate_value(name, value) if name in SPECS else validate_text(name, value)


@dataclass(frozen=True)
class TextSettingSpec:
    name: str
    label: str
    help_text: str
    kind: str = "text"  # text, email, url, url_pattern, origins, secret, smtp_url, provider, ...
    max_length: int = 255

    @property
    def secret(self) -> bool:
        """Write-only: Saleor masks it and the CRM's Settings API says only whether it is set."""
        return self.kind in ("secret", "smtp_url")


TEXT_SPECS = {
    spec.name: spec
    for spec in [
        TextSettingSpec(
            "public_url", "Public URL of the shop's API",
            "Base of the links in mails (unsubscribe, confirmation), e.g. https://api.example.com. "
            "Empty: Django's PUBLIC_URL setting.", kind="url"),
        TextSettingSpec(
            "from_email", "Sender address", "Empty: Django's DEFAULT_FROM_EMAIL.", kind="email"),
        TextSettingSpec("from_name", "Sender name", "Shown as the sender of marketing mails, e.g. the shop's name."),
        TextSettingSpec(
            "unsubscribe_mailto", "Unsubscribe mailbox",
            "Address in the List-Unsubscribe header's mailto: link. Empty: the sender address.", kind="email"),
        TextSettingSpec(
            "storefront_product_url", "Storefront product URL pattern",
            "Product links in mails, e.g. https://shop.example.com/{channel}/products/{slug} "
            "(placeholders: {channel}, {slug}, {id}). Empty: no product links.", kind="url_pattern"),
        TextSettingSpec(
            "storefront_checkout_url", "Storefront checkout URL pattern",
            "The link back to a checkout in abandoned-checkout mails, e.g. "
            "https://shop.example.com/{channel}/checkout?token={token} (placeholders: {channel}, {token}). "
            "Empty: the mail has no link to the checkout.", kind="checkout_url_pattern"),
        TextSettingSpec(
            "tracking_webhook_secret", "Tracking webhook secret",
            "user:password that the ESP's tracking webhook sends as HTTP basic auth (the webhook URL is "
            "<public URL>/plugins/global/saleor_crm_plugin.crm/tracking/<provider>/). Empty: the webhook is off.",
            kind="secret"),
        TextSettingSpec(
            "link_hosts", "Click-tracked link hosts",
            "Hosts that tracked links in mails may lead to, space-separated, besides the public URL's and the "
            "storefront URL patterns' hosts.", kind="hosts"),
        TextSettingSpec(
            "client_ip_header", "Client IP header",
            "The header your proxy or load balancer writes the visitor's address to, e.g. X-Forwarded-For. "
            "Empty: the connection's address (REMOTE_ADDR). Only set it when every request passes that proxy: "
            "a visitor can write the header themselves.", kind="header_name", max_length=64),
        TextSettingSpec(
            "shop_time_zone", "Shop time zone",
            "An IANA time zone such as Europe/Warsaw: automations' quiet hours are in it. Empty: UTC.",
            kind="time_zone"),
        TextSettingSpec(
            "shop_name", "Shop name", "Shown in mails and on the unsubscribe page. Empty: the sender name."),
        TextSettingSpec(
            "dashboard_origins", "Dashboard origins",
            "Origins allowed to frame the CRM's Dashboard pages, space-separated, e.g. "
            "https://dashboard.example.com. Empty: the public URL's origin only.", kind="origins"),
        TextSettingSpec(
            "email_provider", "Email provider",
            "Empty: Django's EMAIL_BACKEND. 'smtp': the SMTP URL below. Otherwise the name of a "
            "django-anymail ESP (amazon_ses, brevo, mailgun, mailjet, postmark, sendgrid, sparkpost, ...).",
            kind="provider"),
        TextSettingSpec(
            "email_api_key", "Email provider API key",
            "The ESP's API key (anymail's api_key / server_token); stored masked.", kind="secret"),
        TextSettingSpec(
            "smtp_url", "SMTP server",
            "smtp://user:password@host:port (smtps:// for implicit TLS; ?tls=1 for STARTTLS).", kind="smtp_url"),
    ]
}

# Every text setting is in the plugin's configuration; the API key, the SMTP URL and the webhook secret are
# secrets (Saleor masks them in its API, the CRM's Settings API says only whether they are set).
DASHBOARD_TEXT_SETTINGS = list(TEXT_SPECS)


def is_pinned(name: str) -> bool:
    """Whether the deployment sets ``name`` (``SALEOR_CRM`` in Django settings): then nothing saved applies."""
    return name in (getattr(django_settings, "SALEOR_CRM", {}) or {})


def get_text_setting(name: str, *, use_database: bool = True) -> str:
    """Return the effective value of text setting ``name`` ("" when unset), in the order of ``get_setting``."""
    TEXT_SPECS[name]  # a typo is a KeyError, not a silent ""
    pinned = getattr(django_settings, "SALEOR_CRM", {}) or {}
    if name in pinned:
        return str(pinned[name] or "")
    if use_database:
        stored = _stored().get(name)
        if stored is not None:
            return stored
    return ""


HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")


# The code a text setting's bad value gets, by kind (anything else: ``invalid``).
_KIND_CODES = {
    "email": ConfigErrorCode.INVALID_EMAIL, "url": ConfigErrorCode.INVALID_URL,
    "url_pattern": ConfigErrorCode.INVALID_URL, "checkout_url_pattern": ConfigErrorCode.INVALID_URL,
    "hosts": ConfigErrorCode.INVALID_URL, "origins": ConfigErrorCode.INVALID_URL,
    "time_zone": ConfigErrorCode.INVALID_TIME_ZONE,
}


def validate_text(name: str, value) -> str:
    """Check one text setting; raise ``CRMError`` (a ValueError) with a code and a readable message.

    Returns the value to store. A secret's value is never quoted in the message.
    """
    import zoneinfo
    from urllib.parse import urlsplit

    from django.core.exceptions import ValidationError
    from django.core.validators import EmailValidator

    def check_url(url: str) -> None:
        # Any http(s) URL with a host: an internal name such as http://saleor-api:8000 is fine.
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
            raise ValueError(url)

    spec = TEXT_SPECS[name]
    text = "" if value is None else str(value).strip()
    if len(text) > spec.max_length:
        raise CRMError(ConfigErrorCode.TOO_LONG, f"{spec.label} is longer than {spec.max_length} characters.")
    if not text:
        return text
    if has_control_characters(text):  # names and addresses become mail headers: a CR/LF would split one
        raise CRMError(ConfigErrorCode.INVALID,
                       f"{spec.label} may not hold line breaks or other control characters.")
    try:
        if spec.kind == "email":
            EmailValidator()(text)
        elif spec.kind == "url":
            check_url(text)
        elif spec.kind == "url_pattern":
            check_url(text.format(channel="c", slug="s", id=1))
        elif spec.kind == "checkout_url_pattern":
            check_url(text.format(channel="c", token="t"))
        elif spec.kind == "hosts":
            for host in text.split():
                check_url(f"https://{host}/")
                if urlsplit(f"https://{host}/").hostname != host.lower():
                    raise ValueError(host)
        elif spec.kind == "header_name":
            if not HEADER_NAME.fullmatch(text):
                raise ValueError(text)
        elif spec.kind == "time_zone":
            zoneinfo.ZoneInfo(text)
        elif spec.kind == "origins":
            for origin in text.split():
                check_url(origin)
                if urlsplit(origin).path.strip("/") or urlsplit(origin).query:
                    raise ValueError(origin)
    except (ValidationError, KeyError, IndexError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise CRMError(_KIND_CODES.get(spec.kind, ConfigErrorCode.INVALID),
                       f"{spec.label} is not valid: {text!r}.") from None
    if spec.kind == "provider":
        from .campaigns.providers import backend_path

        try:
            backend_path(text)
        except ValueError as error:  # it names the unknown provider
            raise CRMError(ConfigErrorCode.UNKNOWN_PROVIDER, str(error)) from None
    elif spec.kind == "smtp_url":
        from .campaigns.providers import smtp_options

        try:
            if any(c.isspace() for c in text):
                raise ValueError(name)
            smtp_options(text)  # the sender's own reading: what passes here, the SMTP backend can use
        except ValueError:  # CRMError included; its message never quotes the URL (it holds the password)
            raise CRMError(ConfigErrorCode.INVALID_SMTP_URL,
                           f"{spec.label} is not valid: write it as smtp://user:password@host:port "
                           "(smtps:// for implicit TLS, ?tls=1 for STARTTLS).") from None
    return text
