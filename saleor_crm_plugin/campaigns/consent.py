"""Marketing consent per customer and Saleor channel, with the history that proves it.

Saleor has no marketing consent, so the CRM keeps it: ``ChannelConsent`` is
the current state per (customer, channel) — subscribed, unsubscribed or
pending a double opt-in; no row means never asked — and every change is
also appended to ``ConsentRecord`` with its source, time and proof, so the
shop can show when and how a person agreed.

A signed-in customer who subscribes before any order gets a profile, found
or created by the resolver the fold uses, under the fold lock, so a guest's
history joins their account later and an erased customer's tombstone is
honoured. A visitor who only types an address gets nothing stored but a
``PendingSubscription`` (with double opt-in on): the profile and the consent
are made when the confirmation link is opened, and the row expires with the
link.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from ..config import get_setting
from ..db import take_fold_lock
from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..models import (
    ChannelConsent, ConsentRecord, ConsentSource, ConsentState, CustomerProfile, ErasedIdentity, PendingSubscription,
)
from ..normalized.fields import CHANNEL_RE
from ..normalized.schema import EMAIL_RE, Customer, normalize_email
from ..profiles.identity import resolve_customer
from ..profiles.metrics import mark_dirty
from ..profiles.privacy import identity_hash
from ..schedule import CONFIRMATION_TASK, send_task
from . import tokens

# A second subscribe request within this time sends no second confirmation mail.
CONFIRMATION_RESEND_AFTER = timedelta(minutes=10)
MAX_DETAIL_KEYS = 10


def validate_channel(channel) -> str:
    """A Saleor channel slug, or ``CRMError`` ``INVALID_CHANNEL``."""
    if not isinstance(channel, str) or not CHANNEL_RE.fullmatch(channel):
        raise CRMError(CampaignErrorCode.INVALID_CHANNEL, "Give a channel slug (letters, digits, - and _).", "channel")
    return channel


def validate_email(email) -> str:
    """A normalized address, or ``CRMError`` ``INVALID_EMAIL``."""
    normalized = normalize_email(email) if isinstance(email, str) else None
    if not normalized or len(normalized) > 254 or not EMAIL_RE.match(normalized):
        raise CRMError(CampaignErrorCode.INVALID_EMAIL, "Enter a valid email address.", "email")
    return normalized


def set_consent(state: ConsentState, channel: str, source: ConsentSource, *, profile_id: int | None = None,
                user_id: int | None = None, email: str | None = None, detail: dict | None = None,
                at: datetime | None = None) -> ChannelConsent:
    """Record ``state`` for one customer in ``channel`` and return the current consent.

    Staff name the customer by ``profile_id``; a signed-in shopper by
    ``user_id`` and their account's ``email`` (their profile is found or
    created as the fold would). Raises ``CRMError`` ``NOT_FOUND`` for an
    unknown or erased customer.
    """
    channel = validate_channel(channel)
    state, source = ConsentState(state), ConsentSource(source)
    with transaction.atomic():
        take_fold_lock()
        profile = _profile(profile_id=profile_id, user_id=user_id, email=email)
        return _change(profile.pk, channel, state, source, detail or {}, at or timezone.now())


def subscribe(channel: str, *, email: str, user_id: int | None = None, detail: dict | None = None) -> ChannelConsent:
    """A storefront subscription: pending with a confirmation mail (double opt-in on), else subscribed.

    Idempotent: subscribing again while subscribed changes nothing, and a
    pending subscription gets at most one confirmation mail per
    ``CONFIRMATION_RESEND_AFTER``. A suppressed address may subscribe (the
    record is kept) but still gets no marketing mail.
    """
    channel = validate_channel(channel)
    email = validate_email(email)
    now = timezone.now()
    with transaction.atomic():
        take_fold_lock()
        profile = _profile(user_id=user_id, email=email, create=True)
        current = ChannelConsent.objects.filter(profile_id=profile.pk, channel=channel).first()
        if current is not None and current.state == ConsentState.SUBSCRIBED:
            return current
        if not get_setting("double_opt_in"):
            return _change(profile.pk, channel, ConsentState.SUBSCRIBED, ConsentSource.STOREFRONT, detail or {}, now)
        if (current is not None and current.state == ConsentState.PENDING
                and current.updated_at > now - CONFIRMATION_RESEND_AFTER):
            return current
        consent = _change(profile.pk, channel, ConsentState.PENDING, ConsentSource.STOREFRONT, detail or {}, now,
                          always_record=True)
        record_id = ConsentRecord.objects.filter(profile_id=profile.pk, channel=channel).latest("at", "pk").pk
        transaction.on_commit(lambda: send_task(CONFIRMATION_TASK, "double opt-in", args=(record_id,)))
    return consent


def request_subscription(channel: str, *, email: str, detail: dict | None = None) -> ConsentState:
    """A visitor's storefront subscription by address: what it leads to (pending or subscribed).

    With double opt-in on, nothing but a ``PendingSubscription`` is stored and
    one confirmation mail is sent (none again within
    ``CONFIRMATION_RESEND_AFTER``, none to an erased customer or an address
    already subscribed in the channel). With it off, the merchant chose to
    subscribe addresses as typed: the customer is subscribed at once.
    """
    channel = validate_channel(channel)
    email = validate_email(email)
    if not get_setting("double_opt_in"):
        try:
            subscribe(channel, email=email, detail=detail)
        except CRMError as error:
            if error.code_value != CampaignErrorCode.NOT_FOUND.value:  # an erased customer: nothing, silently
                raise
        return ConsentState.SUBSCRIBED
    if ErasedIdentity.objects.filter(identity_hash=identity_hash("email", email)).exists() or \
            ChannelConsent.objects.filter(profile__email=email, profile__erased_at__isnull=True, channel=channel,
                                          state=ConsentState.SUBSCRIBED).exists():
        return ConsentState.PENDING  # nothing to ask: the answer must not tell which
    now = timezone.now()
    expires = now + timedelta(hours=get_setting("confirmation_link_hours"))
    with transaction.atomic(), connection.cursor() as cursor:
        # One row per (address, channel): a request again renews it; its mail goes again only once the
        # last one is CONFIRMATION_RESEND_AFTER old (the claim in send_pending_confirmation).
        cursor.execute(
            "INSERT INTO crm_pending_subscription (email, channel, requested_at, expires_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (email, channel) DO UPDATE SET requested_at = EXCLUDED.requested_at, "
            "expires_at = EXCLUDED.expires_at, confirmed_at = NULL "
            "RETURNING id, confirmation_sent_at", [email, channel, now, expires])
        pending_id, sent_at = cursor.fetchone()
        if sent_at is None or sent_at <= now - CONFIRMATION_RESEND_AFTER:
            transaction.on_commit(lambda: send_task(CONFIRMATION_TASK, "double opt-in", args=(pending_id, True)))
    return ConsentState.PENDING


def pending_confirmation_token(pending: PendingSubscription) -> str:
    """The signed token of the confirmation link for a visitor's pending subscription."""
    return tokens.make_token(tokens.CONFIRM, {"s": pending.pk, "c": pending.channel})


