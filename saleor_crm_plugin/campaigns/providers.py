"""Which email backend sends the CRM's mail: any django-anymail ESP, an SMTP server, or Django's own.

Chosen in the plugin's configuration (``email_provider``, ``email_api_key``,
``smtp_url``); with no provider set, Django's ``EMAIL_BACKEND`` (and, for an
anymail ESP configured there, Django's ``ANYMAIL`` settings) is used as it
is. Nothing here knows an ESP's API: anymail does. The API key is handed to
the backend under the names anymail reads for it (``api_key``, and
Postmark's ``server_token``); an ESP that needs more (Mailjet's secret key,
Amazon SES's AWS credentials) takes them from Django's ``ANYMAIL`` setting.
"""

import importlib
import re
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.mail import get_connection

from ..config import get_text_setting
from ..error_codes import CampaignErrorCode
from ..errors import CRMError

SMTP = "smtp"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SEND_TIMEOUT_SECONDS = 30
_ESP_NAME = re.compile(r"[a-z][a-z0-9_]{1,40}")


def backend_path(provider: str) -> str:
    """The dotted path of the backend for ``provider``; ValueError when it names no installed anymail ESP."""
    if provider == SMTP:
        return SMTP_BACKEND
    if not _ESP_NAME.fullmatch(provider or ""):
        raise ValueError(f"Unknown email provider {provider!r}.")
    try:
        importlib.import_module(f"anymail.backends.{provider}")
    except ImportError as error:
        raise ValueError(f"Unknown email provider {provider!r} (django-anymail has no such backend: {error}).") from None
    return f"anymail.backends.{provider}.EmailBackend"


def open_connection(*, fail_silently: bool = False):
    """A backend connection for the configured provider (not yet opened; ``send_messages`` opens it)."""
    provider = get_text_setting("email_provider")
    if not provider:
        return get_connection(fail_silently=fail_silently)
    try:
        path = backend_path(provider)
    except ValueError as error:
        raise CRMError(CampaignErrorCode.NOT_CONFIGURED, str(error), "email_provider") from None
    if path == SMTP_BACKEND:
        return get_connection(path, fail_silently=fail_silently, **smtp_options(get_text_setting("smtp_url")))
    key = get_text_setting("email_api_key")
    credentials = {"api_key": key, "server_token": key} if key else {}
    return get_connection(path, fail_silently=fail_silently, **credentials)


def smtp_options(url: str) -> dict:
    """Django SMTP backend options from ``smtp://user:password@host:port?tls=1`` (``smtps://`` for SSL)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise CRMError(CampaignErrorCode.NOT_CONFIGURED, "Set the SMTP server as smtp://user:password@host:port.",
                       "smtp_url")
    query = parse_qs(parts.query)
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise CRMError(CampaignErrorCode.NOT_CONFIGURED, "The SMTP port is not a number.", "smtp_url") from None
    return {
        "host": parts.hostname, "port": port,
        "username": unquote(parts.username or ""), "password": unquote(parts.password or ""),
        "use_ssl": parts.scheme == "smtps", "use_tls": query.get("tls", ["0"])[0] in ("1", "true"),
        "timeout": SEND_TIMEOUT_SECONDS,
    }
