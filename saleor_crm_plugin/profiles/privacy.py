"""Erasure and export of one customer's CRM data (GDPR articles 17 and 15).

Erasure removes personal data (email, names, user id, raw source payloads)
from every CRM table and keeps the anonymized aggregates: the profile row
stays, without identity, so shop-wide figures do not change. Keyed tombstones
(HMAC of the email and the user id) make later deliveries of older events
fold into the anonymized profile instead of re-creating personal data.

Where personal data lives (every ``crm_*`` table, see ``models/``):

* ``crm_customer_profile``: user_id, email, first_name, last_name, phone → cleared;
* ``crm_order`` / ``crm_checkout``: user_id, email, the order's phone (checkout lines too) → cleared;
* ``crm_event``: payload (customer, and whatever an untrusted payload carried),
  raw (the source's payload), error_message (may quote a value) → ``scrub_events``;
* ``crm_customer_note``: staff notes about the person → deleted;
* ``crm_channel_consent`` / ``crm_consent_record``: consent and its proof → deleted;
* ``crm_pending_subscription``: an address typed into the storefront, not confirmed yet → deleted;
* ``crm_delivery``: the address a campaign mail went to (and provider errors) → cleared,
  the row kept for the campaign's totals;
* ``crm_suppression``: the address → cleared; its SHA-256 stays (reason ``erased``
  unless a bounce or complaint was there first), so the person is never mailed again;
* ``crm_automation_run``: what an automation planned for the person → its context (the cart's lines,
  the order) cleared; kind, step, state, reason and times kept (the automations' figures);
* ``crm_delivery_event``: what the ESP reported about their mails (payloads with the address) → deleted;
* ``crm_segment_member``: that the person is in a segment → deleted;
* ``crm_service_request``: the reply address and the subject → cleared; kind, order,
  status and times kept (the shop's service figures);
* ``crm_service_message``: the threads (the person's words and the replies to them) → deleted;
* ``crm_survey_response``: the comment → cleared; kind, score, order and time kept
  (the shop's satisfaction figures);
* ``crm_customer_spend``, ``crm_customer_analytics``, ``crm_dirty_profile``: figures
  keyed by the anonymized profile, no identity → kept (the aggregates);
* ``crm_customer_propensity``: a prediction about the person, with its reasons → deleted
  (the next night's scoring leaves erased profiles out);
* ``crm_order.country`` / ``crm_customer_profile.country``: a country code
  without any identity → kept for shop-wide country figures.
"""

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..error_codes import ProfileErrorCode
from ..errors import CRMError
from ..normalized.schema import EVENT_TYPES, Line, normalize_email
from ..db import take_fold_lock
from ..models import (
    AutomationRun, ChannelConsent, CustomerPropensity, PendingSubscription, DeliveryEvent, ConsentRecord, CRMCheckout, CRMOrder, CustomerNote, CustomerProfile, Delivery, ErasedIdentity,
    Suppression, SuppressionReason,
)
from ..models.consent import email_hash
from ..models.support import ServiceMessage, ServiceRequest, SurveyResponse

ERASED_CUSTOMER = {"erased": True}
REDACTED = "[erased]"

# Events about a person: those linked to their profiles; unlinked ones
# (pending, rejected, or a processed deletion) naming them in the payload's
# customer; and those of another profile whose order or checkout carries
# their address (an account may order with an address another account
# holds). Rows not yet folded may have any shape, so their whole text is
# searched for the email or the Saleor global id as well. No payload index
# exists: unlinked rows are read in full (erasure ≈ 0.2 s with 1M events).
NAMES_THEM = """(lower(btrim(payload->'customer'->>'email')) = ANY(%(emails)s::text[])
  OR btrim(payload->'customer'->>'user_id') = ANY(%(users)s::text[]))"""
EVENTS_ABOUT_SQL = f"""
SELECT id FROM crm_event WHERE profile_id = ANY(%(profiles)s::bigint[])
UNION
SELECT id FROM crm_event WHERE profile_id IS NULL AND ({NAMES_THEM}
  OR (status <> 'processed' AND (
       payload::text ILIKE ANY(%(patterns)s::text[])
    OR coalesce(raw::text, '') ILIKE ANY(%(patterns)s::text[])
    OR error_message ILIKE ANY(%(patterns)s::text[]))))
UNION
SELECT id FROM crm_event WHERE {NAMES_THEM} AND profile_id IN (
  SELECT profile_id FROM crm_order WHERE email = ANY(%(emails)s::text[]) OR user_id = ANY(%(user_ids)s::bigint[])
  UNION
  SELECT profile_id FROM crm_checkout WHERE email = ANY(%(emails)s::text[]) OR user_id = ANY(%(user_ids)s::bigint[]))
"""