def forget_expired_requests(now: datetime | None = None) -> int:
    """Delete pending subscriptions whose link expired (they name a person who never confirmed)."""
    deleted, _ = PendingSubscription.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


def confirmation_token(record: ConsentRecord) -> str:
    """The signed token of the confirmation link for a pending subscription request."""
    return tokens.make_token(tokens.CONFIRM, {"r": record.pk, "p": record.profile_id, "c": record.channel})


def confirm(token) -> ChannelConsent:
    """Confirm a double opt-in from its link; ``INVALID_TOKEN`` / ``TOKEN_EXPIRED`` otherwise.

    Confirming twice is harmless; a link superseded by a later change (the
    person unsubscribed meanwhile) is refused.
    """
    payload = tokens.read_token(tokens.CONFIRM, token, max_age_seconds=get_setting("confirmation_link_hours") * 3600)
    if "s" in payload:
        return _confirm_pending(payload.get("s"), payload.get("c"))
    record_id, profile_id, channel = payload.get("r"), payload.get("p"), payload.get("c")
    if not all(isinstance(v, int) for v in (record_id, profile_id)) or not isinstance(channel, str):
        raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link is not valid.", "token")
    with transaction.atomic():
        take_fold_lock()
        current = ChannelConsent.objects.select_for_update().filter(profile_id=profile_id, channel=channel).first()
        latest = ConsentRecord.objects.filter(profile_id=profile_id, channel=channel).order_by("-at", "-pk").first()
        if current is None or latest is None:  # erased meanwhile
            raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link is not valid any more.", "token")
        if current.state == ConsentState.SUBSCRIBED:
            return current
        if current.state != ConsentState.PENDING or latest.pk != record_id:
            raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link was replaced by a newer request.", "token")
        return _change(profile_id, channel, ConsentState.SUBSCRIBED, ConsentSource.CONFIRMATION_LINK,
                       {"request": record_id, "requested_at": latest.at.isoformat()}, timezone.now())


