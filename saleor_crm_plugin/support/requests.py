"""Service requests from the storefront: a signed-in customer, or a guest who names an order of theirs.

A request is a thread: the customer's first message, the shop's replies
(``replies``) and the customer's answers. A second storefront message from
the same customer about the same request (named by id, or about the same
order) while it is open or answered joins that thread and reopens it.

A guest proves who they are with their email and an order number that
matches a CRM order placed with that address. A wrong pair is refused with
``ORDER_NOT_FOUND`` and the same words whether the order exists or not, so
the form cannot be used to find out which orders or addresses exist.
"""

from django.db import transaction
from django.utils import timezone

from ..campaigns.consent import validate_channel, validate_email
from ..db import take_fold_lock
from ..error_codes import SupportErrorCode
from ..errors import CRMError
from ..models import CRMOrder, CustomerProfile
from ..models.support import (
    MessageDirection, MessageState, ServiceMessage, ServiceRequest, ServiceRequestKind, ServiceRequestStatus,
)
from ..normalized.schema import EMAIL_RE, Customer, normalize_email
from ..profiles.identity import resolve_customer
from ..profiles.metrics import mark_dirty
from ..text import is_storable_text, one_line

MAX_SUBJECT = 200
MAX_BODY = 5000
MAX_ORDER_NUMBER = 64
STOREFRONT_KINDS = (ServiceRequestKind.QUESTION, ServiceRequestKind.COMPLAINT)
OPEN_STATES = (ServiceRequestStatus.OPEN, ServiceRequestStatus.ANSWERED)
# A long thread's References keep the root and the newest ids (RFC 5322 §3.6.4 allows trimming the middle).
MAX_REFERENCES = 20
NO_MATCH = "We found no order with this number for this email address."


def clean_text(value, field: str, *, limit: int, required: bool = True) -> str:
    """Trimmed text of at most ``limit`` characters; ``REQUIRED`` / ``TOO_LONG`` / ``INVALID`` otherwise."""
    if value is None:
        value = ""
    if not isinstance(value, str) or not is_storable_text(value):
        raise CRMError(SupportErrorCode.INVALID, "Text without NUL characters, please.", field)
    text = value.strip()
    if required and not text:
        raise CRMError(SupportErrorCode.REQUIRED, f"The {field} is empty.", field)
    if len(text) > limit:
        raise CRMError(SupportErrorCode.TOO_LONG, f"The {field} holds at most {limit} characters.", field)
    return text


def feedback(*, body, subject="", kind=ServiceRequestKind.QUESTION, channel="", user_id: int | None = None,
             account_email: str | None = None, email=None, order_number=None,
             request_id: int | None = None) -> ServiceRequest:
    """A storefront message: opens a request, or joins the customer's open one; returns the request.

    A signed-in customer gives ``user_id`` and ``account_email`` (from their
    token); a guest gives ``email`` and ``order_number``. ``order_number`` is
    optional for a signed-in customer and must then be one of their orders.
    ``request_id`` names the request to write to (it must be theirs and not
    closed); without it, a message about an order with a request still open
    or answered joins that one.
    """
    body = clean_text(body, "body", limit=MAX_BODY)
    # A subject is one line: it is quoted into the reply's Subject header.
    subject = one_line(clean_text(subject, "subject", limit=MAX_SUBJECT, required=False))
    try:
        kind = ServiceRequestKind(kind)
    except ValueError:
        kind = None
    if kind not in STOREFRONT_KINDS:
        raise CRMError(SupportErrorCode.INVALID_KIND, "A message is a question or a complaint.", "kind")
    channel = _channel(channel)
    if order_number is not None:
        order_number = clean_text(order_number, "orderNumber", limit=MAX_ORDER_NUMBER, required=False) or None
    if user_id is None:
        email = _email(email)
        if order_number is None:
            raise CRMError(SupportErrorCode.REQUIRED, "Give the number of one of your orders.", "orderNumber")
    with transaction.atomic():
        take_fold_lock()
        if user_id is not None:
            profile = _account_profile(user_id, account_email)
            order = _order_of(profile, order_number) if order_number is not None else None
            reply_to = profile.email or normalize_email(account_email)
        else:
            order = _guest_order(email, order_number)
            profile = order.profile
            reply_to = email
        if request_id is not None:
            request = ServiceRequest.objects.select_for_update().filter(pk=request_id, profile=profile).first()
            if request is None:
                raise CRMError(SupportErrorCode.NOT_FOUND, "No such request of yours.", "requestId")
            if request.status == ServiceRequestStatus.CLOSED:
                raise CRMError(SupportErrorCode.INVALID_STATE, "This request is closed: send a new message.",
                               "requestId")
        else:
            request = None
            if order is not None:
                request = ServiceRequest.objects.select_for_update().filter(
                    profile=profile, order_id=order.order_id, status__in=OPEN_STATES,
                ).exclude(kind=ServiceRequestKind.LOW_SCORE).order_by("-created_at", "-pk").first()
        if request is not None:
            add_customer_message(request, body, via="storefront")
            return request
        return _open(profile, kind=kind, subject=subject or _default_subject(kind, order), body=body,
                     channel=channel or (order.channel if order else ""), order=order, email=reply_to,
                     via="storefront")