def identity_hash(kind: str, value, secret: str | None = None) -> str:
    """Keyed hash of an identity, not reversible without the SECRET_KEY."""
    return _keyed_hash(secret or settings.SECRET_KEY, kind, str(value))


@lru_cache(maxsize=65536)
def _keyed_hash(secret: str, kind: str, value: str) -> str:
    # Every folded event hashes its customer's identities: cache them.
    return hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def user_global_id(user_id) -> str:
    """Saleor's global id of a user (``base64("User:<pk>")``), as payloads and tokens quote it."""
    return base64.b64encode(f"User:{user_id}".encode()).decode()


# --- the one scrubbing rule for event rows ---------------------------------------


@lru_cache(maxsize=1)
def _kept_keys() -> tuple[frozenset, frozenset]:
    # Only what the normalized schema reads survives a scrub: a webhook
    # payload stored as it came may carry addresses or notes under other keys.
    top = {"type"} | {f.name for cls in EVENT_TYPES.values() for f in fields(cls)}
    return frozenset(top - {"customer"}), frozenset(f.name for f in fields(Line))


@dataclass(frozen=True)
class Personal:
    """The values that name one person: emails, user ids and names, for redacting free text."""

    emails: frozenset = frozenset()
    user_ids: frozenset = frozenset()
    names: frozenset = frozenset()

    @property
    def pattern(self) -> re.Pattern | None:
        """One case-insensitive pattern matching any of the values (names as whole words); None when empty."""
        return _pattern(self.emails, self.user_ids, self.names)

    def with_names_of(self, customer) -> "Personal":
        if not isinstance(customer, dict):
            return self
        names = {str(customer.get(k) or "").strip() for k in ("first_name", "last_name")} - {""}
        return Personal(self.emails, self.user_ids, self.names | names)


@lru_cache(maxsize=256)
def _pattern(emails: frozenset, user_ids: frozenset, names: frozenset) -> re.Pattern | None:
    parts = [re.escape(e) for e in sorted(emails)]
    parts += [re.escape(user_global_id(u)) for u in sorted(user_ids)]
    parts += [rf"(?<!\d){re.escape(str(u))}(?!\d)" for u in sorted(user_ids)]
    parts += [rf"\b{re.escape(n)}\b" for n in sorted(names) if len(n) > 1]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def redact(value, pattern: re.Pattern | None):
    """``value`` (any JSON) with every string naming the person replaced by ``[erased]``."""
    if pattern is None:
        return value
    if isinstance(value, str):
        return REDACTED if pattern.search(value) else value
    if isinstance(value, list):
        return [redact(v, pattern) for v in value]
    if isinstance(value, dict):
        return {(REDACTED if pattern.search(k) else k): redact(v, pattern) for k, v in value.items()}
    return value


def scrub_event_payload(payload, pattern: re.Pattern | None = None) -> dict:
    """An event payload without personal data: the one rule for every scrub of ``crm_event``.

    The customer becomes ``{"erased": true}`` (the fold then keeps the event
    in the anonymized profile); keys the normalized schema does not read are
    dropped, lines keep only line fields. With ``pattern`` (rows that were
    never folded, whose shape is unknown) any string naming the person is
    replaced as well.
    """
    top, line_keys = _kept_keys()
    if not isinstance(payload, dict):
        return {"customer": dict(ERASED_CUSTOMER)}
    scrubbed = {k: v for k, v in payload.items() if k in top}
    if isinstance(scrubbed.get("lines"), list):
        scrubbed["lines"] = [
            {k: v for k, v in line.items() if k in line_keys} if isinstance(line, dict) else line
            for line in scrubbed["lines"]
        ]
    scrubbed = redact(scrubbed, pattern)
    scrubbed["customer"] = dict(ERASED_CUSTOMER)
    return scrubbed