def _confirm_pending(pending_id, channel) -> ChannelConsent:
    """A visitor's confirmation: the customer is found or created now, with the request and its confirmation
    on record. A second click is harmless; an expired or erased request is refused."""
    if not isinstance(pending_id, int) or not isinstance(channel, str):
        raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link is not valid.", "token")
    now = timezone.now()
    with transaction.atomic():
        take_fold_lock()
        pending = PendingSubscription.objects.select_for_update().filter(pk=pending_id, channel=channel).first()
        if pending is None:
            raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link is not valid any more.", "token")
        if pending.expires_at < now:
            raise CRMError(CampaignErrorCode.TOKEN_EXPIRED, "This link has expired.", "token")
        try:
            profile = _profile(email=pending.email, create=True)
        except CRMError:  # the customer was erased meanwhile
            raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link is not valid any more.", "token") from None
        current = ChannelConsent.objects.filter(profile_id=profile.pk, channel=channel).first()
        if pending.confirmed_at is not None and current is not None:
            return current
        _change(profile.pk, channel, ConsentState.PENDING, ConsentSource.STOREFRONT, {"signed_in": False},
                pending.requested_at, always_record=True)
        consent = _change(profile.pk, channel, ConsentState.SUBSCRIBED, ConsentSource.CONFIRMATION_LINK,
                          {"requested_at": pending.requested_at.isoformat()}, now)
        PendingSubscription.objects.filter(pk=pending.pk).update(confirmed_at=now)
        return consent


def unsubscribe_by_token(token, source: ConsentSource = ConsentSource.ONE_CLICK) -> ChannelConsent | None:
    """Unsubscribe the recipient of a mail from its signed link; None when the customer was erased."""
    payload = tokens.read_token(tokens.UNSUBSCRIBE, token)
    profile_id, channel = payload.get("p"), payload.get("c")
    if not isinstance(profile_id, int) or not isinstance(channel, str) or not CHANNEL_RE.fullmatch(channel):
        raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link is not valid.", "token")
    detail = {"campaign": payload["k"]} if isinstance(payload.get("k"), int) else {}
    with transaction.atomic():
        take_fold_lock()
        if not CustomerProfile.objects.filter(pk=profile_id, erased_at__isnull=True).exists():
            return None
        return _change(profile_id, channel, ConsentState.UNSUBSCRIBED, ConsentSource(source), detail,
                       timezone.now())