def open_request(profile_id: int, *, kind, body: str, subject: str = "", channel: str = "",
                 order_id: str = "", via: str = "system") -> ServiceRequest:
    """Open a request for a known customer (an automation, a low survey score); returns it.

    ``kind`` is question, complaint or low_score; ``order_id`` Saleor's order
    id (its number is looked up). The reply address is the profile's email.
    Raises ``NOT_FOUND`` for an unknown or erased customer.
    """
    body = clean_text(body, "body", limit=MAX_BODY)
    # A subject is one line: it is quoted into the reply's Subject header.
    subject = one_line(clean_text(subject, "subject", limit=MAX_SUBJECT, required=False))
    try:
        kind = ServiceRequestKind(kind)
    except ValueError:
        raise CRMError(SupportErrorCode.INVALID_KIND, "Kinds: question, complaint, low_score.", "kind") from None
    channel = _channel(channel)
    with transaction.atomic():
        profile = CustomerProfile.objects.filter(pk=profile_id, erased_at__isnull=True).first()
        if profile is None:
            raise CRMError(SupportErrorCode.NOT_FOUND, "No such customer.", "customer")
        order = CRMOrder.objects.filter(order_id=order_id).first() if order_id else None
        return _open(profile, kind=kind, subject=subject or _default_subject(kind, order), body=body,
                     channel=channel or (order.channel if order else ""), order=order, email=profile.email,
                     via=via, order_id=order_id)


def add_customer_message(request: ServiceRequest, body: str, *, via: str) -> ServiceMessage:
    """Append the customer's message to ``request`` (locked by the caller); reopens an answered or closed one."""
    now = timezone.now()
    message = append_message(request, direction=MessageDirection.INBOUND, body=body, via=via, at=now)
    ServiceRequest.objects.filter(pk=request.pk).update(
        status=ServiceRequestStatus.OPEN, last_message_at=now, closed_at=None, closed_by="")
    request.refresh_from_db()
    return message


def thread_ids(request_id: int) -> list[str]:
    """The Message-IDs of a request's thread so far, oldest first."""
    return [mid for mid in ServiceMessage.objects.filter(request_id=request_id).exclude(message_id="").order_by(
        "created_at", "pk").values_list("message_id", flat=True)]