def scrub_events(event_ids, personal: Personal | None = None, *, link_to: int | None = None) -> int:
    """Scrub these ``crm_event`` rows in place (payload, raw, error_message); return how many.

    Rows that were never folded (pending, rejected) are also redacted with
    ``personal``. ``link_to`` attaches unlinked, not rejected rows to that
    (anonymized) profile, so they fold into its aggregates.
    """
    ids = sorted({int(pk) for pk in event_ids})
    if not ids:
        return 0
    personal = personal or Personal()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, status, payload, error_message FROM crm_event WHERE id = ANY(%s::bigint[])",
                       [ids])
        rows = cursor.fetchall()
        updates = []
        for pk, status, payload, message in rows:
            payload = _json(payload)
            pattern = personal.with_names_of(_customer_of(payload)).pattern
            # Folded payloads have the schema's shape: their customer is all
            # that names the person (redacting would also hit order numbers).
            updates.append((pk, _dumps(scrub_event_payload(payload, pattern if status != "processed" else None)),
                            redact(message, pattern)))
        cursor.execute(
            "UPDATE crm_event e SET payload = v.payload::jsonb, raw = NULL, error_message = v.message, "
            "profile_id = CASE WHEN e.profile_id IS NULL AND e.status <> 'rejected' THEN %s ELSE e.profile_id END "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, payload, message) WHERE e.id = v.id",
            [link_to, [u[0] for u in updates], [u[1] for u in updates], [u[2] for u in updates]],
        )
    return len(updates)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _dumps(value) -> str:
    return json.dumps(value, default=str)


def _customer_of(payload):
    return payload.get("customer") if isinstance(payload, dict) else None


# --- erasure ---------------------------------------------------------------------


def profiles_for(user_id: int | None, email: str | None) -> list[CustomerProfile]:
    """The profiles with this user id or this (normalized) email, oldest first."""
    query = CustomerProfile.objects.none()
    if user_id is not None:
        query |= CustomerProfile.objects.filter(user_id=user_id)
    if email:
        query |= CustomerProfile.objects.filter(email=email)
    return list(query.order_by("pk"))


def identities_of(user_id, email, profiles) -> set[tuple[str, object]]:
    """``("user", id)`` and ``("email", address)`` pairs of a request and of its profiles."""
    identities = {("user", user_id)} if user_id is not None else set()
    if email:
        identities.add(("email", email))
    for profile in profiles:
        if profile.user_id is not None:
            identities.add(("user", profile.user_id))
        if profile.email:
            identities.add(("email", profile.email))
    return identities


def events_about(profile_ids, identities) -> list[int]:
    """Ids of the ``crm_event`` rows about a person: linked to their profiles or naming them."""
    emails = sorted(str(v) for k, v in identities if k == "email")
    users = sorted(str(v) for k, v in identities if k == "user")
    needles = emails + [user_global_id(u) for u in users]
    patterns = ["%" + re.sub(r"([\\%_])", r"\\\1", n) + "%" for n in needles]
    with connection.cursor() as cursor:
        cursor.execute(EVENTS_ABOUT_SQL, {"profiles": list(profile_ids), "emails": emails, "users": users,
                                          "user_ids": [int(u) for u in users], "patterns": patterns})
        return sorted(row[0] for row in cursor.fetchall())


def erase_customer(
    *, user_id: int | None = None, email: str | None = None, erased_at: datetime | None = None
) -> list[int]:
    """Erase a customer's personal data; return the ids of the anonymized profiles.

    One transaction under the fold lock, so no fold interleaves. Idempotent.
    With no profile yet (the deletion arrived first, or the person is only
    in rejected events) an empty anonymized profile is created so the
    tombstones have somewhere to point.
    """
    email = normalize_email(email)
    if user_id is None and not email:
        raise CRMError(ProfileErrorCode.REQUIRED, "Give a user id or an email.", "email")
    erased_at = erased_at or timezone.now()
    with transaction.atomic():
        take_fold_lock()
        profiles = profiles_for(user_id, email)
        identities = identities_of(user_id, email, profiles)
        names = {n for p in profiles for n in (p.first_name, p.last_name) if n}
        if not profiles:
            tomb = ErasedIdentity.objects.filter(
                identity_hash__in=[identity_hash(k, v) for k, v in identities]
            ).first()
            profiles = [tomb.profile] if tomb else [CustomerProfile.objects.create(erased_at=erased_at)]
        ids = [p.pk for p in profiles]
        CustomerProfile.objects.filter(pk__in=ids).update(
            user_id=None, email=None, first_name="", last_name="", phone="",
            erased_at=erased_at, updated_at=timezone.now(),
        )
        # Before the orders lose their address: it finds events of other profiles naming them.
        event_ids = events_about(ids, identities)
        CustomerNote.objects.filter(profile_id__in=ids).delete()
        _forget_mail(ids, [v for k, v in identities if k == "email"])
        emails = [v for k, v in identities if k == "email"]
        user_ids = [v for k, v in identities if k == "user"]
        personal = Personal(frozenset(emails), frozenset(user_ids), frozenset(names))
        _redact_profile_text(ids, personal.pattern)
        for model, extra in ((CRMOrder, {"phone": ""}), (CRMCheckout, {"lines": []})):
            model.objects.filter(profile_id__in=ids).update(user_id=None, email=None, **extra)
            model.objects.filter(email__in=emails).update(user_id=None, email=None, **extra)
            model.objects.filter(user_id__in=user_ids).update(user_id=None, email=None, **extra)
        _leave_segments(ids)
        _forget_support(ids, emails)
        scrub_events(event_ids, personal, link_to=ids[0])
        for kind, value in identities:
            ErasedIdentity.objects.update_or_create(
                identity_hash=identity_hash(kind, value),
                defaults={"profile_id": ids[0], "erased_at": erased_at},
            )
    return ids