def unsubscribe_everywhere(profile_id: int, source: ConsentSource, detail: dict | None = None) -> int:
    """Unsubscribe a customer in every channel they have consent in (a complaint); returns how many changed."""
    with transaction.atomic():
        take_fold_lock()
        channels = list(ChannelConsent.objects.filter(profile_id=profile_id).exclude(
            state=ConsentState.UNSUBSCRIBED).values_list("channel", flat=True))
        for channel in channels:
            _change(profile_id, channel, ConsentState.UNSUBSCRIBED, source, detail or {}, timezone.now())
    return len(channels)


def consents_of(profile_id: int) -> list[ChannelConsent]:
    """The customer's current consent per channel (channels never asked about are absent)."""
    return list(ChannelConsent.objects.filter(profile_id=profile_id).order_by("channel"))


def history_of(profile_id: int, limit: int = 100) -> list[ConsentRecord]:
    """The customer's consent changes, newest first."""
    return histories_of([profile_id], limit)[profile_id]


def histories_of(profile_ids, limit: int = 100) -> dict[int, list[ConsentRecord]]:
    """``history_of`` each profile in one query (an index scan per customer on crm_consent_record_profile_idx)."""
    ids = sorted({int(pk) for pk in profile_ids})
    found: dict[int, list[ConsentRecord]] = {pk: [] for pk in ids}
    if ids:
        for record in ConsentRecord.objects.raw(
                "SELECT c.* FROM unnest(%s::bigint[]) AS p(id) CROSS JOIN LATERAL (SELECT * FROM crm_consent_record r "
                "WHERE r.profile_id = p.id ORDER BY r.at DESC, r.id DESC LIMIT %s) c "
                "ORDER BY c.profile_id, c.at DESC, c.id DESC", [ids, limit]):
            found[record.profile_id].append(record)
    return found


def _change(profile_id: int, channel: str, state: ConsentState, source: ConsentSource, detail: dict,
            at: datetime, *, always_record: bool = False) -> ChannelConsent:
    """Upsert the current state and append the record (unless nothing changed)."""
    detail = {str(k)[:40]: v for k, v in list(detail.items())[:MAX_DETAIL_KEYS]}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state FROM crm_channel_consent WHERE profile_id = %s AND channel = %s FOR UPDATE",
            [profile_id, channel])
        row = cursor.fetchone()
        if row is not None and row[0] == state and not always_record:
            return ChannelConsent.objects.get(profile_id=profile_id, channel=channel)
        cursor.execute(
            "INSERT INTO crm_channel_consent (profile_id, channel, state, source, updated_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (profile_id, channel) DO UPDATE "
            "SET state = EXCLUDED.state, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at",
            [profile_id, channel, state.value, source.value, at])
    ConsentRecord.objects.create(profile_id=profile_id, channel=channel, state=state, source=source,
                                 detail=detail, at=at)
    return ChannelConsent.objects.get(profile_id=profile_id, channel=channel)


def _profile(*, profile_id: int | None = None, user_id: int | None = None, email: str | None = None,
             create: bool = False) -> CustomerProfile:
    if profile_id is not None:
        profile = CustomerProfile.objects.filter(pk=profile_id, erased_at__isnull=True).first()
        if profile is None:
            raise CRMError(CampaignErrorCode.NOT_FOUND, "No such customer.", "customer")
        return profile
    if user_id is None and not (create and email):
        raise CRMError(CampaignErrorCode.REQUIRED, "Give a customer.", "customer")
    email = normalize_email(email)
    # The token's email is Saleor's business: one the fold would refuse is
    # left out rather than stored or turned into an error for the shopper.
    if email is not None and not EMAIL_RE.match(email):
        email = None
    target, dirty = resolve_customer(Customer(user_id=user_id, email=email), timezone.now())
    if not isinstance(target, CustomerProfile):  # a tombstone: the customer was erased
        raise CRMError(CampaignErrorCode.NOT_FOUND, "This customer's CRM data was erased.", "customer")
    mark_dirty(dirty)
    return target
