"""Response propensity inside the CRM: the nightly model (``PropensityRun``) and each customer's score."""

from django.db import models


class PropensityRun(models.Model):
    """One nightly training of the propensity model on the CRM's tables, and the model it produced.

    ``model`` holds the fitted ``analytics.propensity.PropensityModel`` as joblib bytes, so every worker
    scores with the same model; ``metrics`` the cross-fitted figures it was chosen on.
    """

    class State(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        SKIPPED = "skipped"  # nobody had ordered by the cut: nothing to learn from

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.RUNNING)
    stage = models.CharField(max_length=32, blank=True, default="", help_text="Where a running training is.")
    cut = models.DateTimeField(help_text="Training inputs are known at the cut; labels come from the horizon after.")
    horizon_days = models.PositiveIntegerField()
    method = models.CharField(max_length=16, blank=True, default="")
    confidence = models.CharField(max_length=8, blank=True, default="")
    customers = models.PositiveIntegerField(default=0)
    scored = models.PositiveIntegerField(default=0)
    features = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    model = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "crm_propensity_run"


class CustomerPropensity(models.Model):
    """A customer's probability of buying in the next ``horizon_days``, with the top reasons (log-odds)."""

    profile = models.OneToOneField("CustomerProfile", on_delete=models.CASCADE, related_name="propensity",
                                   db_constraint=False)
    probability = models.FloatField()
    confidence = models.CharField(max_length=8, help_text="high, medium or low")
    method = models.CharField(max_length=16)
    reasons = models.JSONField(default=list, help_text='[{"name": …, "value": log-odds}], strongest first.')
    run_id = models.BigIntegerField()
    scored_at = models.DateTimeField()

    class Meta:
        db_table = "crm_customer_propensity"
        indexes = [models.Index(fields=["-probability"], name="crm_propensity_prob_idx")]
