from django.db import models


class CRMCheckout(models.Model):
    """The CRM's copy of a checkout; abandoned = idle past the delay and not completed."""

    token = models.CharField(max_length=64)
    profile = models.ForeignKey(
        "CustomerProfile", null=True, on_delete=models.SET_NULL, related_name="checkouts", db_constraint=False,
        db_index=False,  # crm_checkout_profile_idx covers it
    )
    user_id = models.BigIntegerField(null=True, blank=True)
    email = models.CharField(max_length=254, null=True, blank=True)
    channel = models.CharField(max_length=255, blank=True, default="")
    currency = models.CharField(max_length=3, blank=True, default="")
    total_gross = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    lines = models.JSONField(default=list, blank=True)
    lines_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    version_key = models.CharField(max_length=64, blank=True, default="")
    is_paid = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_checkout"
        constraints = [models.UniqueConstraint(fields=["token"], name="crm_checkout_token_uniq")]
        indexes = [
            models.Index(fields=["profile"], name="crm_checkout_profile_idx"),
            models.Index(
                fields=["last_change"],
                name="crm_checkout_open_idx",
                condition=models.Q(completed_at__isnull=True),
            ),
        ]
