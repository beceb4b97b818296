from collections.abc import Iterable
from datetime import datetime, timezone as dt_timezone

from django.db import models
from django.utils import timezone


def listing_available(listing: dict, now: datetime) -> bool:
    """Published and purchasable now, as Saleor decides from one channel listing.

    The one definition of availability: product pages, recommendations and
    emails all ask this. A listing without a date field (e.g. the demo import)
    puts no restriction on it; ``available_for_purchase_at`` present but empty
    means Saleor does not sell it; a date we cannot read makes it unavailable
    rather than breaking the catalog.
    """
    if not isinstance(listing, dict) or listing.get("is_published") is not True:
        return False
    for key in ("published_at", "available_for_purchase_at"):
        if key not in listing:
            continue
        value = listing[key]
        if value is None:
            if key == "available_for_purchase_at":
                return False
            continue
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt_timezone.utc)
        if moment > now:
            return False
    return True


def available_channels(listings: Iterable, is_deleted: bool, now: datetime) -> frozenset:
    """The channels a product snapshot is available in now."""
    if is_deleted or not isinstance(listings, list):
        return frozenset()
    return frozenset(listing.get("channel") for listing in listings if listing_available(listing, now))


class ProductSnapshot(models.Model):
    """What the CRM knows of a Saleor product, for recommendations and emails."""

    product_id = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=250, blank=True, default="")
    slug = models.CharField(max_length=255, blank=True, default="")
    description_text = models.TextField(blank=True, default="")
    image_url = models.CharField(max_length=500, blank=True, default="", db_default="")
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

    def is_available_in(self, channel: str, now: datetime | None = None) -> bool:
        """Published and purchasable in ``channel`` now, according to the last snapshot."""
        return channel in available_channels(self.channel_listings, self.is_deleted, now or timezone.now())
