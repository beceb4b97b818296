"""Marketing consent (Saleor has none): recorded on the customer's profile.

A customer who consents before any order gets a profile, found or created by
the same resolver the fold uses (``identity.resolve_customer``), under the
fold lock: a guest profile with their email is claimed, and an erased
customer's tombstone is honoured, so consent never re-creates personal data
that was erased.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..error_codes import ProfileErrorCode
from ..errors import CRMError
from ..normalized.schema import EMAIL_RE, Customer, normalize_email
from ..db import take_fold_lock
from ..models import CustomerProfile
from .identity import resolve_customer
from .metrics import mark_dirty

MAX_SOURCE = CustomerProfile._meta.get_field("marketing_consent_source").max_length


def set_marketing_consent(
    consent: bool, source: str, *, profile_id: int | None = None, user_id: int | None = None,
    email: str | None = None, at: datetime | None = None,
) -> CustomerProfile:
    """Record ``consent`` (from ``source``) and return the updated profile.

    Either ``profile_id`` (staff naming an existing customer) or ``user_id``
    with the account's ``email`` (the signed-in customer: their profile is
    found or created as the fold would). Raises ``CRMError`` ``NOT_FOUND``
    when the profile does not exist or the customer was erased.
    """
    at = at or timezone.now()
    with transaction.atomic():
        take_fold_lock()
        if profile_id is not None:
            profile = CustomerProfile.objects.filter(pk=profile_id, erased_at__isnull=True).first()
            if profile is None:
                raise CRMError(ProfileErrorCode.NOT_FOUND, "No such customer.", "customer")
        elif user_id is not None:
            profile = _own_profile(user_id, email, at)
        else:
            raise CRMError(ProfileErrorCode.REQUIRED, "Give a customer.", "customer")
        CustomerProfile.objects.filter(pk=profile.pk).update(
            marketing_consent=consent, marketing_consent_at=at, marketing_consent_source=source[:MAX_SOURCE],
            updated_at=timezone.now(),
        )
    return CustomerProfile.objects.get(pk=profile.pk)


def _own_profile(user_id: int, email: str | None, at: datetime) -> CustomerProfile:
    email = normalize_email(email)
    # The token's email is Saleor's business: one the fold would refuse is
    # left out rather than stored or turned into an error for the shopper.
    if email is not None and not EMAIL_RE.match(email):
        email = None
    target, dirty = resolve_customer(Customer(user_id=user_id, email=email), at)
    if not isinstance(target, CustomerProfile):  # a tombstone: the customer was erased
        raise CRMError(ProfileErrorCode.NOT_FOUND, "This customer's CRM data was erased.", None)
    mark_dirty(dirty)
    return target
