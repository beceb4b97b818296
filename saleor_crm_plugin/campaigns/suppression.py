"""Addresses that must never get marketing mail: hard bounces, complaints, staff's list, erased customers.

Checked at send time for every recipient (``sending``), whatever their
consent says. Keyed by a hash of the normalized address so that an erased
customer's address stays suppressed after the address itself is removed.
A complaint is never lifted by anything automatic: not a new subscription,
not a re-import, not a later bounce; only staff can lift other reasons.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..models import Suppression, SuppressionReason
from ..models.consent import email_hash
from .consent import validate_email

# The stronger reason is kept when an address is suppressed twice.
STRENGTH = {SuppressionReason.ERASED: 0, SuppressionReason.MANUAL: 1, SuppressionReason.HARD_BOUNCE: 2,
            SuppressionReason.COMPLAINT: 3}
MAX_DETAIL = 2000


def suppress(email: str, reason: SuppressionReason, detail: str = "", *, keep_address: bool = True) -> Suppression:
    """Add ``email`` to the suppression list (or strengthen its reason); returns the row."""
    normalized = validate_email(email)
    reason = SuppressionReason(reason)
    with transaction.atomic():
        row, created = Suppression.objects.select_for_update().get_or_create(
            email_hash=email_hash(normalized),
            defaults={"email": normalized if keep_address else None, "reason": reason,
                      "detail": detail[:MAX_DETAIL]},
        )
        if not created and STRENGTH[reason] > STRENGTH[SuppressionReason(row.reason)]:
            row.reason, row.detail, row.created_at = reason, detail[:MAX_DETAIL], timezone.now()
            row.save(update_fields=["reason", "detail", "created_at"])
    return row


def lift(email: str) -> bool:
    """Staff remove an address from the list; refused for a complaint. True when a row was removed."""
    email = validate_email(email)
    with transaction.atomic():
        row = Suppression.objects.select_for_update().filter(email_hash=email_hash(email)).first()
        if row is None:
            return False
        if row.reason in (SuppressionReason.COMPLAINT, SuppressionReason.ERASED):
            raise CRMError(CampaignErrorCode.INVALID_STATE,
                           f"An address suppressed for {row.reason} cannot be lifted.", "email")
        row.delete()
    return True


def suppressed(emails: Iterable[str]) -> set[str]:
    """Which of ``emails`` (normalized) are suppressed, in one query."""
    by_hash = {email_hash(email): email for email in emails if email}
    if not by_hash:
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT email_hash FROM crm_suppression WHERE email_hash = ANY(%s)", [list(by_hash)])
        return {by_hash[row[0]] for row in cursor.fetchall()}