def _forget_mail(profile_ids: list[int], emails: list[str]) -> None:
    # Consent and its proof go (nobody will be mailed again); deliveries keep
    # their state for the campaigns' totals but lose the address and any
    # provider message quoting it; the address stays suppressed by its hash
    # only, so a later import or subscription cannot mail the person again.
    ChannelConsent.objects.filter(profile_id__in=profile_ids).delete()
    CustomerPropensity.objects.filter(profile_id__in=profile_ids).delete()
    ConsentRecord.objects.filter(profile_id__in=profile_ids).delete()
    Delivery.objects.filter(profile_id__in=profile_ids).update(email=None, error="")
    AutomationRun.objects.filter(profile_id__in=profile_ids).update(context={})
    # What the ESP reported about their mails (its payloads hold the address): deleted, and any event
    # about them that matched no mail.
    DeliveryEvent.objects.filter(delivery__profile_id__in=profile_ids).delete()
    with connection.cursor() as cursor:
        for email in emails:
            cursor.execute("DELETE FROM crm_delivery_event WHERE delivery_id IS NULL "
                           "AND strpos(lower(raw::text), %s) > 0", [json.dumps(email.lower())[1:-1]])
    Delivery.objects.filter(email__in=emails).update(email=None, error="")
    PendingSubscription.objects.filter(email__in=emails).delete()
    for email in emails:
        row, _ = Suppression.objects.get_or_create(
            email_hash=email_hash(email),
            defaults={"reason": SuppressionReason.ERASED, "detail": "customer erased"})
        Suppression.objects.filter(pk=row.pk).update(email=None, detail="customer erased")


def _forget_support(profile_ids: list[int], emails: list[str]) -> None:
    # What the person wrote (and was answered) goes; the anonymized request and score rows stay for
    # response times, CSAT and NPS.
    ServiceMessage.objects.filter(request__profile_id__in=profile_ids).delete()
    ServiceRequest.objects.filter(profile_id__in=profile_ids).update(email=None, subject=REDACTED, closed_by="")
    ServiceRequest.objects.filter(email__in=emails).update(email=None)
    SurveyResponse.objects.filter(profile_id__in=profile_ids).update(comment="")


def _redact_profile_text(profile_ids: list[int], pattern: re.Pattern | None) -> None:
    # Any other text a profile holds (a recompute error quoting a value, a
    # field added later) must not name the person either.
    # Codes (country, currency) are too short to name anyone, and a name like
    # "Ua" must not blank a country code.
    text_fields = [f.attname for f in CustomerProfile._meta.concrete_fields
                   if f.get_internal_type() == "TextField"
                   or (f.get_internal_type() == "CharField" and (f.max_length or 0) >= len(REDACTED))]
    for profile in CustomerProfile.objects.filter(pk__in=profile_ids).only("pk", *text_fields):
        changed = {name: REDACTED for name in text_fields
                   if isinstance(getattr(profile, name), str) and pattern and pattern.search(getattr(profile, name))}
        if changed:
            CustomerProfile.objects.filter(pk=profile.pk).update(**changed)


def _leave_segments(profile_ids: list[int]) -> None:
    # Membership says something about the person; the counts follow at once.
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH gone AS (DELETE FROM crm_segment_member WHERE profile_id = ANY(%s::bigint[]) "
            "RETURNING segment_id) "
            "UPDATE crm_segment s SET member_count = greatest(s.member_count - g.n, 0) "
            "FROM (SELECT segment_id, count(*) AS n FROM gone GROUP BY segment_id) g WHERE s.id = g.segment_id",
            [profile_ids],
        )
