from django.db import models
from django.utils import timezone


class CRMEvent(models.Model):
    """One normalized CRM event: the outbox row, then the timeline entry.

    The timeline's sentence is derived from the payload when read
    (``normalized.summaries``), so folding writes as little as possible.

    A hook inserts the row inside Saleor's transaction (status ``pending``);
    the fold marks it ``processed`` and links it to a profile, or ``rejected``
    with a code and a reason kept for inspection.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        PROCESSED = "processed"
        REJECTED = "rejected"

    dedupe_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=40)
    source = models.CharField(max_length=20, default="plugin")
    occurred_at = models.DateTimeField()
    payload = models.JSONField()
    raw = models.JSONField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    profile = models.ForeignKey(
        "CustomerProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_constraint=False,  # see CRMOrder.profile
        db_index=False,  # crm_event_timeline_idx covers it
    )
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_event"
        # Constraints, not unique=True: Django would add a LIKE index per
        # unique varchar, which every insert and update must maintain.
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="crm_event_dedupe_key_uniq")]
        indexes = [
            models.Index(
                fields=["id"],
                name="crm_event_pending_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["profile", "occurred_at"], name="crm_event_timeline_idx"),
            # The welcome automation's scan for new accounts.
            models.Index(fields=["occurred_at"], name="crm_event_account_idx",
                         condition=models.Q(kind="customer.created")),
        ]

    def __str__(self):
        return f"{self.kind} {self.dedupe_key[:12]} ({self.status})"
