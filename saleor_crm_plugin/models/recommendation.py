from django.db import models
from django.db.models import Q


class RecommendationModel(models.Model):
    """One training of the recommendation models: its bundle, parameters and evaluation.

    Exactly one row is ``is_active`` at a time (a partial unique index); a
    swap flips the flag inside one transaction, so a reader sees the old
    version or the new one, never a half-written one.
    """

    class Status(models.TextChoices):
        TRAINING = "training"
        READY = "ready"
        ACTIVE = "active"
        RETIRED = "retired"
        FAILED = "failed"

    version = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TRAINING)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    data_until = models.DateTimeField(null=True, blank=True, help_text="Newest order the training saw.")
    params = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    training_seconds = models.FloatField(null=True, blank=True)
    bundle = models.BinaryField(null=True, blank=True, editable=False)
    bundle_bytes = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "crm_recommendation_model"
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="crm_rec_one_active")
        ]
