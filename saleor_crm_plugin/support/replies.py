"""Staff replies by email, the customer's answer through the reply's link, and closing a request.

Exactly once: a reply is first stored (``sending``, with its Message-ID and
threading headers) and committed, then handed to the configured provider,
then recorded ``sent`` or ``failed``. The same ``idempotency_key`` again
returns the stored reply and sends nothing — unless it ``failed`` (the
provider refused it), when the same message (same id) is tried again. A
reply still ``sending`` after a crash is never resent: staff see it and
decide.

Each mail carries ``In-Reply-To`` (the previous message of the thread) and
``References`` (the thread), so it lands in one conversation in the
customer's mailbox, and a signed link to a page where the customer answers
without signing in; the answer joins the same thread.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks

from ..campaigns.mail import RenderedMail, build_message, public_url, sender
from ..campaigns.providers import open_connection
from ..config import get_text_setting
from ..error_codes import SupportErrorCode
from ..errors import CRMError
from ..models.support import MessageDirection, MessageState, ServiceMessage, ServiceRequest, ServiceRequestStatus
from ..text import one_line
from . import links
from .requests import MAX_BODY, add_customer_message, append_message, clean_text

logger = logging.getLogger(__name__)

MAX_KEY = 64
MAX_ERROR = 1000


def reply(request_id: int, body, *, author: str, idempotency_key) -> ServiceMessage:
    """Send a staff reply to the customer by email; returns the outbound message (``sent`` or ``failed``).

    Raises ``NOT_FOUND`` (no such request), ``INVALID_STATE`` (closed, or the
    customer's address was erased), ``REQUIRED``/``TOO_LONG`` for the body
    or the key, ``NOT_CONFIGURED`` when mail is not set up (nothing stored).
    """
    body = clean_text(body, "body", limit=MAX_BODY)
    key = clean_text(idempotency_key, "idempotencyKey", limit=MAX_KEY)
    public_url(), sender()  # NOT_CONFIGURED (no link base, no sender) before anything is stored
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise CRMError(SupportErrorCode.NOT_FOUND, "No such service request.", "id")
        message = ServiceMessage.objects.filter(request=request, idempotency_key=key).first()
        if message is not None and message.state != MessageState.FAILED:
            return message  # sent, or in flight: never a second mail
        if not request.email:
            raise CRMError(SupportErrorCode.INVALID_STATE, "The customer has no address (erased).", "id")
        if message is None:
            if request.status == ServiceRequestStatus.CLOSED:
                raise CRMError(SupportErrorCode.INVALID_STATE, "The request is closed.", "id")
            message = append_message(request, direction=MessageDirection.OUTBOUND, body=body, via="staff",
                              at=timezone.now(), author=author or "", idempotency_key=key)
        else:
            ServiceMessage.objects.filter(pk=message.pk).update(state=MessageState.SENDING, error="")
    return _send(request, message)


def _send(request: ServiceRequest, message: ServiceMessage) -> ServiceMessage:
    """Hand the stored reply to the provider and record what happened (after the commit)."""
    try:
        mail = build_message(
            _render(request, message), to=request.email, from_header=sender(), message_id=message.message_id,
            metadata={"service_request": request.pk, "message": message.pk}, tags=["crm-support"],
            headers=_threading(message))
        connection = open_connection()
        connection.send_messages([mail])
    except Exception as error:  # noqa: BLE001 - any refusal is recorded on the row and reported
        logger.warning("CRM: reply %s to service request %s failed: %s", message.pk, request.pk, error)
        ServiceMessage.objects.filter(pk=message.pk).update(
            state=MessageState.FAILED, error=f"{type(error).__name__}: {error}"[:MAX_ERROR])
    else:
        now = timezone.now()
        with transaction.atomic():
            ServiceMessage.objects.filter(pk=message.pk).update(state=MessageState.SENT, sent_at=now, error="")
            locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
            changes = {"last_message_at": now}
            if locked.status == ServiceRequestStatus.OPEN:
                changes["status"] = ServiceRequestStatus.ANSWERED
            if locked.first_response_at is None:
                changes["first_response_at"] = now
            ServiceRequest.objects.filter(pk=request.pk).update(**changes)
    message.refresh_from_db()
    return message


def _threading(message: ServiceMessage) -> dict:
    headers = {}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    return headers


def reply_url(request: ServiceRequest, message: ServiceMessage) -> str:
    """The signed link to the page where the customer answers ``message`` without signing in."""
    return links.link(links.REPLY, {"r": request.pk, "m": message.pk})


def _render(request: ServiceRequest, message: ServiceMessage) -> RenderedMail:
    url = reply_url(request, message)
    shop = get_text_setting("shop_name") or get_text_setting("from_name") or "us"
    # The customer typed the subject: whatever it holds, the reply's header is one line.
    subject = one_line(request.subject)
    subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    text = f"{message.body}\n\n-- \nAnswer here: {url}\nYour request #{request.pk} at {shop}.\n"
    html = (f"<!doctype html><html><body style=\"font-family:system-ui,sans-serif\">{linebreaks(message.body, autoescape=True)}"
            f"<p><a href=\"{escape(url)}\">Answer here</a></p>"
            f"<p style=\"color:#666;font-size:12px\">Your request #{request.pk} at {escape(shop)}.</p></body></html>")
    return RenderedMail(subject=subject, html=html, text=text)


def answer_by_link(token, body) -> ServiceMessage:
    """The customer's answer from a reply's link: joins the same thread and reopens the request."""
    payload = links.read(links.REPLY, token)
    body = clean_text(body, "body", limit=MAX_BODY)
    request_id, message_id = payload.get("r"), payload.get("m")
    if not isinstance(request_id, int) or not isinstance(message_id, int):
        raise links.invalid()
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().filter(
            pk=request_id, profile__erased_at__isnull=True, messages__pk=message_id).first()
        if request is None:  # erased meanwhile
            raise links.invalid()
        return add_customer_message(request, body, via="link")


def reply_being_answered(token) -> tuple[ServiceRequest, ServiceMessage]:
    """The request and the staff message a reply link answers (for its page); ``INVALID_TOKEN`` otherwise."""
    payload = links.read(links.REPLY, token)
    request_id, message_id = payload.get("r"), payload.get("m")
    if not isinstance(request_id, int) or not isinstance(message_id, int):
        raise links.invalid()
    message = ServiceMessage.objects.select_related("request").filter(
        pk=message_id, request_id=request_id, request__profile__erased_at__isnull=True).first()
    if message is None:
        raise links.invalid()
    return message.request, message


def close(request_id: int, *, author: str = "") -> ServiceRequest:
    """Close a request (its resolution time is then known); closing a closed one changes nothing."""
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise CRMError(SupportErrorCode.NOT_FOUND, "No such service request.", "id")
        if request.status != ServiceRequestStatus.CLOSED:
            ServiceRequest.objects.filter(pk=request.pk).update(
                status=ServiceRequestStatus.CLOSED, closed_at=timezone.now(), closed_by=author or "")
            request.refresh_from_db()
    return request
