from django.db import models


class ProductSnapshot(models.Model):
    """What the CRM knows of a Saleor product, for recommendations and emails."""

    product_id = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=250, blank=True, default="")
    slug = models.CharField(max_length=255, blank=True, default="")
    description_text = models.TextField(blank=True, default="")
    category_id = models.BigIntegerField(null=True, blank=True)
    category = models.CharField(max_length=250, blank=True, default="")
    product_type = models.CharField(max_length=250, blank=True, default="")
    attributes = models.JSONField(default=dict, blank=True)
    channel_listings = models.JSONField(default=list, blank=True)
    variants = models.JSONField(default=list, blank=True)
    is_deleted = models.BooleanField(default=False)
    source_updated_at = models.DateTimeField()
    version_key = models.CharField(max_length=64)

    class Meta:
        db_table = "crm_product_snapshot"

    def is_available_in(self, channel: str) -> bool:
        """Published and purchasable in ``channel`` according to the last snapshot."""
        return not self.is_deleted and any(
            listing.get("channel") == channel and listing.get("is_published")
            for listing in self.channel_listings
        )
