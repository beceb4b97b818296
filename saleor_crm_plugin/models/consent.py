import hashlib

from django.db import models
from django.utils import timezone


def email_hash(email: str | None) -> str:
    """SHA-256 of the normalized address: the key of ``Suppression`` (not keyed, so it is the same in every export)."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


class ConsentState(models.TextChoices):
    """Where a customer stands on marketing mail in one channel; no row at all means never asked."""

    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    PENDING = "pending"  # double opt-in: a confirmation mail was sent, not yet confirmed


class ConsentSource(models.TextChoices):
    """How a consent change reached the CRM, kept so the shop can prove it."""

    STOREFRONT = "storefront"
    STAFF = "staff"
    IMPORT = "import"
    CONFIRMATION_LINK = "confirmation_link"
    ONE_CLICK = "one_click"
    COMPLAINT = "complaint"


class ChannelConsent(models.Model):
    """The current consent of one customer in one Saleor channel (derived from ``ConsentRecord``)."""

    profile = models.ForeignKey("CustomerProfile", on_delete=models.CASCADE, related_name="consents",
                                db_constraint=False, db_index=False)
    channel = models.CharField(max_length=255)
    state = models.CharField(max_length=16, choices=ConsentState.choices)
    source = models.CharField(max_length=32, choices=ConsentSource.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_channel_consent"
        # Every reader asks about one customer (the send-time check, segment rules, the profile):
        # the unique index answers them all.
        constraints = [models.UniqueConstraint(fields=["profile", "channel"], name="crm_consent_profile_channel")]


class ConsentRecord(models.Model):
    """One consent change, append-only: who, which channel, what, how and when.

    ``detail`` holds what proves it (the staff member, the campaign of a
    one-click unsubscribe, the confirmation mail's time); erasure scrubs it.
    """

    profile = models.ForeignKey("CustomerProfile", on_delete=models.CASCADE, related_name="consent_records",
                                db_constraint=False)
    channel = models.CharField(max_length=255)
    state = models.CharField(max_length=16, choices=ConsentState.choices)
    source = models.CharField(max_length=32, choices=ConsentSource.choices)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_consent_record"
        indexes = [
            models.Index(fields=["profile", "at"], name="crm_consent_record_profile_idx"),
            models.Index(fields=["at"], name="crm_consent_record_at_idx"),  # the welcome automation's scan
        ]


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce"
    COMPLAINT = "complaint"
    MANUAL = "manual"
    ERASED = "erased"


class Suppression(models.Model):
    """An address that must never get marketing mail, checked at send time.

    Keyed by the SHA-256 of the normalized address so that an erased
    customer stays suppressed after their address itself is removed
    (``email`` is cleared by erasure; the hash stays).
    """

    email_hash = models.CharField(max_length=64, unique=True)
    email = models.CharField(max_length=254, null=True, blank=True)
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    detail = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_suppression"


class PendingSubscription(models.Model):
    """A storefront visitor's request to subscribe, waiting for the confirmation link (double opt-in).

    Typing an address proves nothing, so nothing else is stored for it — no
    customer profile, no consent — until the link in the confirmation mail is
    opened. The row expires with the link and is deleted then (the hourly
    clean-up); erasure deletes it at once and export lists it.
    """

    email = models.CharField(max_length=254)
    channel = models.CharField(max_length=255)
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Set in the statement that claims the mail, so a retried task never sends a second one.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)  # a second click then changes nothing

    class Meta:
        db_table = "crm_pending_subscription"
        constraints = [models.UniqueConstraint(fields=["email", "channel"], name="crm_pending_email_channel")]
        indexes = [models.Index(fields=["expires_at"], name="crm_pending_expires_idx")]