def append_message(request: ServiceRequest, *, direction, body: str, via: str, at, author: str = "",
                   idempotency_key: str | None = None) -> ServiceMessage:
    """A new message of ``request``'s thread (locked by the caller), with its Message-ID and threading headers.

    ``in_reply_to`` is the previous message's id, ``references`` the thread's
    (the root and the newest ``MAX_REFERENCES`` − 1). An outbound message
    starts ``sending``; an inbound one is ``received``.
    """
    from ..campaigns.mail import message_id

    previous = thread_ids(request.pk)
    message = ServiceMessage.objects.create(
        request=request, direction=direction, via=via, body=body, author=author, created_at=at,
        state=MessageState.RECEIVED if direction == MessageDirection.INBOUND else MessageState.SENDING,
        idempotency_key=idempotency_key, in_reply_to=previous[-1] if previous else "",
        references=" ".join(previous[:1] + previous[1:][-(MAX_REFERENCES - 1):]) if previous else "")
    message.message_id = message_id("support", request.pk, "message", message.pk, from_email=_from_email())
    ServiceMessage.objects.filter(pk=message.pk).update(message_id=message.message_id)
    return message



def _from_email() -> str:
    # The domain of the Message-IDs: the configured sender's, else "localhost" (storefront messages
    # are stored before any mail setting is made).
    from ..campaigns.mail import sender_address

    try:
        return sender_address()
    except CRMError:
        return "support@localhost"


def _open(profile: CustomerProfile, *, kind, subject: str, body: str, channel: str, order, email, via: str,
          order_id: str = "") -> ServiceRequest:
    now = timezone.now()
    request = ServiceRequest.objects.create(
        profile=profile, email=email, channel=channel, kind=kind, subject=subject[:MAX_SUBJECT],
        order_id=order.order_id if order else order_id, order_number=order.number if order else "",
        created_at=now, last_message_at=now)
    append_message(request, direction=MessageDirection.INBOUND, body=body, via=via, at=now)
    return request


def _default_subject(kind, order) -> str:
    what = {ServiceRequestKind.QUESTION: "Question", ServiceRequestKind.COMPLAINT: "Complaint",
            ServiceRequestKind.LOW_SCORE: "Low satisfaction score"}[kind]
    return f"{what} about order {order.number}" if order is not None and order.number else what


def _channel(channel) -> str:
    if channel in (None, ""):
        return ""
    try:
        return validate_channel(channel)
    except CRMError:
        raise CRMError(SupportErrorCode.INVALID_CHANNEL, "Give a channel slug (letters, digits, - and _).",
                       "channel") from None


def _email(email) -> str:
    try:
        return validate_email(email)
    except CRMError:
        raise CRMError(SupportErrorCode.INVALID_EMAIL, "Enter a valid email address.", "email") from None


def _account_profile(user_id: int, account_email: str | None) -> CustomerProfile:
    email = normalize_email(account_email)
    if email is not None and not EMAIL_RE.match(email):
        email = None  # the token's address is Saleor's business: left out, as consent does
    target, dirty = resolve_customer(Customer(user_id=user_id, email=email), timezone.now())
    if not isinstance(target, CustomerProfile):  # a tombstone: the customer was erased
        raise CRMError(SupportErrorCode.NOT_FOUND, "This customer's CRM data was erased.", "customer")
    mark_dirty(dirty)
    return target


def _order_of(profile: CustomerProfile, number: str) -> CRMOrder:
    order = CRMOrder.objects.filter(profile=profile, number=number).first()
    if order is None:
        raise CRMError(SupportErrorCode.ORDER_NOT_FOUND, "You have no order with this number.", "orderNumber")
    return order


def _guest_order(email: str, number: str) -> CRMOrder:
    # Through the profile with that address (a unique index), then its orders (crm_order_profile_idx):
    # crm_order has no index on number or email, and this form is open to anyone.
    order = CRMOrder.objects.filter(profile__email=email, profile__erased_at__isnull=True, number=number,
                                    email=email).select_related("profile").order_by("-placed_at").first()
    if order is None or order.profile is None:
        raise CRMError(SupportErrorCode.ORDER_NOT_FOUND, NO_MATCH, "orderNumber")
    return order
