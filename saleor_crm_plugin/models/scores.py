"""Customer scores (RFM, lifetime value, churn risk) per currency, and the runs that computed them."""

from django.db import models


class CustomerAnalytics(models.Model):
    """RFM, lifetime value and churn figures of one customer in one currency (``profiles.scores``)."""

    profile = models.ForeignKey("CustomerProfile", on_delete=models.CASCADE, related_name="analytics",
                                db_constraint=False, db_index=False)
    currency = models.CharField(max_length=3)
    orders = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=20, decimal_places=3)
    recency_days = models.FloatField()
    r_score = models.PositiveSmallIntegerField()
    f_score = models.PositiveSmallIntegerField()
    m_score = models.PositiveSmallIntegerField()
    rfm_group = models.CharField(max_length=32)
    expected_orders_30 = models.FloatField()
    expected_orders_90 = models.FloatField()
    expected_orders_365 = models.FloatField()
    p_alive = models.FloatField()
    churn_risk = models.FloatField()
    next_order_at = models.DateTimeField(null=True, blank=True)
    expected_order_value = models.DecimalField(max_digits=20, decimal_places=3)
    clv_12m = models.DecimalField(max_digits=20, decimal_places=3)
    method = models.CharField(max_length=16, help_text="bgnbd or fallback")
    confidence = models.CharField(max_length=8, help_text="high, medium or low")
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "crm_customer_analytics"
        constraints = [models.UniqueConstraint(fields=["profile", "currency"], name="crm_analytics_uniq")]
        indexes = [models.Index(fields=["rfm_group"], name="crm_analytics_group_idx")]


class AnalyticsRun(models.Model):
    """One recompute of the analytics for one currency: the fitted parameters, for reports and audits."""

    currency = models.CharField(max_length=3)
    computed_at = models.DateTimeField()
    customers = models.PositiveIntegerField()
    method = models.CharField(max_length=16)
    params = models.JSONField(default=dict)

    class Meta:
        db_table = "crm_analytics_run"
