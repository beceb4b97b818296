"""Erasure and export of one customer's CRM data (GDPR articles 17 and 15).

Erasure removes personal data (email, names, user id, raw source payloads)
from every CRM table and keeps the anonymized aggregates: the profile row
stays, without identity, so shop-wide figures do not change. Keyed tombstones
(HMAC of the email and the user id) make later deliveries of older events
fold into the anonymized profile instead of re-creating personal data.
"""

import hashlib
import hmac
from functools import lru_cache
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..events.schema import normalize_email
from ..events.summaries import summarize_payload
from ..models import (
    CRMCheckout, CRMEvent, CRMOrder, CustomerNote, CustomerProfile, CustomerSpend, ErasedIdentity,
)

SCRUB_EVENT_SQL = """
UPDATE crm_event SET payload = jsonb_set(payload, '{customer}', '{"erased": true}'::jsonb), raw = NULL
WHERE (profile_id = ANY(%s))
   OR (status = 'pending' AND payload ? 'customer' AND (
        payload->'customer'->>'email' = %s OR payload->'customer'->>'user_id' = %s))
"""


def identity_hash(kind: str, value, secret: str | None = None) -> str:
    """Keyed hash of an identity, not reversible without the SECRET_KEY."""
    return _keyed_hash(secret or settings.SECRET_KEY, kind, str(value))


@lru_cache(maxsize=65536)
def _keyed_hash(secret: str, kind: str, value: str) -> str:
    # Every folded event hashes its customer's identities: cache them.
    return hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _profiles_for(user_id: int | None, email: str | None):
    query = CustomerProfile.objects.none()
    if user_id is not None:
        query |= CustomerProfile.objects.filter(user_id=user_id)
    if email:
        query |= CustomerProfile.objects.filter(email=email)
    return list(query.order_by("pk"))


@transaction.atomic
def erase_customer(
    *, user_id: int | None = None, email: str | None = None, erased_at: datetime | None = None
) -> list[int]:
    """Erase a customer's personal data; return the ids of the anonymized profiles.

    Idempotent. With no profile yet (the deletion arrived first) an empty
    anonymized profile is created so the tombstones have somewhere to point.
    """
    email = normalize_email(email)
    if user_id is None and not email:
        raise ValueError("erase_customer needs a user id or an email")
    erased_at = erased_at or timezone.now()
    profiles = _profiles_for(user_id, email)
    identities = {("user", user_id)} if user_id is not None else set()
    if email:
        identities.add(("email", email))
    for profile in profiles:
        if profile.user_id is not None:
            identities.add(("user", profile.user_id))
        if profile.email:
            identities.add(("email", profile.email))
    if not profiles:
        tomb = ErasedIdentity.objects.filter(
            identity_hash__in=[identity_hash(k, v) for k, v in identities]
        ).first()
        profiles = [tomb.profile] if tomb else [CustomerProfile.objects.create(erased_at=erased_at)]
    ids = [p.pk for p in profiles]
    CustomerProfile.objects.filter(pk__in=ids).update(
        user_id=None, email=None, first_name="", last_name="",
        marketing_consent=None, marketing_consent_at=None, marketing_consent_source="",
        erased_at=erased_at, updated_at=timezone.now(),
    )
    CustomerNote.objects.filter(profile_id__in=ids).delete()
    CRMOrder.objects.filter(profile_id__in=ids).update(user_id=None, email=None)
    CRMCheckout.objects.filter(profile_id__in=ids).update(user_id=None, email=None, lines=[])
    for kind, value in identities:
        if kind == "email":
            CRMOrder.objects.filter(email=value).update(email=None, user_id=None)
            CRMCheckout.objects.filter(email=value).update(email=None, user_id=None, lines=[])
        ErasedIdentity.objects.update_or_create(
            identity_hash=identity_hash(kind, value),
            defaults={"profile_id": ids[0], "erased_at": erased_at},
        )
    user_ids = [str(v) for k, v in identities if k == "user"] or [""]
    emails = [v for k, v in identities if k == "email"] or [""]
    with connection.cursor() as cursor:
        for uid in user_ids:
            for mail in emails:
                cursor.execute(SCRUB_EVENT_SQL, [ids, mail, uid])
    return ids


def export_customer(*, user_id: int | None = None, email: str | None = None) -> dict:
    """Everything the CRM stores about one customer, as a JSON-ready dict."""
    profiles = _profiles_for(user_id, normalize_email(email))
    if not profiles:
        return {"profiles": []}
    result = []
    for profile in profiles:
        orders = CRMOrder.objects.filter(profile=profile).prefetch_related("lines").order_by("placed_at")
        result.append({
            "profile": _plain(profile, exclude={"id"}),
            "spend": [_plain(s, exclude={"id", "profile"}) for s in CustomerSpend.objects.filter(profile=profile)],
            "orders": [
                {**_plain(o, exclude={"id", "profile"}),
                 "lines": [_plain(l, exclude={"id", "order"}) for l in o.lines.all()]}
                for o in orders
            ],
            "checkouts": [
                _plain(c, exclude={"id", "profile"}) for c in CRMCheckout.objects.filter(profile=profile)
            ],
            "notes": [_plain(n, exclude={"id", "profile"}) for n in CustomerNote.objects.filter(profile=profile)],
            "events": [
                {"kind": e.kind, "occurred_at": e.occurred_at.isoformat(),
                 "summary": summarize_payload(e.payload), "payload": e.payload}
                for e in CRMEvent.objects.filter(profile=profile).order_by("occurred_at", "pk")
            ],
        })
    return {"profiles": result}


def _plain(instance, exclude=frozenset()) -> dict:
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in exclude:
            continue
        value = getattr(instance, f.attname)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        data[f.name] = value
    return data
