"""One marketing or service mail as Django sends it: sender, links, headers and a deterministic Message-ID.

Every mail the CRM sends is built here, so each carries the same things:
an HTML and a text part, the RFC 8058 one-click unsubscribe headers (for
marketing mail), a ``Message-ID`` derived from what the mail is (a retry of
the same delivery has the same id, so a provider or a reader can tell a
duplicate), and anymail's metadata and tags for tracking.
"""

from dataclasses import dataclass
from email.utils import formataddr

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives

from ..config import PLUGIN_PATH, get_text_setting
from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..text import one_line
from . import tokens


@dataclass(frozen=True)
class RenderedMail:
    """A mail's subject and bodies after rendering for one recipient."""

    subject: str
    html: str
    text: str


def public_url() -> str:
    """The shop's public base URL (setting ``public_url``, else Django's ``PUBLIC_URL``), without a trailing slash."""
    base = get_text_setting("public_url") or getattr(django_settings, "PUBLIC_URL", None) or ""
    if not base:
        raise CRMError(CampaignErrorCode.NOT_CONFIGURED,
                       "Set the public URL (links in mails need it).", "public_url")
    return base.rstrip("/")


def plugin_url(path: str) -> str:
    """The absolute URL of one of the plugin's HTTP endpoints."""
    return f"{public_url()}{PLUGIN_PATH}{path}"


def unsubscribe_url(profile_id: int, channel: str, campaign_id: int | None = None) -> str:
    """The signed per-recipient unsubscribe link (no login; GET confirms, POST unsubscribes)."""
    payload = {"p": profile_id, "c": channel}
    if campaign_id is not None:
        payload["k"] = campaign_id
    return plugin_url(f"unsubscribe/{tokens.make_token(tokens.UNSUBSCRIBE, payload)}")


def sender_address(from_email: str = "") -> str:
    """The sender address: the campaign's, else the configured one, else Django's ``DEFAULT_FROM_EMAIL``."""
    address = from_email or get_text_setting("from_email") or django_settings.DEFAULT_FROM_EMAIL
    if not address:
        raise CRMError(CampaignErrorCode.NOT_CONFIGURED, "Set the sender address.", "from_email")
    return address


def sender(from_name: str = "", from_email: str = "") -> str:
    """``"Name <address>"`` for the From header (the name is encoded when it needs to be)."""
    name = from_name or get_text_setting("from_name") or get_text_setting("shop_name")
    return formataddr((name, sender_address(from_email))) if name else sender_address(from_email)


def message_id(*parts, from_email: str = "") -> str:
    """A deterministic ``Message-ID`` for the mail identified by ``parts`` (e.g. "campaign", 3, "delivery", 41)."""
    domain = sender_address(from_email).rpartition("@")[2] or "localhost"
    return f"<crm.{'.'.join(str(part) for part in parts)}@{domain}>"


def build_message(mail: RenderedMail, *, to: str, from_header: str, message_id: str, reply_to: str = "",
                  unsubscribe: str | None = None, metadata: dict | None = None,
                  tags: list[str] | None = None, headers: dict | None = None) -> EmailMultiAlternatives:
    """The Django message for one recipient; ``unsubscribe`` (a URL) adds the one-click headers."""
    all_headers = {"Message-ID": message_id, **(headers or {})}
    if unsubscribe:
        mailbox = get_text_setting("unsubscribe_mailto") or sender_address(
            from_header.rpartition("<")[2].rstrip(">"))
        all_headers["List-Unsubscribe"] = f"<{unsubscribe}>, <mailto:{mailbox}?subject=unsubscribe>"
        all_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # A subject is rendered from data (a customer's name, a product's): a line break there would end the header.
    message = EmailMultiAlternatives(
        subject=one_line(mail.subject), body=mail.text, from_email=from_header, to=[to],
        reply_to=[reply_to] if reply_to else None, headers=all_headers,
    )
    message.attach_alternative(mail.html, "text/html")
    # Read by anymail's ESP backends (custom metadata and tags for tracking webhooks);
    # plain Django backends ignore them.
    message.metadata = {key: str(value) for key, value in (metadata or {}).items()}
    message.tags = list(tags or [])
    return message
