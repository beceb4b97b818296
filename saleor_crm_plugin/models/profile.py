from django.db import models
from django.utils import timezone


class CustomerProfile(models.Model):
    """Everything the CRM knows about one customer.

    Keyed by the Saleor user when known, otherwise by the normalized email of
    a guest; a guest profile is merged into the account when it appears.
    Metric fields are derived (``profiles.metrics``) from the order and
    checkout facts, never incremented, so folding is idempotent.
    """

    user_id = models.BigIntegerField(null=True, blank=True, unique=True)
    email = models.CharField(max_length=254, null=True, blank=True)
    first_name = models.CharField(max_length=256, blank=True, default="")
    last_name = models.CharField(max_length=256, blank=True, default="")
    is_active = models.BooleanField(default=True)
    account_created_at = models.DateTimeField(null=True, blank=True)
    details_updated_at = models.DateTimeField(null=True, blank=True)

    order_count = models.PositiveIntegerField(default=0)
    placed_count = models.PositiveIntegerField(default=0)
    cancelled_count = models.PositiveIntegerField(default=0)
    refunded_count = models.PositiveIntegerField(default=0)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True)
    mean_days_between_orders = models.FloatField(null=True, blank=True)
    favourite_categories = models.JSONField(default=list, blank=True)
    favourite_products = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    country = models.CharField(max_length=2, blank=True, default="", db_default="",
                               help_text="Country of the newest order with an address.")
    phone = models.CharField(max_length=32, blank=True, default="", db_default="",
                             help_text="Phone of the newest order's address, else of the account's default address.")
    open_checkouts = models.PositiveIntegerField(default=0)
    abandoned_checkouts = models.PositiveIntegerField(default=0)

    # Marketing consent is per channel: ``ChannelConsent`` and its history ``ConsentRecord``.

    # Set when the metrics could not be recomputed (``profiles.metrics``), like
    # a rejected event's code and reason: the profile keeps its last figures,
    # training and analytics skip it, and the next successful recompute clears
    # these. Nullable, so adding them rewrites no row.
    recompute_error_code = models.CharField(max_length=40, null=True, blank=True)
    recompute_error = models.TextField(null=True, blank=True)
    recompute_failed_at = models.DateTimeField(null=True, blank=True)

    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_customer_profile"
        constraints = [models.UniqueConstraint(fields=["email"], name="crm_profile_email_uniq")]
        indexes = [
            models.Index(fields=["last_order_at"], name="crm_profile_last_order_idx"),
            models.Index(fields=["-order_count", "-id"], name="crm_profile_order_count_idx"),  # staff lists
            # The staff search's trigram index is an expression (profiles.search.SEARCH_TEXT): migration 0018.
            # Only set-aside profiles are indexed: readers skip them cheaply.
            models.Index(fields=["id"], name="crm_profile_set_aside_idx",
                         condition=models.Q(recompute_error_code__isnull=False)),
        ]

    def __str__(self):
        return self.email or (f"user {self.user_id}" if self.user_id else f"profile {self.pk}")

    @property
    def is_guest(self) -> bool:
        return self.user_id is None and self.erased_at is None


class CustomerSpend(models.Model):
    """Orders, revenue and average order value of a profile in one currency.

    Channels have their own currencies; amounts are never added across them.
    """

    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.CASCADE, related_name="spend", db_constraint=False
    )
    currency = models.CharField(max_length=3)
    order_count = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    average_order_value = models.DecimalField(max_digits=20, decimal_places=3, default=0)

    class Meta:
        db_table = "crm_customer_spend"
        constraints = [
            models.UniqueConstraint(fields=["profile", "currency"], name="crm_spend_unique")
        ]


class ErasedIdentity(models.Model):
    """Tombstone of an erased customer: a hash of the email or user id.

    Events that arrive later for that identity are folded into the anonymized
    profile with their personal data stripped, so an erasure is never undone
    by a replay and aggregates stay consistent.
    """

    identity_hash = models.CharField(max_length=64, unique=True)
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_erased_identity"


class DirtyProfile(models.Model):
    """A profile whose facts changed and whose metrics await recomputation.

    Folding marks profiles here (same transaction as the facts); the metrics
    are recomputed once per drain of the outbox, not once per batch, so a
    busy customer is not recomputed hundreds of times during a backfill.
    """

    profile_id = models.BigIntegerField(primary_key=True)

    class Meta:
        db_table = "crm_dirty_profile"


class CustomerNote(models.Model):
    """A staff member's note on a customer (personal data: erased with the customer)."""

    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    author_email = models.CharField(max_length=254, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_customer_note"
        indexes = [models.Index(fields=["profile", "created_at"], name="crm_note_profile_idx")]
