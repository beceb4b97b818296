"""The double opt-in confirmation mail: one per subscription request, never two.

A signed-in customer's request is a ``ConsentRecord``; a visitor's is a
``PendingSubscription``. Either is claimed before the provider is called (the
mark set in the same statement that checks it was unset), so a duplicated or
retried task sends nothing a second time; the mail's ``Message-ID`` is
derived from the request.
"""

import logging

from django.db import connection
from django.utils import timezone
from django.utils.html import format_html

from ..config import get_setting, get_text_setting
from ..models import ConsentRecord, ConsentState, CustomerProfile, PendingSubscription
from .consent import CONFIRMATION_RESEND_AFTER, confirmation_token, pending_confirmation_token
from .mail import RenderedMail, build_message, message_id, plugin_url, sender
from .providers import open_connection
from .suppression import suppressed

logger = logging.getLogger(__name__)

HTML = """<!doctype html><html><body style="font-family:sans-serif;color:#1f2933">
<p>Please confirm that you want news and offers from {shop} by email.</p>
<p><a href="{url}" style="background:#1f2933;color:#fff;padding:10px 18px;border-radius:4px;
text-decoration:none">Confirm my subscription</a></p>
<p style="color:#6b7280;font-size:13px">The link works for {hours} hours. If you did not ask for this, ignore
this mail: you will not be subscribed.</p></body></html>"""
TEXT = """Please confirm that you want news and offers from {shop} by email:

{url}

The link works for {hours} hours. If you did not ask for this, ignore this mail: you will not be subscribed.
"""


def send_confirmation(record_id: int) -> str:
    """Send the confirmation mail of a pending request; returns what happened ("sent", or why not)."""
    record = ConsentRecord.objects.filter(pk=record_id).first()
    if record is None or record.state != ConsentState.PENDING:
        return "no pending request"
    profile = CustomerProfile.objects.filter(pk=record.profile_id, erased_at__isnull=True).first()
    if profile is None or not profile.email:
        return "no address"
    if suppressed([profile.email]):  # a bounce would come back; a complainer is not asked again
        return "suppressed"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE crm_consent_record SET detail = detail || jsonb_build_object('confirmation_mail', %s::text) "
            "WHERE id = %s AND NOT (detail ? 'confirmation_mail')", [timezone.now().isoformat(), record_id])
        if cursor.rowcount == 0:
            return "already sent"
    _send(profile.email, confirmation_token(record), message_id("confirm", record.pk), {"consent_request": record.pk})
    return "sent"


def send_pending_confirmation(pending_id: int) -> str:
    """Send the confirmation mail of a visitor's pending subscription; returns what happened."""
    pending = PendingSubscription.objects.filter(pk=pending_id, confirmed_at__isnull=True).first()
    now = timezone.now()
    if pending is None or pending.expires_at < now:
        return "no pending request"
    if suppressed([pending.email]):
        return "suppressed"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE crm_pending_subscription SET confirmation_sent_at = %s WHERE id = %s "
            "AND (confirmation_sent_at IS NULL OR confirmation_sent_at <= %s)",
            [now, pending_id, now - CONFIRMATION_RESEND_AFTER])
        if cursor.rowcount == 0:
            return "already sent"
    _send(pending.email, pending_confirmation_token(pending),
          message_id("confirm-request", f"{pending.pk}-{int(now.timestamp())}"), {"subscription_request": pending.pk})
    return "sent"


def _send(address: str, token: str, mail_id: str, metadata: dict) -> None:
    shop = get_text_setting("shop_name") or get_text_setting("from_name") or "our shop"
    url = plugin_url(f"confirm/{token}")
    hours = get_setting("confirmation_link_hours")
    mail = RenderedMail(subject=f"Confirm your subscription to {shop}",
                        html=format_html(HTML, shop=shop, url=url, hours=hours),
                        text=TEXT.format(shop=shop, url=url, hours=hours))
    message = build_message(mail, to=address, from_header=sender(), message_id=mail_id, metadata=metadata,
                            tags=["crm-confirmation"])
    # Failures propagate: the claim stays, so it is never sent twice; the shopper can ask again
    # (a new request after CONFIRMATION_RESEND_AFTER sends a new mail).
    open_connection().send_messages([message])
